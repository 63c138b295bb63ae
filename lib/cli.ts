#!/usr/bin/env node
/**
 * The `copyreg` command: `copyreg dis FILE` prints what `python -m pickletools FILE` prints, and
 * `copyreg show FILE` loads the pickle safely (unknown globals become inert placeholders, nothing
 * is called) and prints the value. Node-only; the package's "bin" points at the compiled
 * dist/cli.js, and `npx ts-node lib/cli.ts …` runs it from the sources.
 *
 * The logic is {@link main}, which takes the arguments and the output streams as parameters so
 * that the specs can run it in-process.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';

import { dis, DisassemblyError } from './dis';
import { loadAll, readAll, type PickleSource } from './fileio';
import { PyGlobal, PyObject } from './pyobjects';
import { Unpickler, type UnpicklerOptions } from './unpickler';

/** What {@link main} reads from and writes to; every member has a default from `process`. */
export interface CliIO {
  /** Receives standard output text. */
  stdout(text: string): void;
  /** Receives standard error text. */
  stderr(text: string): void;
  /** Standard input, read when FILE is `-` or absent. */
  stdin: PickleSource;
  /** Whether standard input is a terminal: then a missing FILE is an error, not a wait. */
  stdinIsTTY: boolean;
  /** Whether `show` colours its output unless told otherwise (default: stdout is a terminal). */
  colors: boolean;
}

const USAGE = `Usage: copyreg <command> [options] [FILE]

Reads a pickle from FILE, or from standard input when FILE is '-' or absent.

Commands:
  dis     print the disassembly, exactly as python -m pickletools does
  show    load the pickle safely and print the value: globals that are not allowed
          become inert placeholders, shown as [global module.name] and module.name {...};
          nothing in the pickle is ever called

Options:
  -a, --annotate         dis: describe each opcode at the end of its line (in words of
                         our own: only the listing itself matches pickletools)
  -l, --indentlevel N    dis: blanks per open MARK (default 4)
  --depth N              show: nesting levels to print (default 8; 'inf' for all)
  --all                  show: print every pickle in the input, not only the first
  --encoding ENC         show: how Python 2 str is decoded: ASCII (default), latin1,
                         utf-8, or bytes to keep it as bytes
  --color, --no-color    show: colour the output (default: when stdout is a terminal)
  -h, --help             print this help
  -V, --version          print the version
`;

/** A usage error: printed as one line, like any other error. */
class CliError extends Error {}

interface Args {
  command?: string;
  file?: string;
  help: boolean;
  version: boolean;
  annotate: boolean;
  indentLevel?: number;
  depth?: number;
  all: boolean;
  encoding?: string;
  color?: boolean;
}

// Which command each option belongs to, to reject `dis --depth 3` rather than ignore it.
const OPTION_COMMAND: Record<string, string> = {
  annotate: 'dis',
  indentLevel: 'dis',
  depth: 'show',
  all: 'show',
  encoding: 'show',
  color: 'show',
};

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { help: false, version: false, annotate: false, all: false };
  const given: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new CliError(`option ${name} needs a value`);
      return next;
    };
    switch (name) {
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '-V':
      case '--version':
        args.version = true;
        break;
      case '-a':
      case '--annotate':
        args.annotate = true;
        given.push('annotate');
        break;
      case '-l':
      case '--indentlevel':
        args.indentLevel = count(name, value());
        given.push('indentLevel');
        break;
      case '--depth': {
        const text = value();
        args.depth = /^(inf|infinity)$/i.test(text) ? Infinity : count(name, text);
        given.push('depth');
        break;
      }
      case '--all':
        args.all = true;
        given.push('all');
        break;
      case '--encoding':
        args.encoding = value();
        given.push('encoding');
        break;
      case '--color':
      case '--no-color':
        args.color = name === '--color';
        given.push('color');
        break;
      default:
        throw new CliError(`unknown option '${arg}' (try 'copyreg --help')`);
    }
    if (eq >= 0 && !['--indentlevel', '--depth', '--encoding'].includes(name)) {
      throw new CliError(`option ${name} takes no value`);
    }
  }
  if (args.help || args.version) return args;
  [args.command, args.file] = positional;
  if (args.command === undefined) throw new CliError(`no command given (try 'copyreg --help')`);
  if (args.command !== 'dis' && args.command !== 'show') {
    throw new CliError(`unknown command '${args.command}' (try 'copyreg --help')`);
  }
  if (positional.length > 2) throw new CliError(`one FILE at most, got ${positional.length - 1}`);
  for (const option of given) {
    if (OPTION_COMMAND[option] !== args.command) {
      const command = OPTION_COMMAND[option]!;
      throw new CliError(`option ${optionName(option)} applies to '${command}' only`);
    }
  }
  return args;
}

