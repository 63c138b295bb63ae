// Copy shells and integrity levels (lib/shells.ts): a new object with the original's prototype and
// built-in internal value, ArrayBuffer copies, and frozen / sealed / non-extensible levels.
import { expect } from 'chai';

import { Kind } from '../lib/builtins';
import { applyIntegrity, copyArrayBuffer, integrityOf, makeShell } from '../lib/shells';

describe('shells', () => {
  describe('makeShell / copyArrayBuffer', () => {
    it("gives a shell with the original's prototype and internal value, but no properties or items", () => {
      class Tags extends Map<string, number> {}
      class Stamp extends Date {}
      const tags = new Tags([['a', 1]]);
      const shell = makeShell(tags, Kind.MAP) as Tags;
      expect(Object.getPrototypeOf(shell)).to.equal(Tags.prototype);
      expect(shell.size).to.equal(0);
      const stamp = new Stamp(12345) as Stamp & { note?: string };
      stamp.note = 'n';
      const d = makeShell(stamp, Kind.DATE) as Stamp;
      expect(d).to.be.instanceOf(Stamp);
      expect(d.getTime()).to.equal(12345);
      expect(Object.keys(d)).to.deep.equal([]);
      const re = makeShell(/a+b/giy, Kind.REGEXP) as RegExp;
      expect([re.source, re.flags]).to.deep.equal(['a+b', 'giy']);
      const bigBox = makeShell(Object(5n) as object, Kind.BOXED);
      expect(typeof bigBox).to.equal('object');
      expect((bigBox as { valueOf(): unknown }).valueOf()).to.equal(5n);
      const nul = makeShell(Object.create(null) as object, Kind.PLAIN);
      expect(Object.getPrototypeOf(nul)).to.equal(null);
      const err = makeShell(new RangeError('boom'), Kind.ERROR) as Error;
      expect(err).to.be.instanceOf(RangeError);
      expect(err.message).to.equal('');
      expect(makeShell([1, 2], Kind.ARRAY)).to.deep.equal([]);
      // Views: the buffer given (deepcopy's copy of it), else the original buffer.
      const buffer = new ArrayBuffer(8);
      const view = new Uint16Array(buffer, 2, 2);
      view[0] = 7;
      const same = makeShell(view, Kind.TYPED_ARRAY) as Uint16Array;
      expect(same.buffer).to.equal(buffer);
      expect([same.byteOffset, same.length, same[0]]).to.deep.equal([2, 2, 7]);
      const copied = copyArrayBuffer(buffer);
      const moved = makeShell(view, Kind.TYPED_ARRAY, copied) as Uint16Array;
      expect(moved.buffer).to.equal(copied);
      expect(moved[0]).to.equal(7);
      const dv = makeShell(new DataView(buffer, 1, 3), Kind.DATA_VIEW, copied) as DataView;
      expect([dv.buffer === copied, dv.byteOffset, dv.byteLength]).to.deep.equal([true, 1, 3]);
    });

    it('copies ArrayBuffer bytes into a new buffer, keeping resizability and prototype', () => {
      const src = new Uint8Array([1, 2, 3]).buffer;
      const copy = copyArrayBuffer(src);
      expect(copy).to.not.equal(src);
      expect(new Uint8Array(copy)).to.deep.equal(new Uint8Array([1, 2, 3]));
      new Uint8Array(copy)[0] = 9;
      expect(new Uint8Array(src)[0]).to.equal(1);
      const resizable = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer & {
        resizable: boolean;
        maxByteLength: number;
      })(2, { maxByteLength: 16 });
      new Uint8Array(resizable).set([5, 6]);
      const r = copyArrayBuffer(resizable) as ArrayBuffer & { resizable: boolean; maxByteLength: number };
      expect([r.resizable, r.maxByteLength, r.byteLength]).to.deep.equal([true, 16, 2]);
      expect([...new Uint8Array(r)]).to.deep.equal([5, 6]);
      class Buf extends ArrayBuffer {}
      expect(Object.getPrototypeOf(copyArrayBuffer(new Buf(1)))).to.equal(Buf.prototype);
    });
  });

  describe('integrityOf / applyIntegrity', () => {
    it('reads and re-applies frozen, sealed and non-extensible levels', () => {
      expect(integrityOf({ a: 1 })).to.equal(0);
      expect(integrityOf(Object.preventExtensions({ a: 1 }))).to.equal(1);
      expect(integrityOf(Object.seal({ a: 1 }))).to.equal(2);
      expect(integrityOf(Object.freeze({ a: 1 }))).to.equal(3);
      // An empty non-extensible object is also sealed and frozen.
      expect(integrityOf(Object.preventExtensions({}))).to.equal(3);
      for (const level of [0, 1, 2, 3]) {
        const y = { a: 1 };
        applyIntegrity(y, level);
        expect(integrityOf(y), String(level)).to.equal(level);
      }
    });
  });
});
