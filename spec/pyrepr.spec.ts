import { execFileSync } from 'node:child_process';

import { expect } from 'chai';
import fc from 'fast-check';

import { pyBytesRepr, pyFloatRepr, pyIsPrintable, pyStrRepr } from '../lib/pyrepr';

// Python computes every expected repr in one process; floats travel as their IEEE-754 bits so
// NaN, infinities and -0.0 survive JSON.
const PYTHON = `
import json, struct, sys
request = json.load(sys.stdin)
runs, current, length = [], False, 0
for cp in range(0x110000):
    printable = chr(cp).isprintable()
    if printable == current:
        length += 1
    else:
        runs.append(length)
        current, length = printable, 1
runs.append(length)
json.dump({
    'floats': [repr(struct.unpack('>d', bytes.fromhex(h))[0]) for h in request['floats']],
    'strs': [repr(s) for s in request['strs']],
    'bytes': [repr(bytes.fromhex(h)) for h in request['bytes']],
    'printableRuns': runs,
}, sys.stdout)
`;

function floatBits(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x, false);
  return view.getBigUint64(0, false).toString(16).padStart(16, '0');
}

function bitsToFloat(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits, false);
  return view.getFloat64(0, false);
}

const KNOWN_FLOATS: [number, string][] = [
  [0, '0.0'],
  [-0, '-0.0'],
  [1, '1.0'],
  [100, '100.0'],
  [1e15, '1000000000000000.0'],
  [9999999999999998, '9999999999999998.0'],
  [1e16, '1e+16'],
  [1.2345678901234568e16, '1.2345678901234568e+16'],
  [1e21, '1e+21'],
  [1e22, '1e+22'],
  [123456789012345680000, '1.2345678901234568e+20'],
  [0.0001, '0.0001'],
  [0.00012, '0.00012'],
  [1e-5, '1e-05'],
  [1.5e-7, '1.5e-07'],
  [1e-7, '1e-07'],
  [5e-324, '5e-324'],
  [1.7976931348623157e308, '1.7976931348623157e+308'],
  [0.1, '0.1'],
  [1 / 3, '0.3333333333333333'],
  [-2.5, '-2.5'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
  [NaN, 'nan'],
];

const anyDouble = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(bitsToFloat),
  fc.double(),
  fc.integer().map((n) => n * 10 ** (n % 30)),
  fc.constantFrom(1e15, 1e16, 1e17, 1e-4, 1e-5, 123.456, 2 ** 53, 2 ** 63, 2 ** 64),
);

const anyStr = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({
    unit: fc.constantFrom("'", '"', '\\', '\n', '\t', '\r', '\x7f', 'a', '\u00a0'),
    maxLength: 8,
  }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x3ff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)) }),
);

describe('pyrepr', () => {
  const floats = [
    ...KNOWN_FLOATS.map(([x]) => x),
    ...fc.sample(anyDouble, { seed: 1234, numRuns: 3000 }),
  ];
  const strs = [
    '',
    "it's",
    'say "hi"',
    'both \' and "',
    'caf\u00e9 \u00ad\u0378 \u200b\u2028 \ud83d\ude00 \udc80 \ud800x \u{10ffff} \u{e0001}',
    ...fc.sample(anyStr, { seed: 99, numRuns: 600 }),
  ];
  const byteStrings = [
    new Uint8Array(),
    Uint8Array.from({ length: 256 }, (_, i) => i),
    Uint8Array.from(Buffer.from("it's")),
    Uint8Array.from(Buffer.from('\'"')),
    ...fc.sample(fc.uint8Array({ maxLength: 12 }), { seed: 5, numRuns: 300 }),
  ];
  let python: { floats: string[]; strs: string[]; bytes: string[]; printableRuns: number[] };

  before(function () {
    this.timeout(30000);
    const request = {
      floats: floats.map(floatBits),
      strs,
      bytes: byteStrings.map((b) => Buffer.from(b).toString('hex')),
    };
    const output = execFileSync('python3', ['-c', PYTHON], {
      input: JSON.stringify(request),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    python = JSON.parse(output) as typeof python;
  });

  describe('pyFloatRepr', () => {
    for (const [x, text] of KNOWN_FLOATS) {
      it(`writes ${text}`, () => expect(pyFloatRepr(x)).to.equal(text));
    }

    it('matches repr(float) for thousands of doubles', () => {
      floats.forEach((x, i) => {
        expect(pyFloatRepr(x), floatBits(x)).to.equal(python.floats[i]);
      });
    });
  });

  describe('pyStrRepr', () => {
    it('chooses quotes and escapes like Python', () => {
      expect(pyStrRepr("it's")).to.equal(`"it's"`);
      expect(pyStrRepr('both \' and "')).to.equal(`'both \\' and "'`);
      expect(pyStrRepr('a\tb\n\\\x00\x7f\u00e9')).to.equal("'a\\tb\\n\\\\\\x00\\x7f\u00e9'");
      expect(pyStrRepr('\ud800')).to.equal("'\\ud800'");
      expect(pyStrRepr('\ud83d\ude00')).to.equal("'\ud83d\ude00'");
    });

    it('matches repr(str) for generated strings', () => {
      strs.forEach((s, i) => {
        expect(pyStrRepr(s), JSON.stringify(s)).to.equal(python.strs[i]);
      });
    });
  });

  describe('pyBytesRepr', () => {
    it('writes b-prefixed literals', () => {
      expect(pyBytesRepr(Uint8Array.from([0x61, 0x27, 0x00, 0xff]))).to.equal(`b"a'\\x00\\xff"`);
      expect(pyBytesRepr(Uint8Array.from([0x61, 0x62, 0x63, 0x64]), 1, 3)).to.equal("b'bc'");
    });

    it('matches repr(bytes) for generated byte strings', () => {
      byteStrings.forEach((b, i) => {
        expect(pyBytesRepr(b), Buffer.from(b).toString('hex')).to.equal(python.bytes[i]);
      });
    });
  });

  describe('pyIsPrintable', () => {
    it('agrees with str.isprintable() of Python 3.11 on every code point', () => {
      const runs: number[] = [];
      let current = false;
      let length = 0;
      for (let cp = 0; cp < 0x110000; cp++) {
        if (pyIsPrintable(cp) === current) {
          length++;
        } else {
          runs.push(length);
          current = !current;
          length = 1;
        }
      }
      runs.push(length);
      expect(runs).to.deep.equal(python.printableRuns);
    });
  });
});