function optionName(option: string): string {
  return `--${option === 'indentLevel' ? 'indentlevel' : option}`;
}

function count(name: string, text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new CliError(`option ${name} needs a non-negative integer, not '${text}'`);
  }
  return Number(text);
}

// --- show: how placeholders print ---

/** What `show` loads a persistent id as, since there is no `persistentLoad` to resolve it. */
class PersistentId {
  constructor(readonly pid: unknown) {}
}

/** How a PyGlobal prints: `[global module.name]`. */
class GlobalView {
  constructor(private readonly label: string) {}

  [inspect.custom](_depth: number, options: { stylize(text: string, style: string): string }) {
    return options.stylize(`[global ${this.label}]`, 'special');
  }
}

// util.inspect prints an object as `<constructor name> { … }`, so a PyObject is shown as an
// instance of a class named after its Python class: `mymod.Point { state: { x: 1 } }`.
const labelledPrototypes = new Map<string, object>();

function labelled(label: string): object {
  let proto = labelledPrototypes.get(label);
  if (proto === undefined) {
    proto = { [label]: class {} }[label]!.prototype as object;
    labelledPrototypes.set(label, proto);
  }
  return Object.create(proto) as object;
}

function labelOf(cls: unknown): string {
  if (cls instanceof PyGlobal) return `${cls.module}.${cls.name}`;
  if (typeof cls === 'function' && cls.name) return cls.name;
  return 'PyObject';
}

/**
 * A copy of `root`, to `maxDepth` levels (util.inspect prints no deeper), in which PyGlobal,
 * PyObject and PersistentId are replaced by objects that print readably. Sharing and cycles are
 * kept, so inspect still marks them `[Circular]`; the walk uses a work list, not recursion, so deep
 * values cannot overflow the stack here.
 */
