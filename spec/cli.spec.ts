import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';

import { expect } from 'chai';

import { main } from '../lib/cli';
import { dis } from '../lib/dis';
import { dumps } from '../lib/pickle';
import { PYTHON, fromHex, pyRun, pythonVersion } from './helpers/python';

const ROOT = path.join(__dirname, '..');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Standard input; by default an empty pipe. */
  stdin?: Uint8Array;
  /** Whether standard input is a terminal. */
  tty?: boolean;
  /** Whether stdout is a colour terminal. */
  colors?: boolean;
}

async function run(argv: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const status = await main(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdinIsTTY: options.tty ?? false,
    colors: options.colors ?? false,
  });
  return { status, stdout, stderr };
}

function latin1(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

// Pickles written by CPython, and what its pickletools prints for them at three indent levels.
const PY_PICKLES = String.raw`
import io, os, pickletools, sys, types

def main(inp):
    m = types.ModuleType('mymod')
    sys.modules['mymod'] = m
    class C:
        pass
    def f():
        pass
    for x, name in ((C, 'C'), (f, 'f')):
        x.__module__, x.__qualname__ = 'mymod', name
        setattr(m, name, x)
    c = C()
    c.x, c.y = 1, [1, 2]
    value = [f, {'a': (1, 2), 'b': {3}}, c, b'xx', 1.5, 2 ** 70, 'caf\u00e9\n', None, True]
    out = {}
    for p in range(6):
        data = pickle.dumps(value, protocol=p)
        listings = {}
        for indent in (4, 2, 0):
            s = io.StringIO()
            pickletools.dis(data, s, indentlevel=indent)
            listings[str(indent)] = s.getvalue()
        out[str(p)] = {'hex': tohex(data), 'dis': listings}
    return out
`;

interface PyPickle {
  hex: string;
  dis: Record<'0' | '2' | '4', string>;
}

describe('copyreg CLI', () => {
  let dir: string;
  let python: Record<string, PyPickle> | undefined;
  const file = (name: string, data?: Uint8Array | string): string => {
    const p = path.join(dir, name);
    if (data !== undefined) writeFileSync(p, data);
    return p;
  };
  const needPython = (ctx: Mocha.Context): Record<string, PyPickle> => {
    // Skipped only where python3 is missing (CI has it); the in-process tests still run.
    if (python === undefined) ctx.skip();
    return python!;
  };

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'copyreg-cli-'));
    if (pythonVersion() !== undefined) python = pyRun<Record<string, PyPickle>>(PY_PICKLES);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('help and version', () => {
    it('--help and -h print the usage to stdout, even after a command', async () => {
      for (const argv of [['--help'], ['-h'], ['dis', '--help'], ['show', 'x.pkl', '-h']]) {
        const r = await run(argv);
        expect(r).to.include({ status: 0, stderr: '' });
        expect(r.stdout).to.match(/^Usage: copyreg <command> \[options\] \[FILE\]\n/);
        expect(r.stdout).to.include('--depth N');
      }
    });

    it('--version prints the package version', async () => {
      const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        version: string;
      };
      const expected = { status: 0, stdout: `${version}\n`, stderr: '' };
      expect(await run(['--version'])).to.deep.equal(expected);
      expect((await run(['-V'])).stdout).to.equal(`${version}\n`);
    });
  });

  describe('dis', () => {
    it('prints exactly what pickletools.dis prints, for CPython pickles 0-5', async function () {
      for (const [protocol, { hex, dis: listings }] of Object.entries(needPython(this))) {
        const p = file(`py${protocol}.pkl`, fromHex(hex));
        expect(await run(['dis', p]), `protocol ${protocol}`).to.deep.equal({
          status: 0,
          stdout: listings['4'],
          stderr: '',
        });
        expect((await run(['dis', '-l', '2', p])).stdout).to.equal(listings['2']);
        expect((await run(['dis', `--indentlevel=0`, p])).stdout).to.equal(listings['0']);
      }
    });

    it("reads standard input for '-' and for a missing FILE", async function () {
      const { hex, dis: listings } = needPython(this)['5']!;
      for (const argv of [['dis', '-'], ['dis']]) {
        expect(await run(argv, { stdin: fromHex(hex) })).to.deep.equal({
          status: 0,
          stdout: listings['4'],
          stderr: '',
        });
      }
    });

    it('annotates with -a, as pickletools -a does (column 30)', async () => {
      const data = dumps({ a: [1, 2] }, { protocol: 2 });
      const r = await run(['dis', '-a', file('annotate.pkl', data)]);
      expect(r.stdout).to.equal(dis(data, { annotate: 30 }));
      expect(r.stdout).to.not.equal(dis(data));
    });

    it('disassembles the first pickle only, as pickletools does', async () => {
      const first = dumps('first');
      const r = await run(['dis', file('two.pkl', Buffer.concat([first, dumps('second')]))]);
      expect(r.stdout).to.equal(dis(first));
    });
  });

  describe('show', () => {
    it('prints placeholders for globals that are not allowed, calling nothing', async function () {
      const { hex } = needPython(this)['2']!;
      const r = await run(['show', file('show.pkl', fromHex(hex))]);
      expect(r).to.include({ status: 0, stderr: '' });
      expect(r.stdout).to.equal(
        [
          '[',
          '  [global mymod.f],',
          "  { a: [ 1, 2 ], b: Set(1) { 3 } },",
          '  mymod.C { state: { x: 1, y: [ 1, 2 ] } },',
          '  Uint8Array(2) [ 120, 120 ],',
          '  1.5,',
          '  1180591620717411303424n,',
          "  'café\\n',",
          '  null,',
          '  true',
          ']',
          '',
        ].join('\n'),
      );
    });

    it('shows a call it would not make as a placeholder with its arguments', async () => {
      const evil = file('evil.pkl', "cos\nsystem\n(S'echo pwned'\ntR.");
      expect(await run(['show', evil])).to.deep.equal({
        status: 0,
        stdout: "os.system { args: [ 'echo pwned' ] }\n",
        stderr: '',
      });
    });

    it('shows persistent ids, cycles and __proto__ keys as they are', async () => {
      const r1 = await run(['show', file('pid.pkl', 'Pfoo\n.')]);
      expect(r1.stdout).to.equal("PersistentId { pid: 'foo' }\n");
      // l = []; l.append(l), at protocol 0.
      const r2 = await run(['show', file('cycle.pkl', '(lp0\ng0\na.')]);
      expect(r2.stdout).to.equal('<ref *1> [ [Circular *1] ]\n');
      const r3 = await run(['show', file('proto.pkl', "(dp0\nV__proto__\np1\nI1\ns.")]);
      expect(r3.stdout).to.equal("{ ['__proto__']: 1 }\n");
    });

    it('prints --depth levels (8 by default, inf for all)', async () => {
      let nested: unknown = 'bottom';
      for (let i = 0; i < 12; i++) nested = [nested];
      const p = file('deep.pkl', dumps(nested));
      expect((await run(['show', p])).stdout).to.equal(`${inspect(nested, { depth: 8 })}\n`);
      expect((await run(['show', p])).stdout).to.include('[Array]');
      expect((await run(['show', '--depth', '0', p])).stdout).to.equal('[ [Array] ]\n');
      const all = (await run(['show', '--depth=inf', p])).stdout;
      expect(all).to.equal(`${inspect(nested, { depth: Infinity })}\n`);
      expect(all).to.include("'bottom'");
      const wrapped = file('deep-placeholder.pkl', '(((cmymod\nf\nlp0\nlp1\nlp2\n.');
      expect((await run(['show', '--depth', '1', wrapped])).stdout).to.equal('[ [ [Array] ] ]\n');
      expect((await run(['show', '--depth', 'INF', wrapped])).stdout).to.equal(
        '[ [ [ [global mymod.f] ] ] ]\n',
      );
    });

    it('prints every pickle with --all', async () => {
      const three = [dumps({ n: 1 }), dumps([2]), dumps('three', { protocol: 0 })];
      const p = file('all.pkl', Buffer.concat(three));
      expect((await run(['show', p])).stdout).to.equal('{ n: 1 }\n');
      expect((await run(['show', '--all', p])).stdout).to.equal("{ n: 1 }\n[ 2 ]\n'three'\n");
    });

    it('decodes Python 2 str with --encoding', async () => {
      const p = file('py2.pkl', latin1("S'caf\\xe9'\np0\n."));
      expect((await run(['show', '--encoding', 'latin1', p])).stdout).to.equal("'café'\n");
      expect((await run(['show', '--encoding', 'bytes', p])).stdout).to.equal(
        'Uint8Array(4) [ 99, 97, 102, 233 ]\n',
      );
      const r = await run(['show', p]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^copyreg: UnpicklingError: .*'ascii' codec can't decode/);
      expect(r.stderr).to.include('byte 0xe9');
    });

    it('colours the output when stdout is a terminal, or with --color', async () => {
      const p = file('color.pkl', dumps([1, 'a']));
      expect((await run(['show', p])).stdout).to.equal("[ 1, 'a' ]\n");
      expect((await run(['show', p], { colors: true })).stdout).to.include('\x1b[33m1\x1b[39m');
      expect((await run(['show', '--color', p])).stdout).to.include('\x1b[');
      const plain = await run(['show', '--no-color', p], { colors: true });
      expect(plain.stdout).to.equal("[ 1, 'a' ]\n");
    });

    it('reads standard input', async () => {
      expect(await run(['show'], { stdin: dumps({ piped: true }) })).to.deep.equal({
        status: 0,
        stdout: '{ piped: true }\n',
        stderr: '',
      });
    });
  });

  describe('errors: one line on stderr, status 1, nothing on stdout', () => {
    const cases: [string, () => string[], RegExp | string, RunOptions?][] = [
      ['no command', () => [], "no command given (try 'copyreg --help')"],
      ['an unknown command', () => ['frob', 'x'], "unknown command 'frob' (try 'copyreg --help')"],
      [
        'an unknown option',
        () => ['dis', '--bogus'],
        "unknown option '--bogus' (try 'copyreg --help')",
      ],
      [
        'an option of the other command',
        () => ['dis', '--depth', '2'],
        "option --depth applies to 'show' only",
      ],
      ['-a with show', () => ['show', '-a'], "option --annotate applies to 'dis' only"],
      ['a missing value', () => ['show', '--depth'], 'option --depth needs a value'],
      ['a bad number', () => ['dis', '-l', 'x'], "option -l needs a non-negative integer, not 'x'"],
      ['a value given to a flag', () => ['show', '--all=1'], 'option --all takes no value'],
      ['two files', () => ['dis', 'a', 'b'], 'one FILE at most, got 2'],
      [
        'no FILE with a terminal on stdin',
        () => ['show'],
        "no input: give a FILE or pipe a pickle in (try 'copyreg --help')",
        { tty: true },
      ],
      ['a missing file', () => ['dis', '/nonexistent/x.pkl'], /^ENOENT: no such file or directory/],
      ['empty input', () => ['show'], 'UnpicklingError: Ran out of input', { stdin: Buffer.of() }],
      [
        'a truncated pickle (show)',
        () => ['show', '-'],
        'UnpicklingError: pickle data was truncated',
        { stdin: dumps('truncated').subarray(0, 8) },
      ],
      [
        'out-of-band buffers',
        () => ['show', '-'],
        /^UnpicklingError: .*buffers/,
        { stdin: new Uint8Array([0x80, 5, 0x97, 0x2e]) },
      ],
    ];
    for (const [what, argv, message, options] of cases) {
      it(what, async () => {
        const r = await run(argv(), options);
        expect(r.status).to.equal(1);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.match(/^copyreg: [^\n]*\n$/);
        const text = r.stderr.slice('copyreg: '.length, -1);
        if (typeof message === 'string') expect(text).to.equal(message);
        else expect(text).to.match(message);
      });
    }
  });

  it('dis of a malformed pickle prints the listing up to the problem, then the error (as pickletools does)', async () => {
    const unknown = await run(['dis', '-'], { stdin: new Uint8Array([0x80, 5, 0xff]) });
    expect(unknown).to.deep.equal({ status: 1, stdout: '    0: \\x80 PROTO      5\n', stderr: "copyreg: UnpicklingError: at position 2, opcode b'\\xff' unknown\n" });
    const noMark = await run(['dis', '-'], { stdin: latin1('\x80\x05K\x01t.') });
    expect(noMark.status).to.equal(1);
    expect(noMark.stdout).to.equal('    0: \\x80 PROTO      5\n    2: K    BININT1    1\n    4: t    TUPLE      no MARK exists on stack\n');
    expect(noMark.stderr).to.equal('copyreg: UnpicklingError: no MARK exists on stack\n');
  });

  describe('as a program (npx ts-node lib/cli.ts)', () => {
    const env = { ...process.env, NO_COLOR: '1' };

    it('prints what python3 -m pickletools prints for a pickle python3 wrote', function () {
      // Skipped only where python3 is missing (CI has it).
      if (pythonVersion() === undefined) this.skip();
      const p = file('subprocess.pkl');
      const write = spawnSync(PYTHON, [
        '-c',
        `import pickle, sys\nwith open(sys.argv[1], 'wb') as f:\n` +
          `    value = {'k': [1, 2.5, 'v' * 300, (None, True)], 'b': b'\\x00' * 5}\n` +
          `    pickle.dump(value, f, protocol=4)`,
        p,
      ]);
      expect(write.status).to.equal(0);
      const expected = spawnSync(PYTHON, ['-m', 'pickletools', p], { encoding: 'utf8' });
      expect(expected.status).to.equal(0);
      const args = ['ts-node', 'lib/cli.ts', 'dis', p];
      const r = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', env });
      expect(r.stderr).to.equal('');
      expect(r.status).to.equal(0);
      expect(r.stdout).to.equal(expected.stdout);
    });

    it('reads stdin and exits with status 1 and one line on a bad pickle', () => {
      const r = spawnSync('npx', ['ts-node', 'lib/cli.ts', 'show', '-'], {
        cwd: ROOT,
        encoding: 'utf8',
        input: Buffer.from([0x80, 0x05, 0x8c]),
        env: { ...env, TS_NODE_TRANSPILE_ONLY: '1' },
      });
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal('copyreg: UnpicklingError: pickle data was truncated\n');
      expect(r.status).to.equal(1);
    });
  });
});
