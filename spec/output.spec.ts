// The pickler's output buffer (lib/output.ts): the fixed-width fields, UTF-8 text, growth, patching,
// protocol 4 framing (small frames dropped, frames closed at 64 KiB, large payloads outside frames)
// and the spare buffer shared between dumps.
import { expect } from 'chai';

import { Output } from '../lib/output';
import { fromHex, pyRun, toHex } from './helpers/python';

const FRAME = 0x95;
const TARGET = 64 * 1024;

/** A fresh output, as a dump starts one. */
function output(): Output {
  const out = new Output();
  out.reset();
  return out;
}

/** The 9-byte FRAME header for `n` bytes. */
function frameHeader(n: number): string {
  const b = new Uint8Array(9);
  b[0] = FRAME;
  new DataView(b.buffer).setBigUint64(1, BigInt(n), true);
  return toHex(b);
}

describe('output', () => {
  describe('Output fields', () => {
    it('writes bytes, ASCII and little-endian ints, and the float big-endian', () => {
      const out = output();
      out.byte(0x80);
      out.byte2(0x02, 0x4b);
      out.bytes(Uint8Array.of(1, 2, 3));
      out.ascii('I42\n');
      out.u16(0x1234);
      out.u32(0xdeadbeef);
      out.i32(-2);
      out.f64be(1.5);
      expect(toHex(out.finish())).to.equal(
        '80024b' + '010203' + '4934320a' + '3412' + 'efbeadde' + 'feffffff' + '3ff8000000000000',
      );
    });

    it('writes u64 lengths beyond 32 bits exactly', () => {
      const out = output();
      out.u64(0);
      out.u64(2 ** 32);
      out.u64(2 ** 40 + 0x0102);
      out.u64(Number.MAX_SAFE_INTEGER);
      expect(toHex(out.finish())).to.equal(
        '0000000000000000' + '0000000001000000' + '0201000000010000' + 'ffffffffffff1f00',
      );
    });

    it('encodes UTF-8 with surrogatepass and returns the byte count', () => {
      const out = output();
      expect(out.utf8('aé€😀')).to.equal(1 + 2 + 3 + 4);
      expect(out.utf8('\ud800')).to.equal(3);
      expect(out.utf8('')).to.equal(0);
      expect(toHex(out.finish())).to.equal('61' + 'c3a9' + 'e282ac' + 'f09f9880' + 'eda080');
    });

    it('patches a 32-bit length written before its payload', () => {
      const out = output();
      out.byte(0x58);
      const at = out.pos;
      out.u32(0);
      const n = out.utf8('héllo');
      out.patchU32(at, n);
      expect(toHex(out.finish())).to.equal('58' + '06000000' + '68c3a96c6c6f');
    });

    it('grows past its initial size without losing what was written', () => {
      const out = new Output();
      const expected = new Uint8Array(5000);
      for (let i = 0; i < 5000; i++) {
        expected[i] = (i * 7) & 0xff;
        if (i % 3 === 0) out.byte(expected[i]!);
        else out.bytes(Uint8Array.of(expected[i]!));
      }
      out.u32(0x01020304);
      const bytes = out.finish();
      expect(bytes.length).to.equal(5004);
      expect(bytes.subarray(0, 5000)).to.deep.equal(expected);
      expect(toHex(bytes.subarray(5000))).to.equal('04030201');
    });
  });

  describe('Output framing', () => {
    it('frames protocol 4 output, and drops the header of a frame under 4 bytes', () => {
      const small = output();
      small.byte2(0x80, 0x04);
      small.startFraming();
      small.byte2(0x4e, 0x2e); // None, STOP
      expect(toHex(small.finish())).to.equal('80044e2e');

      const framed = output();
      framed.byte2(0x80, 0x04);
      framed.startFraming();
      framed.ascii('K\x01K\x02.');
      expect(toHex(framed.finish())).to.equal('8004' + frameHeader(5) + '4b014b022e');
    });

    it('closes a frame at the first boundary after 64 KiB, not before', () => {
      const out = output();
      out.startFraming();
      out.bytes(new Uint8Array(TARGET - 1).fill(0x61));
      out.frameBoundary();
      out.byte(0x62);
      out.frameBoundary();
      out.bytes(Uint8Array.of(0x63, 0x63, 0x63, 0x63, 0x2e));
      const bytes = out.finish();
      expect(bytes.length).to.equal(9 + TARGET + 9 + 5);
      expect(toHex(bytes.subarray(0, 9))).to.equal(frameHeader(TARGET));
      expect(bytes[9 + TARGET - 1]).to.equal(0x62);
      expect(toHex(bytes.subarray(9 + TARGET))).to.equal(frameHeader(5) + '636363632e');
    });

    it('writes large payloads outside frames, and only counts them large while framing', () => {
      const plain = output();
      expect(plain.isLarge(10 * TARGET)).to.equal(false);
      const out = output();
      out.startFraming();
      expect(out.isLarge(TARGET - 1)).to.equal(false);
      expect(out.isLarge(TARGET)).to.equal(true);
      out.ascii('abcdef');
      out.beginLarge();
      expect(out.isLarge(TARGET)).to.equal(false);
      const payload = new Uint8Array(TARGET).fill(0x78);
      out.bytes(payload);
      out.endLarge();
      out.byte(0x2e);
      const bytes = out.finish();
      expect(toHex(bytes.subarray(0, 15))).to.equal(frameHeader(6) + '616263646566');
      expect(bytes.subarray(15, 15 + TARGET)).to.deep.equal(payload);
      expect(toHex(bytes.subarray(15 + TARGET))).to.equal('2e');
    });

    it("frames a big list's items byte for byte as CPython's pickle.dumps does", () => {
      // ['x%095d' % i for i in range(1000)] at protocol 4: EMPTY_LIST MEMOIZE MARK, then per item
      // SHORT_BINUNICODE (96 bytes) MEMOIZE after a boundary, then APPENDS STOP.
      const out = output();
      out.byte2(0x80, 0x04);
      out.startFraming();
      out.byte2(0x5d, 0x94);
      out.byte(0x28);
      for (let i = 0; i < 1000; i++) {
        out.frameBoundary();
        out.byte2(0x8c, 96);
        out.ascii('x' + String(i).padStart(95, '0'));
        out.byte(0x94);
      }
      out.byte2(0x65, 0x2e);
      const py = pyRun<string>("def main(inp): return tohex(pickle.dumps(['x%095d' % i for i in range(1000)], protocol=4))");
      const ours = out.finish();
      expect(toHex(ours.subarray(2, 11))).to.equal(frameHeader(3 + 662 * 99));
      expect(ours).to.deep.equal(fromHex(py));
    });
  });

  describe('Output buffer reuse', () => {
    it('hands finished bytes out as a copy that later dumps cannot change', () => {
      const out = output();
      out.ascii('first');
      const first = out.finish();
      expect(out.pos).to.equal(0);
      out.reset();
      out.ascii('SECOND');
      const second = out.finish();
      expect(new TextDecoder().decode(first)).to.equal('first');
      expect(new TextDecoder().decode(second)).to.equal('SECOND');
      expect(first.buffer).to.not.equal(second.buffer);
      expect(first.buffer.byteLength).to.equal(5);
    });

    it('keeps a nested dump apart from the one it runs inside', () => {
      const outer = output();
      outer.ascii('outer-');
      const inner = output();
      expect(inner.buf).to.not.equal(outer.buf);
      inner.ascii('inner');
      outer.ascii('rest');
      expect(new TextDecoder().decode(inner.finish())).to.equal('inner');
      expect(new TextDecoder().decode(outer.finish())).to.equal('outer-rest');
      // A reset forgets what an unfinished dump wrote.
      const again = output();
      again.ascii('junk');
      again.reset();
      again.byte(0x2e);
      expect(toHex(again.finish())).to.equal('2e');
    });
  });
});
