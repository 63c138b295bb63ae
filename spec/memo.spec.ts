// The stamped identity memo behind deepcopy (lib/memo.ts): it must be invisible to the objects it
// stamps, keep sharing exact across nested walks, and hand hooks a Map with every entry so far.
import { expect } from 'chai';

import { deepcopy } from '../lib/index';
import { STAMP_THRESHOLD, StampedMemo, stampAll } from '../lib/memo';

describe('memo', () => {
  describe('StampedMemo', () => {
    it('finds what it recorded and nothing else', () => {
      const memo = StampedMemo.acquire()!;
      try {
        const a = {};
        const b: unknown[] = [];
        const frozen = Object.freeze({});
        memo.set(a, 'A');
        memo.set(frozen, 'F');
        expect(memo.get(a)).to.equal('A');
        expect(memo.get(frozen)).to.equal('F');
        expect(memo.get(b)).to.equal(undefined);
        memo.set(a, 'A2');
        expect(memo.get(a)).to.equal('A2');
        const map = memo.toMap();
        expect(map.get(a)).to.equal('A2');
        expect(map.get(frozen)).to.equal('F');
        expect(map.size).to.equal(2);
      } finally {
        memo.release();
      }
    });

    it('hands out one memo at a time, and again after release', () => {
      const first = StampedMemo.acquire();
      expect(first).to.not.equal(undefined);
      expect(StampedMemo.acquire()).to.equal(undefined);
      first!.release();
      first!.release();
      const second = StampedMemo.acquire();
      expect(second).to.not.equal(undefined);
      second!.release();
    });

    it('ignores stamps left by an earlier memo', () => {
      const a = {};
      const b = {};
      const old = StampedMemo.acquire()!;
      old.set(a, 1);
      old.set(b, 2);
      old.release();
      const memo = StampedMemo.acquire()!;
      try {
        expect(memo.get(a)).to.equal(undefined);
        expect(memo.get(b)).to.equal(undefined);
        memo.set(b, 3);
        expect(memo.get(a)).to.equal(undefined);
        expect(memo.get(b)).to.equal(3);
      } finally {
        memo.release();
      }
    });
  });

  describe('deepcopy with the stamped memo', () => {
    it('adds no key, descriptor or prototype change to the originals', () => {
      const sym = Symbol('s');
      const x: Record<string | symbol, unknown> = { a: 1, [sym]: [2], nested: { b: new Map([[1, new Set([3])]]) } };
      const before = Reflect.ownKeys(x);
      const nested = x.nested as object;
      const nestedKeys = Reflect.ownKeys(nested);
      deepcopy(x);
      deepcopy(x);
      expect(Reflect.ownKeys(x)).to.deep.equal(before);
      expect(Reflect.ownKeys(nested)).to.deep.equal(nestedKeys);
      expect(JSON.stringify(x)).to.equal('{"a":1,"nested":{"b":{}}}');
      expect(Object.getPrototypeOf(x)).to.equal(Object.prototype);
    });

    it('runs no proxy trap that a plain property walk would not', () => {
      const traps: string[] = [];
      const target = { a: 1 };
      const proxy = new Proxy(target, {
        defineProperty(t, k, d) {
          traps.push(`defineProperty ${String(k)}`);
          return Reflect.defineProperty(t, k, d);
        },
        set(t, k, v) {
          traps.push(`set ${String(k)}`);
          return Reflect.set(t, k, v);
        },
      });
      const y = deepcopy({ p: proxy, q: proxy });
      expect(traps).to.deep.equal([]);
      expect(y.p).to.equal(y.q);
    });

    it('keeps the outer sharing when a hook runs its own deepcopy over the same objects', () => {
      const shared = { v: 1 };
      class Hooked {
        __deepcopy__(): unknown {
          // A separate copy of `shared` (fresh memo) while the outer copy is under way.
          return { inner: deepcopy(shared) };
        }
      }
      const x = [shared, new Hooked(), shared];
      const y = deepcopy(x as unknown[]) as [object, { inner: object }, object];
      expect(y[0]).to.equal(y[2]);
      expect(y[0]).to.not.equal(shared);
      expect(y[1].inner).to.not.equal(y[0]);
      expect(y[1].inner).to.deep.equal({ v: 1 });
    });

    it("gives __deepcopy__ a Map holding the copies made before it", () => {
      const shared = { v: 1 };
      let seen: unknown;
      class Hooked {
        __deepcopy__(memo: Map<unknown, unknown>): unknown {
          expect(memo).to.be.instanceOf(Map);
          seen = memo.get(shared);
          return { again: deepcopy(shared, memo) };
        }
      }
      const y = deepcopy([shared, new Hooked(), shared] as unknown[]) as [object, { again: object }, object];
      expect(seen).to.equal(y[0]);
      expect(y[1].again).to.equal(y[0]);
      expect(y[2]).to.equal(y[0]);
    });

    it('fills a memo the caller passes in, entry for entry', () => {
      const inner = { a: 1 };
      const x = [inner, inner];
      const memo = new Map<unknown, unknown>();
      const y = deepcopy(x, memo);
      expect(memo.get(x)).to.equal(y);
      expect(memo.get(inner)).to.equal(y[0]);
      expect(memo.size).to.equal(2);
    });

    it('recovers after a copy that throws half way', () => {
      const x = { a: [1], b: new WeakMap() };
      expect(() => deepcopy(x)).to.throw(TypeError);
      const shared = [1];
      const y = deepcopy({ p: shared, q: shared });
      expect(y.p).to.equal(y.q);
      expect(y.p).to.not.equal(shared);
    });

    it("moves a Map's entries into stamps, and leaves the Map alone while stamps are taken", () => {
      const a = {};
      const frozen = Object.freeze({});
      const map = new Map<unknown, unknown>([[a, 1], [frozen, 2], [Symbol.for('memo.spec'), 3]]);
      const held = StampedMemo.acquire()!;
      expect(stampAll(map)).to.equal(undefined);
      held.release();
      const stamped = stampAll(map)!;
      try {
        expect(stamped.get(a)).to.equal(1);
        expect(stamped.get(frozen)).to.equal(2);
        expect(stamped.get(Symbol.for('memo.spec'))).to.equal(3);
        expect([...stamped.toMap()]).to.have.length(3);
      } finally {
        stamped.release();
      }
    });

    describe(`graphs past ${STAMP_THRESHOLD} objects (the memo becomes stamped)`, () => {
      const big = (): { shared: { v: number }; items: object[] } => {
        const shared = { v: 1 };
        const items: object[] = [];
        for (let i = 0; i < STAMP_THRESHOLD + 100; i++) items.push(i % 100 === 0 ? shared : { i });
        return { shared, items };
      };

      it('keeps sharing and cycles, and adds no key to the originals', () => {
        const { shared, items } = big();
        const x = { items, self: null as unknown };
        x.self = x;
        const y = deepcopy(x);
        expect(y.self).to.equal(y);
        expect(y.items[0]).to.equal(y.items[100]);
        expect(y.items[0]).to.not.equal(shared);
        expect(y.items[STAMP_THRESHOLD + 99]).to.deep.equal({ i: STAMP_THRESHOLD + 99 });
        expect(Reflect.ownKeys(shared)).to.deep.equal(['v']);
      });

      it("gives a late __deepcopy__ a Map with every copy so far, and a nested deepcopy can't break sharing", () => {
        const { shared, items } = big();
        let seen: unknown;
        class Late {
          __deepcopy__(memo: Map<unknown, unknown>): unknown {
            seen = memo.get(shared);
            return { again: deepcopy(shared, memo), fresh: deepcopy(shared) };
          }
        }
        const y = deepcopy([...items, new Late(), shared] as unknown[]) as unknown[];
        const late = y[items.length] as { again: unknown; fresh: unknown };
        expect(seen).to.equal(y[0]);
        expect(late.again).to.equal(y[0]);
        expect(late.fresh).to.not.equal(y[0]);
        expect(y[items.length + 1]).to.equal(y[0]);
      });
    });

    it('keeps sharing of frozen and sealed objects, which take no stamp', () => {
      const frozen = Object.freeze({ a: [1] });
      const sealed = Object.seal({ b: 2 });
      const x = { f1: frozen, f2: frozen, s1: sealed, s2: sealed };
      const y = deepcopy(x);
      expect(y.f1).to.equal(y.f2);
      expect(y.s1).to.equal(y.s2);
      expect(y.s1).to.not.equal(sealed);
      expect(Object.isSealed(y.s1)).to.equal(true);
    });
  });
});
