// The pickler's atoms (lib/pickler-atoms.ts): writeInt, writeFloat and writeStr must give
// CPython's own opcode bytes at every protocol, and JS bigints in the safe range must keep the
// redundant encoding that makes them load back as bigints.
import { expect } from 'chai';

import { PicklingError } from '../lib/errors';
import { loads } from '../lib/pickle';
import { encodeLong, writeFloat, writeInt, writeStr } from '../lib/pickler-atoms';
import { decodeLong } from '../lib/literals';
import { Output } from '../lib/output';

import { pyRun, toHex } from './helpers/python';

const PROTOCOLS = [0, 1, 2, 3, 4, 5];

/** The bytes one call writes into a fresh Output. */
function atom(write: (out: Output) => void): Uint8Array {
  const out = new Output();
  out.reset();
  write(out);
  return out.finish();
}

/** A whole pickle around an atom: PROTO (2+), the atom, STOP. */
function wrap(protocol: number, bytes: Uint8Array): Uint8Array {
  const head = protocol >= 2 ? [0x80, protocol] : [];
  return Uint8Array.from([...head, ...bytes, 0x2e]);
}

// CPython's bytes for one value: the opcode pickle.dumps writes for it, without PROTO, FRAME,
// memo opcodes and STOP. Values arrive as [kind, text] so that ints and odd floats survive JSON.
const CPYTHON_ATOMS = String.raw`
import pickletools
def value(kind, text):
    return int(text) if kind == 'int' else float(text) if kind == 'float' else text
def main(inp):
    out = []
    for kind, text, protocol in inp:
        data = pickle.dumps(value(kind, text), protocol=protocol)
        ops = [(op.name, pos) for op, arg, pos in pickletools.genops(data)]
        ops.append(('END', len(data)))
        for i, (name, pos) in enumerate(ops):
            if name not in ('PROTO', 'FRAME'):
                out.append(tohex(data[pos:ops[i + 1][1]]))
                break
    return out
`;

/** Python's float text as a JS number ('inf' and 'nan' included). */
function jsFloat(text: string): number {
  return text === 'inf' ? Infinity : text === '-inf' ? -Infinity : text === 'nan' ? NaN : Number(text);
}

function cpython(cases: [string, string, number][]): string[] {
  return pyRun<string[]>(CPYTHON_ATOMS, cases);
}

