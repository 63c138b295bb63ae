import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { expect } from 'chai';

import { dis, DisassemblyError } from '../lib/dis';
import { dumps } from '../lib/index';
import { UnpicklingError } from '../lib/errors';
import { OPCODE_INFO } from '../lib/opcodes';

interface Case {
  id: string;
  hex: string;
  annotate?: number;
  indent?: number;
}

interface Expected {
  text?: string;
  error?: string;
}

// Runs every case through CPython's pickletools.dis in one process. For annotated cases the
// opcode docs are swapped for ours first, so the comparison checks layout, not wording.
const PYTHON = `
import io, json, pickletools, sys
request = json.load(sys.stdin)
for op in pickletools.opcodes:
    op.doc = request['docs'][op.name]
result = {}
for case in request['cases']:
    out = io.StringIO()
    try:
        pickletools.dis(bytes.fromhex(case['hex']), out,
                        annotate=case.get('annotate', 0), indentlevel=case.get('indent', 4))
        result[case['id']] = {'text': out.getvalue()}
    except Exception as exc:
        result[case['id']] = {'error': str(exc)}
json.dump(result, sys.stdout)
`;

function runPython(cases: readonly Case[]): Record<string, Expected> {
  const docs = Object.fromEntries(OPCODE_INFO.map((info) => [info.name, info.doc]));
  const output = execFileSync('python3', ['-c', PYTHON], {
    input: JSON.stringify({ docs, cases }),
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(output) as Record<string, Expected>;
}

function fixture(name: string): { name: string; protocol?: number; hex: string | null }[] {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as {
    name: string;
    protocol?: number;
    hex: string | null;
  }[];
}

function ascii(text: string): string {
  return Buffer.from(text, 'latin1').toString('hex');
}

// Hand-made inputs for corners the fixture files do not reach.
const EXTRA: Record<string, string> = {
  'mark popped by TUPLE1, then TUPLE': '28857474' + '2e',
  'POP of a bare MARK': '28304e2e',
  'DUP of a MARK': '28324e742e',
  'PUT 01 reads as True': ascii('Np01\ng1\n0.'),
  'MEMOIZE onto an index PUT already used': ascii('Np1\n') + '942e',
  'GET of a missing key': ascii('g7\n.'),
  'STRING with escapes': ascii("S'\\x41\\101\\7\\q\\n\\\\\\''\n."),
  'STRING with a bad \\x escape': ascii("S'ab\\xg1'\n."),
  'STRING with a trailing backslash': ascii("S'\\'\n."),
  'STRING that is not ASCII after escapes': ascii("S'\\xff'\n."),
  'STRING octal above 0o377': ascii("S'\\777\\400'\n."),
  'STRING in double quotes': ascii('S"it\'s"\n.'),
  'STRING with one quote char': ascii('S"\n.'),
  'GLOBAL with escapes': ascii('cmod\\x41\nname\\t\n.'),
  'GLOBAL missing its second line': ascii('cmod\n'),
  'PERSID': ascii('Pabc\n.'),
  'UNICODE with escapes and latin-1': ascii('Va\\u00e9\\U0001f600\\\\u0041\u00ff\\x\n.'),
  'UNICODE truncated escape': ascii('Vab\\u12g\n.'),
  'UNICODE escape out of range': ascii('V\\U00110000\n.'),
  'UNICODE lone surrogate': ascii('V\\udc80\n.'),
  'FLOAT forms': ascii('(F1e500\nF-nan\nF 1_0.5 \nF.5\nF5.\nF-InFiNiTy\nF1e-7\nF123e20\nl.'),
  'FLOAT double underscore': ascii('F1__0\n.'),
  'FLOAT underscore before dot': ascii('F1_.5\n.'),
  'FLOAT hex': ascii('F0x10\n.'),
  'INT forms': ascii('(I-0\nI+12\nI 1_000 \nI007\nI00\nI01\nL-123L\nL5\nl.'),
  'INT with trailing L': ascii('I12L\n.'),
  'INT with leading underscore': ascii('I_1\n.'),
  'INT with 4301 digits': ascii(`I${'1'.repeat(4301)}\n.`),
  'INT with 4300 digits': ascii(`I${'9'.repeat(4300)}\n.`),
  'INT too long and junk': ascii(`I${'1'.repeat(4301)}x\n.`),
  'INT junk over 200 bytes': ascii(`I${'\u00ff'.repeat(150)}\n.`),
  'LONG4 just under the digit limit': '8b' + 'f9060000' + 'ff'.repeat(1784) + '7f' + '2e',
  'LONG4 over the digit limit': '8b' + 'fb060000' + 'ff'.repeat(1786) + '7f' + '2e',
  'LONG4 far over the digit limit': '8b' + '00100000' + '00'.repeat(4095) + '01' + '2e',
  'LONG1 negative': '8a02' + '0080' + '2e',
  'LONG1 zero length': '8a00' + '2e',
  'BINFLOAT specials': '28' + ['7ff8000000000000', 'fff8000000000001', '8000000000000000',
    '4341c37937e08000', '0000000000000001', '7fefffffffffffff', '3ee4f8b588e368f1']
    .map((h) => '47' + h).join('') + '6c2e',
  'BINUNICODE split surrogates stay apart when not a pair': '58' + '03000000' + 'eda080' + '2e',
  'SHORT_BINUNICODE overlong': '8c02c0af2e',
  'SHORT_BINUNICODE truncated 3-byte': '8c02e2822e',
  'SHORT_BINUNICODE encoded surrogate then ASCII': '8c03eda0412e',
  'SHORT_BINUNICODE above U+10FFFF': '8c04f49080802e',
  'SHORT_BINUNICODE emoji and printable/non-printable mix':
    '8c' + '11' + 'f09f9880c2a0c2adcdb8e2808be280a82e' + '2e',
  'FRAME with a huge size': '95ffffffffffffff7f' + '4e2e',
  'BINBYTES8 with a huge size': '8e0000000000000001' + '2e',
  'bytes after STOP are ignored': '4e2effff',
  'two items left after STOP': '4e4e2e',
  'empty input': '',
};

describe('dis', () => {
  it('write: receives the listing in pieces (dis returns ""), and a malformed tail as the error\'s partial', () => {
    const big = dumps(Array.from({ length: 20000 }, (_, i) => ({ [`k${i}`]: [i, `v${i}`] })), { protocol: 4 });
    const pieces: string[] = [];
    expect(dis(big, { write: (t) => pieces.push(t) })).to.equal('');
    expect(pieces.length).to.be.greaterThan(2);
    expect(pieces.join('')).to.equal(dis(big));
    const truncated = big.subarray(0, big.length - 3);
    const got: string[] = [];
    let error: unknown;
    try {
      dis(truncated, { write: (t) => got.push(t) });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DisassemblyError);
    let whole: DisassemblyError | undefined;
    try {
      dis(truncated);
    } catch (e) {
      whole = e as DisassemblyError;
    }
    expect(got.join('') + (error as DisassemblyError).partial).to.equal(whole!.partial);
  });

  it('a deeply nested pickle: pieces are bounded in characters, and a listing too long for one string is a DisassemblyError', () => {
    // Lines are indented once per open MARK, so the listing grows with the square of the depth.
    const depth = 2000;
    const nested = Uint8Array.from(Buffer.from('\x80\x02' + '('.repeat(depth) + 'N' + 'K\x01K\x02K\x03t'.repeat(depth) + '.', 'latin1'));
    const pieces: string[] = [];
    dis(nested, { write: (t) => pieces.push(t) });
    const longestLine = 4 * depth + 64;
    for (const piece of pieces) expect(piece.length).to.be.at.most((1 << 20) + longestLine);
    expect(pieces.join('')).to.equal(dis(nested));
    // 20,000 open MARKs would list 800 million characters, past what one JS string holds.
    const marks = new Uint8Array(20_000).fill(0x28);
    let error: unknown;
    try {
      dis(marks);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DisassemblyError);
    expect((error as DisassemblyError).message).to.include('pass options.write');
    expect((error as DisassemblyError).partial.length).to.be.at.most(1 << 28);
  });

  let expected: Record<string, Expected>;
  const vectors = fixture('cpython-pickle-vectors.json').filter((v) => v.hex !== null);
  const bad = fixture('cpython-bad-pickles.json');
  const cases: Case[] = [
    ...vectors.map((v, i) => ({ id: `vector ${i}`, hex: v.hex as string })),
    ...bad.map((v, i) => ({ id: `bad ${i}`, hex: v.hex as string })),
    ...Object.entries(EXTRA).map(([id, hex]) => ({ id, hex })),
    { id: 'annotate 1', hex: vectors[200].hex as string, annotate: 1 },
    { id: 'annotate 30 nested', hex: ascii('((N(I1\nI2\nttt.'), annotate: 30 },
    { id: 'annotate 60 with emoji', hex: '8c04f09f98802e', annotate: 60 },
    { id: 'indent 0', hex: ascii('((N(I1\nI2\nttt.'), indent: 0 },
    { id: 'indent 2', hex: ascii('((N(I1\nI2\nttt.'), indent: 2 },
  ];

  before(function () {
    this.timeout(30000);
    expected = runPython(cases);
  });

  function check(c: Case): void {
    const want = expected[c.id];
    const data = Uint8Array.from(Buffer.from(c.hex, 'hex'));
    const options = { annotate: c.annotate, indentLevel: c.indent };
    if (want.text !== undefined) {
      expect(dis(data, options), c.id).to.equal(want.text);
    } else {
      expect(() => dis(data, options), c.id)
        .to.throw(UnpicklingError)
        .with.property('message', want.error);
    }
  }

  it('matches pickletools.dis for every CPython vector', () => {
    expect(vectors.length).to.be.greaterThan(500);
    for (const c of cases.filter((x) => x.id.startsWith('vector '))) check(c);
  });

  it('matches pickletools.dis output or error for every bad pickle', () => {
    for (const c of cases.filter((x) => x.id.startsWith('bad '))) check(c);
  });

  for (const id of Object.keys(EXTRA)) {
    it(`matches pickletools.dis: ${id}`, () => check(cases.find((c) => c.id === id) as Case));
  }

  it('lays out annotations and indentation like pickletools', () => {
    for (const c of cases.filter((x) => x.annotate !== undefined || x.indent !== undefined)) {
      expect(expected[c.id].text, c.id).to.be.a('string');
      check(c);
    }
  });

  it('prints the documented listing for [1, 2] at protocol 4', () => {
    const data = Uint8Array.from(Buffer.from('80049509000000000000005d94284b014b02652e', 'hex'));
    expect(dis(data)).to.equal(
      [
        '    0: \\x80 PROTO      4',
        '    2: \\x95 FRAME      9',
        '   11: ]    EMPTY_LIST',
        '   12: \\x94 MEMOIZE    (as 0)',
        '   13: (    MARK',
        '   14: K        BININT1    1',
        '   16: K        BININT1    2',
        '   18: e        APPENDS    (MARK at 13)',
        '   19: .    STOP',
        'highest protocol among opcodes = 4',
        '',
      ].join('\n'),
    );
  });
});
