// Python literals inside pickles (lib/literals.ts): byte classes, decode_long and the redundant sign
// byte, escape_decode, int(text, 0), and the C unpickler's INT and FLOAT arguments, the last four
// compared with CPython 3 on the same input.
import { expect } from 'chai';

import {
  decodeLong,
  escapeDecode,
  hexDigit,
  isDigit,
  isRedundantLong,
  isSpace,
  parseCFloat,
  parseCInt,
  parseIntBase0,
} from '../lib/literals';
import { fromHex, pyRun, toHex } from './helpers/python';

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('literals', () => {
  describe('isSpace / isDigit / hexDigit', () => {
    it("classify bytes as Python's bytes methods do, and undefined as nothing", () => {
      const spaces = [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d];
      for (let b = 0; b < 256; b++) {
        expect(isSpace(b), `space ${b}`).to.equal(spaces.includes(b));
        expect(isDigit(b), `digit ${b}`).to.equal(b >= 0x30 && b <= 0x39);
        const h = String.fromCharCode(b);
        expect(hexDigit(b), `hex ${b}`).to.equal(/^[0-9a-fA-F]$/.test(h) ? parseInt(h, 16) : -1);
      }
      expect(isSpace(undefined)).to.equal(false);
      expect(isDigit(undefined)).to.equal(false);
      expect(hexDigit(undefined)).to.equal(-1);
    });
  });

  describe('decodeLong / isRedundantLong', () => {
    it('reads two’s-complement little-endian ints of every width, within start..end', () => {
      const cases: [string, bigint][] = [
        ['', 0n], ['00', 0n], ['ff', -1n], ['7f', 127n], ['80', -128n], ['0080', -32768n],
        ['ff7f', 32767n], ['0001', 256n], ['ffffffffffff', -1n], ['000000000080', -(2n ** 47n)],
        ['ffffffffff7f', 2n ** 47n - 1n], ['00000000000080', -(2n ** 55n)],
        ['0100000000000000ff', 1n - 2n ** 64n], ['ffffffffffffffff00', 2n ** 64n - 1n],
      ];
      for (const [hex, value] of cases) {
        const b = fromHex(hex);
        expect(decodeLong(b, 0, b.length), hex).to.equal(value);
        const padded = fromHex('aa' + hex + 'bb');
        expect(decodeLong(padded, 1, 1 + b.length), `padded ${hex}`).to.equal(value);
      }
    });

    it('matches pickle.decode_long on random payloads of 1-40 bytes', () => {
      let seed = 12345;
      const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % 256;
      const payloads: string[] = [];
      for (let n = 1; n <= 40; n++) {
        for (let k = 0; k < 3; k++) payloads.push(toHex(Uint8Array.from({ length: n }, rand)));
      }
      const py = pyRun<string[]>('def main(inp): return [str(pickle.decode_long(unhex(h))) for h in inp]', payloads);
      payloads.forEach((hex, i) => {
        const b = fromHex(hex);
        expect(String(decodeLong(b, 0, b.length)), hex).to.equal(py[i]);
      });
    });

    it('flags a sign byte that a minimal encoding would not need', () => {
      for (const hex of ['00', 'ffff', '0000', '7f00', '80ff', 'ffffffffffff', '0100000000000000']) {
        const b = fromHex(hex);
        expect(isRedundantLong(b, 0, b.length), hex).to.equal(true);
      }
      for (const hex of ['', '01', 'ff', '8000', '7fff', 'ff00', '00ff', '0001', '000000000080']) {
        const b = fromHex(hex);
        expect(isRedundantLong(b, 0, b.length), hex).to.equal(false);
      }
      const inside = fromHex('01800000');
      expect(isRedundantLong(inside, 1, 3)).to.equal(false);
      expect(isRedundantLong(inside, 0, 3)).to.equal(false);
      expect(isRedundantLong(inside, 2, 4)).to.equal(true);
    });
  });

  describe('escapeDecode', () => {
    const decode = (s: string): Uint8Array => {
      const b = bytes(s);
      return escapeDecode(b, 0, b.length, (m) => new RangeError(m));
    };

    it('decodes simple, octal, hex and line-continuation escapes, keeping unknown ones, into a copy', () => {
      expect(toHex(decode('abc'))).to.equal('616263');
      expect(toHex(decode('\\a\\b\\f\\n\\r\\t\\v'))).to.equal('07080c0a0d090b');
      expect(toHex(decode("\\\\\\'\\\""))).to.equal('5c2722');
      expect(toHex(decode('\\0\\101\\1011\\777'))).to.equal('00414131ff');
      expect(toHex(decode('\\x41\\xfF'))).to.equal('41ff');
      expect(toHex(decode('a\\\nb'))).to.equal('6162');
      expect(toHex(decode('\\8\\q'))).to.equal('5c385c71');
      const framed = bytes("'a\\tb'");
      expect(toHex(escapeDecode(framed, 1, framed.length - 1, (m) => new Error(m)))).to.equal('610962');
      // Without escapes: still a copy, never a view of the input.
      const b = bytes('plain');
      const out = escapeDecode(b, 0, b.length, (m) => new Error(m));
      expect(out).to.deep.equal(b);
      expect(out.buffer).to.not.equal(b.buffer);
    });

    it('throws what `fail` makes for a trailing backslash or a bad \\x, with positions from start', () => {
      expect(() => decode('ab\\')).to.throw(RangeError, /^Trailing \\ in string$/);
      expect(() => decode('\\x4')).to.throw(RangeError, /^invalid \\x escape at position 0$/);
      expect(() => decode('ab\\xZZ')).to.throw(RangeError, /^invalid \\x escape at position 2$/);
      const framed = bytes("'ab\\x'");
      expect(() => escapeDecode(framed, 1, framed.length - 1, (m) => new SyntaxError(m))).to.throw(
        SyntaxError,
        /^invalid \\x escape at position 2$/,
      );
    });

    it('matches codecs.escape_decode, bytes or error message', () => {
      const cases = [
        'abc', '\\n\\t', '\\101\\7\\07\\007\\0077', '\\400', '\\x00\\x7f\\x80', '\\xAb', '\\x',
        '\\x1', 'x\\xg0', 'end\\', '\\\\\\', '\\\n', '\\9\\z\\ ', '\u00e9\\\u00ff',
      ];
      const py = pyRun<string[]>(
        `
import codecs
def main(inp):
    out = []
    for h in inp:
        try: out.append('ok ' + tohex(codecs.escape_decode(unhex(h))[0]))
        except ValueError as e: out.append('error ' + str(e))
    return out
`,
        cases.map((c) => toHex(bytes(c))),
      );
      cases.forEach((c, i) => {
        let ours: string;
        try {
          ours = 'ok ' + toHex(decode(c));
        } catch (e) {
          ours = 'error ' + (e as Error).message;
        }
        expect(ours, JSON.stringify(c)).to.equal(py[i]);
      });
    });
  });

  describe('parseIntBase0', () => {
    it("matches int(text, 0) on ASCII literals, undefined where Python raises", () => {
      const cases = [
        '0', '00', '0_0', '-0', '+7', ' 12 ', '\t-0x1F\n', '0o17', '0O17', '0b101', '0B_1', '1_000',
        '1__0', '_1', '1_', '0x_f', '0x', '0o8', '010', '1e3', '', ' ', '+', '- 1', '0_7', '1.0',
        '0xg', '12345678901234567890123456789', '-0x' + 'f'.repeat(40), '\v\f7\r',
      ];
      const py = pyRun<(string | null)[]>(
        `
def main(inp):
    out = []
    for s in inp:
        try: out.append(str(int(s, 0)))
        except ValueError: out.append(None)
    return out
`,
        cases,
      );
      cases.forEach((s, i) => {
        const v = parseIntBase0(s);
        expect(v === undefined ? null : String(v), JSON.stringify(s)).to.equal(py[i]);
      });
      expect(parseIntBase0('0x10')).to.equal(16n);
    });
  });

  describe('parseCInt', () => {
    it("loads as pickle's INT opcode does: bools for 00/01, C octal and hex, big ints", () => {
      const cases = [
        '0', '1', '00', '01', '-1', '+1', ' 1', '02', '010', '0x1f', '-0x10', '0o7', '0b1', '1_0',
        '12 ', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
        '-9223372036854775809', '99999999999999999999999', '08', '0x', 'abc', '1.5', '--1',
      ];
      const py = pyRun<string[]>(
        `
def main(inp):
    out = []
    for s in inp:
        try:
            v = pickle.loads(b'I' + s.encode('ascii') + b'\\n.')
            out.append(('bool ' if isinstance(v, bool) else 'int ') + str(v))
        except ValueError:
            out.append('invalid')
    return out
`,
        cases,
      );
      cases.forEach((s, i) => {
        const b = bytes(s);
        const v = parseCInt(b, 0, b.length);
        const ours = v === undefined ? 'invalid' : typeof v === 'boolean' ? `bool ${v ? 'True' : 'False'}` : `int ${v}`;
        expect(ours, JSON.stringify(s)).to.equal(py[i]);
      });
    });

    it('reads only start..end', () => {
      const b = bytes('I01\n');
      expect(parseCInt(b, 1, 3)).to.equal(true);
      expect(parseCInt(b, 2, 3)).to.equal(1n);
      expect(parseCInt(b, 1, 2)).to.equal(0n);
    });
  });

  describe('parseCFloat', () => {
    it("loads as pickle's FLOAT opcode does: undefined for ValueError, null for OverflowError", () => {
      const cases = [
        '1.5', '-0.0', '1e308', '1.7976931348623157e308', '1e309', '-1e309', '1e-400', 'inf',
        '-inf', 'nan', 'Infinity', '+NaN', 'iNf', '.5', '5.', '0', '-12', '1_0.0', ' 1.0', '1.0 ',
        '1e', '0x1p3', 'infinit', 'e5', '.', '+-1', '5e-324', '2.2250738585072014e-308',
      ];
      const py = pyRun<string[]>(
        `
def main(inp):
    out = []
    for s in inp:
        try:
            v = pickle.loads(b'F' + s.encode('ascii') + b'\\n.')
            out.append('nan' if v != v else v.hex())
        except ValueError:
            out.append('invalid')
        except OverflowError:
            out.append('overflow')
    return out
`,
        cases,
      );
      // float.hex() of a double, written from JS: exact, and tells -0.0 from 0.0.
      const hex = (v: number): string => {
        if (Number.isNaN(v)) return 'nan';
        if (v === Infinity) return 'inf';
        if (v === -Infinity) return '-inf';
        if (v === 0) return Object.is(v, -0) ? '-0x0.0p+0' : '0x0.0p+0';
        const view = new DataView(new ArrayBuffer(8));
        view.setFloat64(0, v);
        const hi = view.getUint32(0);
        const lo = view.getUint32(4);
        const sign = hi >>> 31 ? '-' : '';
        const exp = (hi >>> 20) & 0x7ff;
        const mant = ((BigInt(hi & 0xfffff) << 32n) | BigInt(lo)).toString(16).padStart(13, '0');
        return exp === 0 ? `${sign}0x0.${mant}p-1022` : `${sign}0x1.${mant}p${exp - 1023 >= 0 ? '+' : ''}${exp - 1023}`;
      };
      cases.forEach((s, i) => {
        const b = bytes(s);
        const v = parseCFloat(b, 0, b.length);
        const ours = v === undefined ? 'invalid' : v === null ? 'overflow' : hex(v);
        expect(ours, JSON.stringify(s)).to.equal(py[i]);
      });
    });

    it('keeps the sign of zero and reads only start..end', () => {
      const b = bytes('F-0.0\n');
      expect(Object.is(parseCFloat(b, 1, 5), -0)).to.equal(true);
      expect(parseCFloat(b, 2, 5)).to.equal(0);
      expect(parseCFloat(b, 1, 6)).to.equal(undefined);
    });
  });
});