describe('pickler-atoms', () => {
  describe('writeInt', () => {
    it("writes numbers as CPython writes the same int, at every protocol", () => {
      const values = [
        0, 1, 255, 256, 65535, 65536, -1, -255, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1,
        2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1),
      ];
      const cases: [string, string, number][] = [];
      for (const v of values) for (const p of PROTOCOLS) cases.push(['int', String(v), p]);
      const expected = cpython(cases);
      cases.forEach(([, text, p], i) => {
        expect(toHex(atom((out) => writeInt(out, p, Number(text)))), `${text} at protocol ${p}`).to.equal(expected[i]);
      });
    });

    it('writes safe integers beyond 32 bits as CPython does, at every byte length and sign (random values)', () => {
      let seed = 11;
      const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const values: number[] = [2 ** 47 - 1, -(2 ** 47), 2 ** 47, -(2 ** 47) - 1, 2 ** 39, -(2 ** 39) - 1, 255 * 2 ** 40, -(255 * 2 ** 40)];
      for (let i = 0; i < 400; i++) {
        const v = Math.floor(next() * 2 ** (32 + (i % 21))) + 2 ** 31;
        values.push(i % 2 === 0 ? v : -v - 1);
      }
      const cases: [string, string, number][] = values.map((v) => ['int', String(v), 2]);
      const expected = cpython(cases);
      cases.forEach(([, text], i) => {
        expect(toHex(atom((out) => writeInt(out, 2, Number(text)))), text).to.equal(expected[i]);
        expect(loads(wrap(2, atom((out) => writeInt(out, 2, Number(text))))), text).to.equal(Number(text));
      });
    });

    it('writes bigints outside the safe range as CPython does, LONG4 past 255 bytes', () => {
      const values = [2n ** 53n, -(2n ** 53n), 2n ** 64n, -(2n ** 64n), 2n ** 63n - 1n, 12345678901234567890n, 2n ** 2100n, -(3n ** 1400n)];
      const cases: [string, string, number][] = [];
      for (const v of values) for (const p of PROTOCOLS) cases.push(['int', String(v), p]);
      const expected = cpython(cases);
      cases.forEach(([, text, p], i) => {
        expect(toHex(atom((out) => writeInt(out, p, BigInt(text)))), `${text} at protocol ${p}`).to.equal(expected[i]);
      });
      expect(atom((out) => writeInt(out, 2, 2n ** 2100n))[0]).to.equal(0x8b); // LONG4
    });

    it('marks safe-range bigints with a redundant sign byte (2+) or no trailing L (0-1); Python reads the same int', () => {
      expect(toHex(atom((out) => writeInt(out, 2, 5n)))).to.equal('8a020500');
      expect(toHex(atom((out) => writeInt(out, 2, -1n)))).to.equal('8a02ffff');
      expect(toHex(atom((out) => writeInt(out, 2, 0n)))).to.equal('8a0100');
      expect(toHex(atom((out) => writeInt(out, 2, 128n)))).to.equal('8a03800000');
      expect(new TextDecoder().decode(atom((out) => writeInt(out, 0, 5n)))).to.equal('L5\n');
      expect(new TextDecoder().decode(atom((out) => writeInt(out, 1, -7n)))).to.equal('L-7\n');
      const values = [0n, 5n, -1n, 128n, -129n, 2n ** 53n - 1n, -(2n ** 53n - 1n)];
      const pickles: string[] = [];
      for (const v of values) {
        for (const p of PROTOCOLS) {
          const data = wrap(p, atom((out) => writeInt(out, p, v)));
          expect(loads(data), `${v} at protocol ${p}`).to.equal(v);
          pickles.push(toHex(data));
        }
      }
      const read = pyRun<string[]>('def main(inp): return [str(pickle.loads(unhex(h))) for h in inp]', pickles);
      expect(read).to.deep.equal(values.flatMap((v) => PROTOCOLS.map(() => String(v))));
      // A number in the same range is not marked, and loads as a number.
      expect(loads(wrap(2, atom((out) => writeInt(out, 2, 2 ** 40))))).to.equal(2 ** 40);
    });

    it('refuses ints over 4300 digits as text (protocols 0-1), and writes them in binary from protocol 2', () => {
      const big = 10n ** 4300n;
      for (const p of [0, 1]) {
        expect(() => atom((out) => writeInt(out, p, big))).to.throw(PicklingError, 'Exceeds the limit (4300 digits)');
        expect(() => atom((out) => writeInt(out, p, -big))).to.throw(PicklingError, 'needs protocol 2 or higher');
      }
      expect(loads(wrap(2, atom((out) => writeInt(out, 2, big))))).to.equal(big);
      const limit = 10n ** 4299n; // exactly 4300 digits: still allowed
      expect(loads(wrap(0, atom((out) => writeInt(out, 0, limit))))).to.equal(limit);
    });
  });

  describe('encodeLong', () => {
    it("gives Python's encode_long bytes for random values of 1 to 300 bits, and decodeLong reads them back", () => {
      let seed = 5;
      const next = (): bigint => BigInt((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 2);
      const values: bigint[] = [(1n << 255n) - 1n, -(1n << 255n), 1n << 255n, -(1n << 255n) - 1n, (1n << 63n) - 1n, -(1n << 63n)];
      for (let i = 0; i < 600; i++) {
        let v = 0n;
        for (let b = 0; b < 1 + (i % 300); b += 30) v = (v << 30n) | next();
        values.push(BigInt.asIntN(1 + (i % 300), v) || 1n);
      }
      const expected = pyRun<string[]>('def main(inp): return [tohex(pickle.encode_long(int(v))) for v in inp]', values.map(String));
      values.forEach((v, i) => {
        const bytes = encodeLong(v);
        expect(toHex(Uint8Array.from(bytes)), String(v)).to.equal(expected[i]);
        expect(decodeLong(Uint8Array.from(bytes), 0, bytes.length), String(v)).to.equal(v);
      });
    });

    it("gives Python's encode_long bytes", () => {
      expect(encodeLong(0n)).to.deep.equal([]);
      expect(encodeLong(127n)).to.deep.equal([0x7f]);
      expect(encodeLong(128n)).to.deep.equal([0x80, 0x00]);
      expect(encodeLong(-128n)).to.deep.equal([0x80]);
      expect(encodeLong(-129n)).to.deep.equal([0x7f, 0xff]);
      expect(encodeLong(255n)).to.deep.equal([0xff, 0x00]);
      expect(encodeLong(-256n)).to.deep.equal([0x00, 0xff]);
      expect(encodeLong(65536n)).to.deep.equal([0x00, 0x00, 0x01]);
    });
  });

  describe('writeFloat', () => {
    it('writes BINFLOAT from protocol 1 and FLOAT with repr at 0, as CPython', () => {
      const texts = ['0.0', '-0.0', '1.5', '0.1', '1e+16', '1e-05', '123456789.0', '1e300', '5e-324', '2.2250738585072014e-308', 'inf', '-inf', 'nan'];
      const cases: [string, string, number][] = [];
      for (const t of texts) for (const p of PROTOCOLS) cases.push(['float', t, p]);
      const expected = cpython(cases);
      cases.forEach(([, text, p], i) => {
        expect(toHex(atom((out) => writeFloat(out, p, jsFloat(text)))), `${text} at protocol ${p}`).to.equal(expected[i]);
      });
      expect(new TextDecoder().decode(atom((out) => writeFloat(out, 0, 1e22)))).to.equal('F1e+22\n');
    });
  });

  describe('writeStr', () => {
    it('writes every length class as CPython does: SHORT_BINUNICODE / BINUNICODE / UNICODE, escapes and all', () => {
      const texts = [
        '', 'abc', 'é', '\u{1F600}', 'a\\b\nc\r\x1a\0d', '\u0100\uffff', '\x7f\xff',
        'x'.repeat(85), 'x'.repeat(86), 'é'.repeat(85), 'é'.repeat(128), '€'.repeat(85), '€'.repeat(86),
        'x'.repeat(255), 'x'.repeat(256), 'y'.repeat(21845), 'z'.repeat(21846),
      ];
      const cases: [string, string, number][] = [];
      for (const t of texts) for (const p of PROTOCOLS) cases.push(['str', t, p]);
      const expected = cpython(cases);
      cases.forEach(([, text, p], i) => {
        const label = `${JSON.stringify(text.slice(0, 12))} (length ${text.length}) at protocol ${p}`;
        expect(toHex(atom((out) => writeStr(out, p, text))), label).to.equal(expected[i]);
      });
    });

    it('writes lone surrogates as surrogatepass / raw-unicode-escape, and long texts as BINUNICODE', () => {
      const texts = ['\ud800', 'a\udfffb', '\udc00\ud800', 'q'.repeat(70_000), 'é'.repeat(40_000)];
      const cases: [string, string, number][] = [];
      for (const t of texts) for (const p of PROTOCOLS) cases.push(['str', t, p]);
      const expected = cpython(cases);
      cases.forEach(([, text, p], i) => {
        const got = atom((out) => writeStr(out, p, text));
        expect(toHex(got), `${JSON.stringify(text.slice(0, 4))} (length ${text.length}) at protocol ${p}`).to.equal(expected[i]);
        expect(loads(wrap(p, got))).to.equal(text);
      });
    });

    it('appends after what is already written, growing the buffer', () => {
      const out = new Output();
      out.reset();
      out.byte(0x28); // MARK
      writeStr(out, 4, 'é'.repeat(80));
      writeStr(out, 4, 'ab');
      const bytes = out.finish();
      expect(bytes[0]).to.equal(0x28);
      expect(bytes[1]).to.equal(0x8c);
      expect(bytes[2]).to.equal(160);
      expect(toHex(bytes.subarray(163))).to.equal('8c026162');
      expect(bytes.length).to.equal(1 + 2 + 160 + 4);
    });
  });
});
