/**
 * Runs python3 from the specs and examples, once per batch: the script and a JSON input go in on
 * stdin, a JSON result comes back on stdout. Each launch costs 30-50 ms, so a spec sends all its
 * pickles (hex-encoded) in one call and gets all the answers back in one reply, rather than
 * launching Python per value.
 *
 * The Python side sees a small prelude (see {@link PY_PRELUDE}): `unhex(s)`, `tohex(b)`,
 * `crepr(v)` (a canonical repr: sets sorted, cycles cut, instances shown with their `__dict__`) and
 * the decoded input as the argument of the script's `main(inp)`, whose return value is the reply.
 * Anything the script prints goes to stderr, so it cannot corrupt the reply.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The interpreter: `$PYTHON`, else `python3`. */
export const PYTHON = process.env.PYTHON ?? 'python3';

/** Options of {@link pyRun}. */
export interface PyRunOptions {
  /** Directories put in front of `sys.path` (e.g. a temp dir holding a models module). */
  readonly path?: readonly string[];
  /** Kill Python after this many milliseconds. Default 30 000. */
  readonly timeoutMs?: number;
}

/**
 * What every script can use. `crepr` is `repr` made comparable: set and frozenset items are
 * sorted by their own crepr (their iteration order depends on hashing), objects with a `__dict__`
 * print as `Class(attr=…, …)` in insertion order, exceptions as `Type(args)` plus their
 * `__dict__` keys, and an object met again while it is being printed prints as `<cycle Class>`.
 */
export const PY_PRELUDE = String.raw`
import sys, json, pickle, collections, datetime

def unhex(s):
    return bytes.fromhex(s)

def tohex(b):
    return bytes(b).hex()

def crepr(v, _active=None):
    active = set() if _active is None else _active
    if id(v) in active:
        return '<cycle %s>' % type(v).__name__
    t = type(v)
    if t in (type(None), bool, int, float, str, bytes, bytearray, datetime.datetime, datetime.date,
             datetime.timedelta, datetime.timezone):
        return repr(v)
    active.add(id(v))
    try:
        r = lambda x: crepr(x, active)
        if t is list:
            return '[' + ', '.join(r(x) for x in v) + ']'
        if t is tuple:
            return '(' + ', '.join(r(x) for x in v) + (',)' if len(v) == 1 else ')')
        if t is dict:
            return '{' + ', '.join(r(k) + ': ' + r(x) for k, x in v.items()) + '}'
        if t is collections.OrderedDict:
            return 'OrderedDict(' + ', '.join(r(k) + ': ' + r(x) for k, x in v.items()) + ')'
        if t is set:
            return '{' + ', '.join(sorted(r(x) for x in v)) + '}' if v else 'set()'
        if t is frozenset:
            return 'frozenset({' + ', '.join(sorted(r(x) for x in v)) + '})'
        if isinstance(v, BaseException):
            extra = sorted(getattr(v, '__dict__', {}))
            return t.__name__ + r(v.args) + (' ' + repr(extra) if extra else '')
        name = t.__qualname__
        parts = []
        if isinstance(v, (list, dict, set)):
            parts.append(r(t.__base__(v) if not isinstance(v, dict) else dict(v)))
        for k, x in getattr(v, '__dict__', {}).items():
            parts.append('%s=%s' % (k, r(x)))
        if hasattr(t, '__slots__'):
            for k in t.__slots__:
                if hasattr(v, k):
                    parts.append('%s=%s' % (k, r(getattr(v, k))))
        return name + '(' + ', '.join(parts) + ')'
    finally:
        active.discard(id(v))
`;

const RUNNER = String.raw`
import sys, json
_req = json.loads(sys.stdin.buffer.read().decode('utf-8'))
sys.path[:0] = _req['path']
_out = sys.stdout
sys.stdout = sys.stderr
_ns = {'__name__': '__pyrun__'}
exec(compile(_req['prelude'] + '\n' + _req['script'], '<pyRun script>', 'exec'), _ns)
_res = _ns['main'](_req['input'])
_out.write(json.dumps(_res, ensure_ascii=True, allow_nan=False))
_out.flush()
`;

/** Python failed (exit status, traceback on stderr) or replied with something that is not JSON. */
export class PythonError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'PythonError';
  }
}

/**
 * Runs one Python script once. The script must define `main(inp)`; `inp` is `input` after a JSON
 * round trip and the JSON of `main`'s return value is this function's result. Pass bytes as hex
 * ({@link toHex}) and turn them back with `unhex` in Python.
 *
 * @param script Python source defining `main(inp)` (the prelude's names are in scope).
 * @param input Any JSON-serialisable value (lone surrogates in strings survive).
 * @param options Extra `sys.path` entries, timeout.
 * @returns What `main` returned.
 * @throws {PythonError} with Python's traceback when the script fails.
 * @example
 * ```ts
 * const [r] = pyRun<string[]>('def main(inp): return [crepr(pickle.loads(unhex(h))) for h in inp]', [toHex(dumps([1]))]);
 * ```
 */
export function pyRun<T = unknown>(script: string, input: unknown = null, options: PyRunOptions = {}): T {
  const request = JSON.stringify({ prelude: PY_PRELUDE, script, input, path: options.path ?? [] });
  const r = spawnSync(PYTHON, ['-c', RUNNER], {
    input: request,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 30_000,
    env: { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  });
  if (r.error) {
    throw new PythonError(`could not run ${PYTHON}: ${r.error.message}`, String(r.stderr ?? ''));
  }
  if (r.status !== 0) {
    throw new PythonError(`${PYTHON} exited with status ${r.status}:\n${r.stderr}`, r.stderr);
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new PythonError(`${PYTHON} replied with something that is not JSON: ${r.stdout.slice(0, 200)}`, r.stderr);
  }
}

/** Whether the interpreter can be launched at all (for a clear failure message). */
export function pythonVersion(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Bytes as lowercase hex (how pickles travel through JSON).
 *
 * @param bytes The bytes.
 * @returns The hex text.
 */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/**
 * Hex back to a plain Uint8Array (never a Node Buffer: the library must not depend on one).
 *
 * @param hex The hex text.
 * @returns The bytes.
 */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Writes Python source files into a fresh temp directory (to put on `sys.path`).
 *
 * @param files File name → source, e.g. `{ 'interop_models.py': '…' }`.
 * @returns The directory and a function that deletes it.
 */
export function pyModuleDir(files: Readonly<Record<string, string>>): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'copyreg-py-'));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
