// The own keys copies and pickles carry (lib/ownkeys.ts): index detection, the keys per kind,
// and the walk over a sparse array's present indices.
import { expect } from 'chai';

import { Kind } from '../lib/builtins';
import { isIndex, sliceArray, sparseIndices, stateKeys } from '../lib/ownkeys';

describe('ownkeys', () => {
  describe('isIndex', () => {
    it('takes canonical array indices only', () => {
      for (const k of ['0', '1', '42', '4294967294']) expect(isIndex(k), k).to.equal(true);
      for (const k of ['', '-1', '01', '1.5', '1e3', ' 1', '4294967295', 'a', 'NaN']) expect(isIndex(k), k).to.equal(false);
      for (const k of ['00', '1 ', '12a', '0x1', '123456789a', '9999999999', '4294967296']) expect(isIndex(k), k).to.equal(false);
      for (const k of ['123456789', '1234567890', '999999999']) expect(isIndex(k), k).to.equal(true);
    });

    it('agrees with the engine on which keys are indices (random digit strings)', () => {
      for (let i = 0; i < 20_000; i++) {
        const k = String(Math.floor(Math.random() * 1e11)).slice(0, 1 + (i % 11));
        // An array index key is listed before the named keys, in numeric order.
        const o: Record<string, number> = { z: 0 };
        o[k] = 1;
        expect(isIndex(k), k).to.equal(Object.keys(o)[0] === k && Number(k) < 4294967295);
      }
    });
  });

  describe('stateKeys', () => {
    it("lists an array's non-index keys and enumerable symbols, not its items", () => {
      const s = Symbol('s');
      const hidden = Symbol('hidden');
      const a = [1, 2, 3] as unknown as Record<string | symbol, unknown>;
      a.extra = 1;
      a[s] = 2;
      Object.defineProperty(a, hidden, { value: 3, enumerable: false });
      expect(stateKeys(a, Kind.ARRAY)).to.deep.equal(['extra', s]);
      expect(stateKeys([1, , 3], Kind.ARRAY)).to.deep.equal([]);
      const f = [1, 2] as unknown as Record<string, unknown>;
      f['1.5'] = 'x';
      expect(stateKeys(f as object, Kind.ARRAY)).to.deep.equal(['1.5']);
    });

    it("keeps a String object's index keys past its length, and every own key of an Error", () => {
      const str = new String('ab') as unknown as Record<string, unknown>;
      str[5] = 'x';
      expect(stateKeys(str as object, Kind.BOXED)).to.deep.equal(['5']);
      const e = new Error('m');
      (e as unknown as Record<string, unknown>).code = 7;
      expect(stateKeys(e, Kind.ERROR)).to.include.members(['stack', 'message', 'code']);
    });

    it('lists nothing for typed arrays, DataViews and ArrayBuffers (their bytes are their state)', () => {
      expect(stateKeys(new Uint8Array(3), Kind.TYPED_ARRAY)).to.deep.equal([]);
      expect(stateKeys(new DataView(new ArrayBuffer(2)), Kind.DATA_VIEW)).to.deep.equal([]);
      expect(stateKeys(new ArrayBuffer(2), Kind.ARRAY_BUFFER)).to.deep.equal([]);
    });
  });

  describe('sparseIndices / sliceArray', () => {
    it('finds the few indices of a huge sparse array and copies only those', () => {
      const a: number[] = [];
      a[3] = 1;
      a[1e9] = 2;
      expect(sparseIndices(a)).to.deep.equal([3, 1e9]);
      const b = sliceArray(a, sparseIndices(a));
      expect(b.length).to.equal(1e9 + 1);
      expect(Object.keys(b)).to.deep.equal(['3', '1000000000']);
      expect(b).to.not.equal(a);
    });

    it('treats short and dense arrays as ordinary (undefined), and keeps their holes', () => {
      expect(sparseIndices([1, , 3])).to.equal(undefined);
      const dense = Array.from({ length: 70000 }, (_, i) => i);
      expect(sparseIndices(dense)).to.equal(undefined);
      const holey = sliceArray([1, , 3], sparseIndices([1, , 3]));
      expect(1 in holey).to.equal(false);
      expect(holey).to.deep.equal([1, , 3]);
    });
  });
});