function forDisplay(root: unknown, maxDepth: number): unknown {
  const copies = new Map<object, unknown>();
  const work: (() => void)[] = [];
  const visit = (value: unknown, level: number): unknown => {
    if (typeof value !== 'object' || value === null || level > maxDepth + 1) return value;
    const done = copies.get(value);
    if (done !== undefined) return done;
    const next = level + 1;
    if (value instanceof PyGlobal) {
      const view = new GlobalView(`${value.module}.${value.name}`);
      copies.set(value, view);
      return view;
    }
    if (value instanceof PyObject) {
      const view = labelled(labelOf(value.cls)) as Record<string, unknown>;
      copies.set(value, view);
      work.push(() => {
        if (!(value.cls instanceof PyGlobal)) view['cls'] = visit(value.cls, next);
        if (value.args.length > 0) view['args'] = visit(value.args, next);
        if (value.kwargs !== null) view['kwargs'] = visit(value.kwargs, next);
        if (value.state !== undefined) view['state'] = visit(value.state, next);
        if (value.listItems.length > 0) view['listItems'] = visit(value.listItems, next);
        if (value.dictItems.length > 0) view['dictItems'] = visit(value.dictItems, next);
      });
      return view;
    }
    if (value instanceof PersistentId) {
      const view = labelled('PersistentId') as Record<string, unknown>;
      copies.set(value, view);
      work.push(() => (view['pid'] = visit(value.pid, next)));
      return view;
    }
    if (Array.isArray(value)) {
      const view: unknown[] = new Array(value.length);
      copies.set(value, view);
      work.push(() => {
        for (let i = 0; i < value.length; i++) if (i in value) view[i] = visit(value[i], next);
      });
      return view;
    }
    if (value instanceof Map) {
      const view = new Map<unknown, unknown>();
      copies.set(value, view);
      work.push(() => {
        for (const [k, v] of value) view.set(visit(k, next), visit(v, next));
      });
      return view;
    }
    if (value instanceof Set) {
      const view = new Set<unknown>();
      copies.set(value, view);
      work.push(() => {
        for (const v of value) view.add(visit(v, next));
      });
      return view;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) {
      const view = Object.create(proto as object | null) as Record<string, unknown>;
      copies.set(value, view);
      work.push(() => {
        for (const key of Object.keys(value)) {
          // defineProperty, so that a loaded '__proto__' key stays a plain property.
          Object.defineProperty(view, key, {
            value: visit((value as Record<string, unknown>)[key], next),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      });
      return view;
    }
    if (value instanceof Error) {
      // Note: the stack of a loaded error is this loader's, not the pickle's: it is left out.
      const view = labelled(value.name) as Record<string, unknown>;
      copies.set(value, view);
      work.push(() => {
        view['message'] = value.message;
        for (const key of Object.getOwnPropertyNames(value)) {
          if (key !== 'stack' && key !== 'message') view[key] = visit((value as unknown as Record<string, unknown>)[key], next);
        }
      });
      return view;
    }
    return value; // Date, Uint8Array and other built-ins print well as they are
  };
  const result = visit(root, 0);
  for (let job = work.pop(); job !== undefined; job = work.pop()) job();
  return result;
}

// --- main ---

/** `io` completed from `process`; stdin is touched only if read (creating it opens a handle). */
function withDefaults(io: Partial<CliIO>): CliIO {
  return {
    stdout: io.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => void process.stderr.write(text)),
    get stdin() {
      return io.stdin ?? process.stdin;
    },
    get stdinIsTTY() {
      if (io.stdinIsTTY !== undefined) return io.stdinIsTTY;
      return io.stdin === undefined && process.stdin.isTTY === true;
    },
    colors: io.colors ?? (process.stdout.isTTY === true && !('NO_COLOR' in process.env)),
  };
}

function version(): string {
  // One level above both lib/ (ts-node) and dist/ (compiled).
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

async function readInput(file: string | undefined, io: CliIO): Promise<Uint8Array> {
  if (file === undefined || file === '-') {
    if (file === undefined && io.stdinIsTTY) {
      throw new CliError(`no input: give a FILE or pipe a pickle in (try 'copyreg --help')`);
    }
    return readAll(io.stdin);
  }
  const data = readFileSync(file);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function errorLine(e: unknown): string {
  let text: string;
  if (e instanceof CliError) text = e.message;
  else if (e instanceof Error) {
    // Node's system errors already start with their code: "ENOENT: no such file or directory, …".
    const code = (e as { code?: unknown }).code;
    const coded = typeof code === 'string' && e.message.startsWith(code);
    text = coded ? e.message : `${e.name}: ${e.message}`;
  } else text = String(e);
  return text.replace(/\s*\n\s*/g, ' ');
}

/**
 * Runs the `copyreg` command.
 *
 * @param argv The arguments after the program name (`process.argv.slice(2)`).
 * @param io Where to read and write; members not given come from `process`.
 * @returns The exit status: 0, or 1 after printing a one-line `copyreg: …` message to stderr.
 * @example
 * ```ts
 * let out = '';
 * const status = await main(['dis', 'data.pkl'], { stdout: (t) => (out += t) });
 * ```
 */
export async function main(argv: readonly string[], io: Partial<CliIO> = {}): Promise<number> {
  const env = withDefaults(io);
  try {
    const args = parseArgs(argv);
    if (args.help) {
      env.stdout(USAGE);
      return 0;
    }
    if (args.version) {
      env.stdout(`${version()}\n`);
      return 0;
    }
    const data = await readInput(args.file, env);
    if (args.command === 'dis') {
      // pickletools' -a annotates from column 30.
      const annotate = args.annotate ? 30 : 0;
      dis(data, { annotate, indentLevel: args.indentLevel ?? 4, write: env.stdout });
      return 0;
    }
    const depth = args.depth ?? 8;
    const options: UnpicklerOptions = {
      placeholders: true,
      persistentLoad: (pid) => new PersistentId(pid),
      ...(args.encoding === undefined ? {} : { encoding: args.encoding }),
    };
    const colors = args.color ?? env.colors;
    const print = (value: unknown): void =>
      env.stdout(`${inspect(forDisplay(value, depth), { depth, colors })}\n`);
    if (args.all) for (const value of loadAll(data, options)) print(value);
    else print(new Unpickler(data, options).load());
    return 0;
  } catch (e) {
    // As python -m pickletools does: the listing up to the problem, then the error.
    if (e instanceof DisassemblyError) env.stdout(e.partial);
    env.stderr(`copyreg: ${errorLine(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  // `copyreg dis big.pkl | head` closes the pipe early: stop quietly, as other tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  void main(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
}
