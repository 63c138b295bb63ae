// deepcopy(): CPython's Lib/test/test_copy.py (the deep tests) ported with the adaptations of
// reference/cpython-copyreg-copy.md §5, then the JS types of SPEC §5, the memo and hooks, and
// the no-depth-limit guarantee. The _reconstruct tests that check copy and deepcopy together
// live in copy.spec.ts.
//
// Not ported (Python-only, see the inventory): test_deepcopy_keepalive (the memo is a Map keyed
// by the object, so there is no keep-alive entry), test_deepcopy_tuple_subclass,
// test_deepcopy_weakkeydict / test_deepcopy_weakvaluedict (no weak dictionaries with observable
// size), test_deepcopy_bound_method (a JS bound function's target cannot be re-bound).
import { expect } from 'chai';
import * as vm from 'node:vm';

import { copy, CopyError, deepcopy, dispatchTable, pickle } from '../lib/index';

function shouldNotCall(): never {
  throw new Error("shouldn't call this");
}

describe('deepcopy', () => {
  describe('CPython test_copy.py: deepcopy()', () => {
    it('test_deepcopy_basic', () => {
      expect(deepcopy(42)).to.equal(42);
    });

    it('test_deepcopy_memo', () => {
      const inner: unknown[] = [];
      const x = [inner, inner];
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y[0]).to.not.equal(x[0]);
      expect(y[0]).to.equal(y[1]);
    });

    it('test_deepcopy_issubclass', () => {
      // JS~: classes, whatever they extend, are atomic.
      class DeepSpecMeta extends Function {}
      class DeepSpecIssub extends DeepSpecMeta {}
      expect(deepcopy(DeepSpecIssub)).to.equal(DeepSpecIssub);
    });

    it('test_deepcopy_deepcopy', () => {
      class DeepSpecHook {
        constructor(public foo: number) {}
        __deepcopy__(_memo?: Map<unknown, unknown>): DeepSpecHook {
          return new DeepSpecHook(this.foo);
        }
      }
      const x = new DeepSpecHook(42);
      const y = deepcopy(x);
      expect(y.constructor).to.equal(x.constructor);
      expect(y.foo).to.equal(x.foo);
    });

    it('test_deepcopy_registry', () => {
      // JS~: see test_copy_registry.
      class DeepSpecRegistryC {
        constructor(public foo: number[]) {}
      }
      let reduced = 0;
      const x = new DeepSpecRegistryC([42]);
      try {
        pickle(
          DeepSpecRegistryC,
          (o) => {
            reduced++;
            return [DeepSpecRegistryC, [o.foo]];
          },
          DeepSpecRegistryC,
        );
        const y = deepcopy(x);
        expect(y).to.not.equal(x);
        expect(Object.getPrototypeOf(y)).to.equal(DeepSpecRegistryC.prototype);
        expect(y.foo).to.deep.equal(x.foo);
        expect(y.foo).to.not.equal(x.foo);
        expect(reduced).to.equal(1);
      } finally {
        dispatchTable.delete(DeepSpecRegistryC);
      }
    });

    it('test_deepcopy_reduce_ex', () => {
      const c: number[] = [];
      class DeepSpecReduceEx {
        __reduce_ex__(_proto: number): string {
          c.push(1);
          return '';
        }
        __reduce__(): never {
          return shouldNotCall();
        }
      }
      const x = new DeepSpecReduceEx();
      expect(deepcopy(x)).to.equal(x);
      expect(c).to.deep.equal([1]);
    });

    it('test_deepcopy_reduce', () => {
      const c: number[] = [];
      class DeepSpecReduce {
        __reduce__(): string {
          c.push(1);
          return '';
        }
      }
      const x = new DeepSpecReduce();
      expect(deepcopy(x)).to.equal(x);
      expect(c).to.deep.equal([1]);
    });

    it('test_deepcopy_cant', () => {
      class DeepSpecCant {}
      Object.assign(DeepSpecCant.prototype, { __reduce_ex__: null, __reduce__: null });
      expect(() => deepcopy(new DeepSpecCant())).to.throw(
        CopyError,
        'un(deep)copyable object of type DeepSpecCant',
      );
    });

    it('test_deepcopy_atomic', () => {
      class DeepSpecNewStyle {}
      function f(): void {}
      const tests: unknown[] = [
        undefined,
        null,
        42,
        2n ** 100n,
        3.14,
        true,
        false,
        'hello',
        'hello\u1234',
        Symbol('s'),
        f,
        () => 1,
        DeepSpecNewStyle,
        Math.max,
      ];
      for (const x of tests) expect(deepcopy(x)).to.equal(x);
    });

    it('test_deepcopy_list', () => {
      const x = [[1, 2], 3];
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y[0]).to.not.equal(x[0]);
    });

    it('test_deepcopy_reflexive_list', () => {
      const x: unknown[] = [];
      x.push(x);
      const y = deepcopy(x);
      expect(y).to.not.equal(x);
      expect(y[0]).to.equal(y);
      expect(y.length).to.equal(1);
    });

    it('test_deepcopy_empty_tuple', () => {
      const x = Object.freeze([]);
      expect(deepcopy(x)).to.equal(x);
    });

    it('test_deepcopy_tuple', () => {
      const x = Object.freeze([[1, 2], 3] as const);
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y[0]).to.not.equal(x[0]);
      expect(Object.isFrozen(y)).to.equal(true);
    });

    it('test_deepcopy_tuple_of_immutables', () => {
      const x = Object.freeze([Object.freeze([1, 2]), 3]);
      expect(deepcopy(x)).to.equal(x);
    });

    it('test_deepcopy_reflexive_tuple', () => {
      const inner: unknown[] = [];
      const x = Object.freeze([inner]);
      inner.push(x);
      const y = deepcopy(x);
      expect(y).to.not.equal(x);
      expect(y[0]).to.not.equal(x[0]);
      expect((y[0] as unknown[])[0]).to.equal(y);
    });

    it('test_deepcopy_dict', () => {
      const x = { foo: [1, 2], bar: 3 };
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_deepcopy_frozendict', () => {
      // [main], JS~: frozen plain objects are frozendicts.
      const x = Object.freeze({ foo: [1, 2], bar: 3 });
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.not.equal(x.foo);
      expect(Object.isFrozen(y)).to.equal(true);

      const list: unknown[] = [];
      const fd = Object.freeze({ foo: list });
      list.push(fd);
      const z = deepcopy(fd);
      expect(Object.keys(z)).to.deep.equal(['foo']);
      expect(z).to.not.equal(fd);
      expect(z.foo).to.not.equal(fd.foo);
      expect(z.foo[0]).to.equal(z);
      const w = deepcopy(list);
      expect((w[0] as { foo: unknown }).foo).to.equal(w);
    });

    it('test_deepcopy_reflexive_dict', () => {
      const x: Record<string, unknown> = {};
      x.foo = x;
      const y = deepcopy(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.equal(y);
      expect(Object.keys(y)).to.have.length(1);
    });

    it('test_deepcopy_dont_memo_immutable', () => {
      // JS~: a Map memo has no keep-alive entry, so the sizes are CPython's minus one.
      let memo = new Map<unknown, unknown>();
      let x: unknown[] = [1, 2, 3, 4];
      expect(deepcopy(x, memo)).to.deep.equal(x);
      expect(memo.size).to.equal(1);

      memo = new Map();
      x = [Object.freeze([1, 2])];
      expect(deepcopy(x, memo)).to.deep.equal(x);
      expect(memo.size).to.equal(1);
    });

    it('test_deepcopy_inst_vanilla', () => {
      class DeepSpecVanilla {
        constructor(public foo: unknown) {}
      }
      const x = new DeepSpecVanilla([42]);
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_deepcopy_inst_deepcopy', () => {
      class DeepSpecInstDeep {
        constructor(public foo: unknown) {}
        __deepcopy__(memo: Map<unknown, unknown>): DeepSpecInstDeep {
          return new DeepSpecInstDeep(deepcopy(this.foo, memo));
        }
      }
      const x = new DeepSpecInstDeep([42]);
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_deepcopy_inst_getinitargs', () => {
      let constructed = 0;
      class DeepSpecInitArgs {
        constructor(public foo: unknown) {
          constructed++;
        }
        __getinitargs__(): never {
          return shouldNotCall();
        }
      }
      const x = new DeepSpecInitArgs([42]);
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.not.equal(x.foo);
      expect(constructed).to.equal(1);
    });

    it('test_deepcopy_inst_getnewargs', () => {
      const received: unknown[] = [];
      class DeepSpecNewArgs {
        foo: unknown;
        static __new__(cls: typeof DeepSpecNewArgs, foo: unknown): DeepSpecNewArgs {
          received.push(foo);
          const self = Object.create(cls.prototype) as DeepSpecNewArgs;
          self.foo = foo;
          return self;
        }
        __getnewargs__(): unknown[] {
          return [this.foo];
        }
      }
      const x = DeepSpecNewArgs.__new__(DeepSpecNewArgs, [42]);
      const y = deepcopy(x);
      expect(y).to.be.an.instanceOf(DeepSpecNewArgs);
      expect(y).to.not.equal(x);
      expect(y.foo).to.deep.equal(x.foo);
      expect(y.foo).to.not.equal(x.foo);
      // The arguments are deep-copied before __new__ runs, and the state then reuses that copy.
      expect(received[1]).to.not.equal(x.foo);
      expect(received[1]).to.equal(y.foo);
    });

    it('test_deepcopy_inst_getnewargs_ex', () => {
      class DeepSpecNewArgsEx {
        foo: unknown;
        static __new__(cls: typeof DeepSpecNewArgsEx, kwargs: { foo: unknown }): DeepSpecNewArgsEx {
          const self = Object.create(cls.prototype) as DeepSpecNewArgsEx;
          self.foo = kwargs.foo;
          return self;
        }
        __getnewargs_ex__(): [unknown[], Record<string, unknown>] {
          return [[], { foo: this.foo }];
        }
      }
      const x = DeepSpecNewArgsEx.__new__(DeepSpecNewArgsEx, { foo: [42] });
      const y = deepcopy(x);
      expect(y).to.be.an.instanceOf(DeepSpecNewArgsEx);
      expect(y).to.not.equal(x);
      expect(y.foo).to.deep.equal(x.foo);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_deepcopy_inst_getstate', () => {
      class DeepSpecGetState {
        constructor(public foo: unknown) {}
        __getstate__(): object {
          return { foo: this.foo };
        }
      }
      const x = new DeepSpecGetState([42]);
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_deepcopy_inst_setstate', () => {
      class DeepSpecSetState {
        constructor(public foo: unknown) {}
        __setstate__(state: { foo: unknown }): void {
          this.foo = state.foo;
        }
      }
      const x = new DeepSpecSetState([42]);
      const y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_deepcopy_inst_getstate_setstate', () => {
      class DeepSpecGetSetState {
        constructor(public foo: unknown) {}
        __getstate__(): unknown {
          return this.foo;
        }
        __setstate__(state: unknown): void {
          this.foo = state;
        }
      }
      for (const foo of [[42], []]) {
        // The second, [], is a falsy state in Python (issue #25718).
        const x = new DeepSpecGetSetState(foo);
        const y = deepcopy(x);
        expect(y).to.deep.equal(x);
        expect(y).to.not.equal(x);
        expect(y.foo).to.not.equal(x.foo);
      }
    });

    it('test_deepcopy_reflexive_inst', () => {
      class DeepSpecReflexive {
        foo?: unknown;
      }
      const x = new DeepSpecReflexive();
      x.foo = x;
      const y = deepcopy(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.equal(y);
    });

    it('test_reconstruct_reflexive', () => {
      class DeepSpecReconstructReflexive {
        foo?: unknown;
        __reduce__(): unknown {
          return [DeepSpecReconstructReflexive, [], { ...this }];
        }
      }
      const x = new DeepSpecReconstructReflexive();
      x.foo = x;
      const y = deepcopy(x);
      expect(y).to.not.equal(x);
      expect(y.foo).to.equal(y);
    });

    it('test_deepcopy_slots', () => {
      // JS~: the (state, slotState) pair as a frozen 2-item array; see test_copy_slots.
      const slots = new WeakMap<object, unknown>();
      class DeepSpecSlots {
        get foo(): unknown {
          return slots.get(this);
        }
        set foo(v: unknown) {
          slots.set(this, v);
        }
        __getstate__(): unknown {
          return Object.freeze([null, { foo: this.foo }]);
        }
      }
      const x = new DeepSpecSlots();
      x.foo = [42];
      const y = deepcopy(x);
      expect(y.foo).to.deep.equal(x.foo);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_deepcopy_dict_subclass', () => {
      class DeepSpecDictSub extends Map<string, unknown> {
        _keys: string[];
        constructor(d: Record<string, unknown> = {}) {
          super();
          this._keys = Object.keys(d);
          for (const [k, v] of Object.entries(d)) super.set(k, v);
        }
        override set(key: string, item: unknown): this {
          super.set(key, item);
          if (!this._keys.includes(key)) this._keys.push(key);
          return this;
        }
      }
      const x = new DeepSpecDictSub({ foo: 0 });
      const y = deepcopy(x);
      expect([...y]).to.deep.equal([...x]);
      expect(y._keys).to.deep.equal(x._keys);
      expect(y).to.not.equal(x);
      x.set('bar', 1);
      expect([...y]).to.not.deep.equal([...x]);
      expect(y._keys).to.not.deep.equal(x._keys);
    });

    it('test_deepcopy_list_subclass', () => {
      class DeepSpecListSub extends Array<unknown> {
        foo?: unknown;
      }
      const x = DeepSpecListSub.from([[1, 2], 3]) as DeepSpecListSub;
      x.foo = [4, 5];
      const y = deepcopy(x);
      expect([...y]).to.deep.equal([...x]);
      expect(y.foo).to.deep.equal(x.foo);
      expect(y[0]).to.not.equal(x[0]);
      expect(y.foo).to.not.equal(x.foo);

      // [main] adds a list subclass whose state is its items. 3.13 (our baseline) applies the
      // state and then appends the list items again, giving [1, 2, 1, 2].
      class DeepSpecListState extends Array<unknown> {
        __getstate__(): unknown[] {
          return [...this];
        }
        __setstate__(state: unknown[]): void {
          this.splice(0, this.length, ...state);
        }
      }
      const l = DeepSpecListState.from([1, 2]) as DeepSpecListState;
      expect([...deepcopy(l)]).to.deep.equal([1, 2, 1, 2]);
    });

    it('test_deepcopy_function', () => {
      function foo(x: number, y: number): number {
        return x + y;
      }
      const bar = (): null => null;
      expect(deepcopy(foo)).to.equal(foo);
      expect(deepcopy(bar)).to.equal(bar);
      expect(deepcopy(shouldNotCall)).to.equal(shouldNotCall);
    });

    it('test_deepcopy_weakref', () => {
      const x = new WeakRef({});
      expect(deepcopy(x)).to.equal(x);
      expect(deepcopy([x])[0]).to.equal(x);
    });
  });

  describe('JS values (SPEC §5)', () => {
    it('copies built-ins from another realm (a vm context) as what they are', () => {
      const v = vm.runInContext(
        "({ m: new Map([[1, { a: 1 }]]), s: new Set([1, 2]), d: new Date(5), r: /ab+/gi, e: new TypeError('boom'), ab: new ArrayBuffer(4), n: new Number(3) })",
        vm.createContext({}),
      ) as Record<string, any>;
      v.r.lastIndex = 2;
      const y = deepcopy(v);
      expect([...y.m]).to.deep.equal([[1, { a: 1 }]]);
      expect(y.m.get(1)).to.not.equal(v.m.get(1));
      expect([...y.s]).to.deep.equal([1, 2]);
      expect(Date.prototype.getTime.call(y.d)).to.equal(5);
      expect([y.r.source, y.r.flags, y.r.lastIndex]).to.deep.equal(['ab+', 'gi', 2]);
      expect([y.e.message, y.e.name, Object.prototype.toString.call(y.e)]).to.deep.equal(['boom', 'TypeError', '[object Error]']);
      expect(y.ab.byteLength).to.equal(4);
      expect(Number.prototype.valueOf.call(y.n)).to.equal(3);
      expect(copy(v.m)).to.not.equal(v.m);
      expect([...(copy(v.m) as Map<unknown, unknown>)]).to.deep.equal([...v.m]);
    });

    it('an Object.create() of an Array subclass prototype does not change how real instances copy', () => {
      class DcSpecFakeArray extends Array<number> {}
      const fake = Object.create(DcSpecFakeArray.prototype) as Record<string, unknown>;
      fake.x = 1;
      const real = DcSpecFakeArray.from([3, 4]);
      const out = deepcopy([fake, real, fake, real]) as unknown[];
      expect(Array.isArray(out[1])).to.equal(true);
      expect(out[1]).to.be.instanceOf(DcSpecFakeArray);
      expect(Array.from(out[1] as number[])).to.deep.equal([3, 4]);
      expect(out[3]).to.equal(out[1]);
      expect(Array.isArray(out[0])).to.equal(false);
      expect((out[0] as { x: number }).x).to.equal(1);
      // And in a later, separate copy (the kind of a prototype is remembered across copies).
      const again = deepcopy(DcSpecFakeArray.from([5]));
      expect(Array.isArray(again)).to.equal(true);
      expect(Array.from(again)).to.deep.equal([5]);
    });

    it('never runs a prototype setter, and keeps own data over read-only prototype names', () => {
      class DcSpecGuarded {
        set name(_v: string) {
          throw new Error('setter invoked');
        }
        get name(): string {
          return 'from prototype';
        }
      }
      Object.defineProperty(DcSpecGuarded.prototype, 'fixed', { value: 'proto', writable: false });
      const x = new DcSpecGuarded();
      Object.defineProperty(x, 'name', { value: 'own', writable: true, enumerable: true, configurable: true });
      Object.defineProperty(x, 'fixed', { value: 'own fixed', writable: true, enumerable: true, configurable: true });
      (x as unknown as { other: number[] }).other = [1];
      const y = deepcopy(x);
      expect(Object.getPrototypeOf(y)).to.equal(DcSpecGuarded.prototype);
      expect(Object.getOwnPropertyDescriptor(y, 'name')).to.deep.equal({ value: 'own', writable: true, enumerable: true, configurable: true });
      expect(Object.getOwnPropertyDescriptor(y, 'fixed')!.value).to.equal('own fixed');
      expect((y as unknown as { other: number[] }).other).to.deep.equal([1]);
    });

    it('never runs a prototype setter, whether a copy meets one instance or many (names listed lazily)', () => {
      let calls = 0;
      class DcSpecLazyGuard {
        set tag(_v: string) {
          calls++;
        }
      }
      const arrayProto = Array.prototype as unknown as Record<string, unknown>;
      Object.defineProperty(Date.prototype, 'dcSpecTag', { set: () => calls++, configurable: true });
      Object.defineProperty(Array.prototype, 'dcSpecTag', { set: () => calls++, configurable: true });
      try {
        const make = (): object => {
          const o = new DcSpecLazyGuard();
          Object.defineProperty(o, 'tag', { value: 'own', writable: true, enumerable: true, configurable: true });
          const d = new Date(0);
          Object.defineProperty(d, 'dcSpecTag', { value: 'date', writable: true, enumerable: true, configurable: true });
          const a = [1];
          Object.defineProperty(a, 'dcSpecTag', { value: 'array', writable: true, enumerable: true, configurable: true });
          return [o, d, a];
        };
        for (const n of [1, 3, 50]) {
          const ys = deepcopy(Array.from({ length: n }, make)) as [DcSpecLazyGuard, Date, number[]][];
          for (const [o, d, a] of ys) {
            expect(Object.getOwnPropertyDescriptor(o, 'tag')!.value).to.equal('own');
            expect(Object.getOwnPropertyDescriptor(d, 'dcSpecTag')!.value).to.equal('date');
            expect(Object.getOwnPropertyDescriptor(a, 'dcSpecTag')!.value).to.equal('array');
          }
        }
        expect(calls).to.equal(0);
      } finally {
        delete (Date.prototype as unknown as Record<string, unknown>).dcSpecTag;
        delete arrayProto.dcSpecTag;
      }
    });

    it("keeps each property's attributes (read-only, non-configurable) on plain objects and instances", () => {
      class DcSpecAttrs {}
      for (const x of [{} as object, new DcSpecAttrs()]) {
        Object.defineProperty(x, 'ro', { value: { a: 1 }, writable: false, enumerable: true, configurable: true });
        Object.defineProperty(x, 'fixed', { value: 2, writable: true, enumerable: true, configurable: false });
        Object.defineProperty(x, '__proto__', { value: 3, writable: true, enumerable: true, configurable: true });
        const y = deepcopy(x) as Record<string, unknown>;
        const ro = Object.getOwnPropertyDescriptor(y, 'ro')!;
        expect([ro.writable, ro.configurable]).to.deep.equal([false, true]);
        expect(ro.value).to.deep.equal({ a: 1 });
        expect(ro.value).to.not.equal((x as Record<string, unknown>).ro);
        expect(Object.getOwnPropertyDescriptor(y, 'fixed')!.configurable).to.equal(false);
        expect(Object.getOwnPropertyDescriptor(y, '__proto__')!.value).to.equal(3);
        expect(Object.getPrototypeOf(y)).to.equal(Object.getPrototypeOf(x));
      }
    });

    it('keeps -0, NaN and bigints', () => {
      const y = deepcopy({ a: [-0, NaN, 2n ** 70n, undefined] });
      expect(Object.is(y.a[0], -0)).to.equal(true);
      expect(Number.isNaN(y.a[1])).to.equal(true);
      expect(y.a[2]).to.equal(2n ** 70n);
      expect(y.a).to.have.length(4);
      expect(3 in y.a).to.equal(true);
    });

    it('keeps holes and deep-copies extra own properties of arrays', () => {
      // eslint-disable-next-line no-sparse-arrays
      const x = [[1], , [3]] as unknown[] & { extra?: unknown; [s: symbol]: unknown };
      x.extra = x[0];
      const sym = Symbol('k');
      x[sym] = [4];
      const y = deepcopy(x);
      expect(y.length).to.equal(3);
      expect(1 in y).to.equal(false);
      expect(y[0]).to.deep.equal([1]);
      expect(y[0]).to.not.equal(x[0]);
      expect(y.extra).to.equal(y[0]);
      expect(y[sym]).to.deep.equal([4]);
      expect(y[sym]).to.not.equal(x[sym]);
    });

    it('an array of 2^16 items or more, all present, keeps its symbol-keyed extras but not its string-keyed ones (README)', () => {
      const long = Array.from({ length: 1 << 16 }, (_, i) => i) as number[] & { extra?: unknown; [s: symbol]: unknown };
      const sym = Symbol('k');
      long.extra = [1];
      long[sym] = [2];
      const y = deepcopy(long);
      expect(y).to.have.length(1 << 16);
      expect(y[65535]).to.equal(65535);
      expect(y[sym]).to.deep.equal([2]);
      expect(y.extra).to.equal(undefined);
      // One item short of the threshold, or a sparse array of any length, keeps them all.
      const shorter = long.slice(1) as typeof long;
      shorter.extra = [1];
      expect(deepcopy(shorter).extra).to.deep.equal([1]);
      const sparse = [] as unknown[] & { extra?: unknown };
      sparse[1 << 20] = 1;
      sparse.extra = [3];
      expect(deepcopy(sparse).extra).to.deep.equal([3]);
      expect(copy(sparse).extra).to.equal(sparse.extra);
      // With one hole in a hundred the answer is the same every time (it once depended on chance).
      const holey = long.slice() as typeof long;
      for (let i = 7; i < holey.length; i += 100) delete holey[i];
      holey.extra = [4];
      for (let run = 0; run < 5; run++) expect(deepcopy(holey).extra).to.deep.equal([4]);
      // An Array subclass keeps its own properties at any length.
      class Labelled extends Array<number> {
        label?: string;
      }
      const labelled = new Labelled();
      for (let i = 0; i < 1 << 16; i++) labelled.push(i);
      labelled.label = 'kept';
      expect(deepcopy(labelled).label).to.equal('kept');
    });

    it('keeps array properties whose names look numeric but are not indices ("1.5", "01", "-1")', () => {
      const x = [1, 2] as unknown as Record<string, unknown>;
      for (const k of ['1.5', '01', '-1', '4294967295']) x[k] = [k];
      const y = deepcopy(x);
      for (const k of ['1.5', '01', '-1', '4294967295']) {
        expect(y[k], k).to.deep.equal([k]);
        expect(y[k], k).to.not.equal(x[k]);
      }
      expect(copy(x)['1.5']).to.equal(x['1.5']);
    });

    it('copies null-prototype objects', () => {
      const x = Object.create(null) as Record<string, unknown>;
      x.a = [1];
      x.self = x;
      const y = deepcopy(x);
      expect(Object.getPrototypeOf(y)).to.equal(null);
      expect(y.a).to.deep.equal([1]);
      expect(y.a).to.not.equal(x.a);
      expect(y.self).to.equal(y);
    });

    it('deep-copies Map keys and values, keeping their sharing', () => {
      const k = { key: 1 };
      const x = new Map<unknown, unknown>([
        [k, k],
        ['s', [1]],
      ]);
      x.set('me', x);
      const y = deepcopy(x);
      const [yk] = [...y.keys()];
      expect(yk).to.deep.equal(k);
      expect(yk).to.not.equal(k);
      expect(y.get(yk)).to.equal(yk);
      expect(y.has(k)).to.equal(false);
      expect(y.get('s')).to.deep.equal([1]);
      expect(y.get('me')).to.equal(y);
    });

    it('copies a Set that contains itself', () => {
      const x = new Set<unknown>([1, [2]]);
      x.add(x);
      const y = deepcopy(x);
      expect(y).to.not.equal(x);
      expect(y.has(y)).to.equal(true);
      expect(y.has(x)).to.equal(false);
      expect(y.size).to.equal(3);
    });

    it('copies Dates and RegExps (with lastIndex)', () => {
      const re = /x+/g;
      re.lastIndex = 2;
      const d = new Date(12345);
      const y = deepcopy({ d, re, again: d });
      expect(y.d).to.not.equal(d);
      expect(y.d.getTime()).to.equal(12345);
      expect(y.again).to.equal(y.d);
      expect(y.re).to.not.equal(re);
      expect(y.re.flags).to.equal('g');
      expect(y.re.lastIndex).to.equal(2);
    });

    it('views that share a buffer share the copied buffer', () => {
      const buffer = new ArrayBuffer(32);
      new Uint8Array(buffer).forEach((_, i, a) => (a[i] = i));
      const views = [
        new Int8Array(buffer, 1, 3),
        new Uint8Array(buffer),
        new Uint8ClampedArray(buffer, 2),
        new Int16Array(buffer, 4, 2),
        new Uint16Array(buffer, 2, 3),
        new Int32Array(buffer, 8, 1),
        new Uint32Array(buffer, 4),
        new Float32Array(buffer, 12, 2),
        new Float64Array(buffer, 8, 3),
        new BigInt64Array(buffer, 16, 1),
        new BigUint64Array(buffer, 8),
        new DataView(buffer, 3, 7),
      ];
      const y = deepcopy({ views, buffer });
      expect(y.buffer).to.not.equal(buffer);
      expect([...new Uint8Array(y.buffer)]).to.deep.equal([...new Uint8Array(buffer)]);
      y.views.forEach((v, i) => {
        const x = views[i]!;
        expect(v, x.constructor.name).to.be.an.instanceOf(x.constructor);
        expect(v).to.not.equal(x);
        expect(v.buffer).to.equal(y.buffer);
        expect(v.byteOffset).to.equal(x.byteOffset);
        expect(v.byteLength).to.equal(x.byteLength);
      });
      // Writing through one copied view shows through the others, not in the original.
      (y.views[1] as Uint8Array)[9] = 200;
      expect((y.views[8] as Float64Array)[0]).to.not.equal((views[8] as Float64Array)[0]);
      expect(new Uint8Array(buffer)[9]).to.equal(9);
    });

    it('shares the copied buffer even when the buffer is reached after its views', () => {
      const buffer = new ArrayBuffer(8);
      const a = new Uint8Array(buffer, 0, 4);
      const b = new Uint16Array(buffer, 4, 2);
      const y = deepcopy([a, b, buffer] as const);
      expect(y[0].buffer).to.equal(y[2]);
      expect(y[1].buffer).to.equal(y[2]);
      expect(y[2]).to.not.equal(buffer);
    });

    it('an array spanning a buffer of its own shares that buffer\'s copy with views met later, and with the buffer itself', () => {
      const buffer = new ArrayBuffer(8);
      const whole = new Float64Array(buffer);
      const later = new DataView(buffer, 4);
      whole[0] = 1.5;
      const y = deepcopy([whole, later, buffer, whole] as const);
      expect(y[0]).to.be.instanceOf(Float64Array);
      expect(y[0][0]).to.equal(1.5);
      expect(y[0].buffer).to.not.equal(buffer);
      expect(y[1].buffer).to.equal(y[0].buffer);
      expect(y[2]).to.equal(y[0].buffer);
      expect(y[3]).to.equal(y[0]);
      // A subclass, a resizable buffer and a shared one take the general path.
      class Bytes extends Uint8Array {}
      const sub = deepcopy(new Bytes([1, 2]));
      expect(sub).to.be.instanceOf(Bytes);
      expect(Array.from(sub)).to.deep.equal([1, 2]);
      const resizable = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(4, { maxByteLength: 8 });
      const r = deepcopy(new Uint8Array(resizable, 0, 4));
      expect((r.buffer as unknown as { maxByteLength: number }).maxByteLength).to.equal(8);
      const shared = new Int32Array(new SharedArrayBuffer(8));
      expect(deepcopy(shared).buffer).to.equal(shared.buffer);
      // The copy is made by the array's own type, never through its constructor or Symbol.species.
      const spoofed = Object.assign(new Uint8Array([1, 2, 3]), { constructor: Float32Array });
      const speciesRuns: number[] = [];
      const species = Object.assign(new Uint8Array([4]), {
        constructor: { [Symbol.species]: (n: number) => (speciesRuns.push(n), new Uint8Array(n + 5)) },
      });
      const copies = deepcopy([spoofed, species]);
      expect(copies[0]).to.be.instanceOf(Uint8Array);
      expect(copies[0].byteLength).to.equal(3);
      expect(copies[1]).to.have.length(1);
      expect(speciesRuns).to.deep.equal([]);
    });

    it('tuples and frozen plain objects follow _deepcopy_tuple: same object unless a part changed, cycles and sharing kept', () => {
      const unchanged = Object.freeze([1, 'a', Object.freeze({ b: 2 })]);
      expect(deepcopy(unchanged)).to.equal(unchanged);
      const list = [1];
      const tuple = Object.freeze([list, list, , 3]);
      const y = deepcopy(tuple) as unknown[];
      expect(y).to.not.equal(tuple);
      expect(Object.isFrozen(y)).to.equal(true);
      expect(y[0]).to.equal(y[1]);
      expect(y[0]).to.not.equal(list);
      expect(2 in y).to.equal(false);
      expect(y).to.have.length(4);
      // A tuple that contains itself through tuples alone gets one copy containing itself.
      const self: unknown[] = [];
      self.push(self, [1]);
      Object.freeze(self);
      const selfCopy = deepcopy(self);
      expect(selfCopy[0]).to.equal(selfCopy);
      expect(selfCopy).to.not.equal(self);
      // Through a list: the list's copy holds the tuple's copy, which is the result.
      const inner: unknown[] = [];
      const outer = Object.freeze([inner]);
      inner.push(outer);
      const outerCopy = deepcopy(outer) as unknown as [unknown[]];
      expect(outerCopy[0][0]).to.equal(outerCopy);
      // A frozen plain object: an own __proto__ key stays a key, an accessor stays an accessor.
      const frozen = Object.freeze(
        Object.defineProperty(Object.defineProperty({ a: [1] }, '__proto__', { value: [2], enumerable: true }), 'g', {
          get: () => 1,
          enumerable: true,
        }),
      ) as { a: number[] };
      const f = deepcopy(frozen);
      expect(Object.getPrototypeOf(f)).to.equal(Object.prototype);
      expect(Object.getOwnPropertyNames(f)).to.deep.equal(['a', '__proto__', 'g']);
      expect(typeof Object.getOwnPropertyDescriptor(f, 'g')!.get).to.equal('function');
      expect(Object.isFrozen(f)).to.equal(true);
      expect(f.a).to.not.equal(frozen.a);
      const plain = Object.freeze({ a: [1], __proto__x: 1 });
      const p = deepcopy(plain);
      expect(Object.isFrozen(p)).to.equal(true);
      expect(p.a).to.deep.equal([1]);
    });

    it("makes an Error's copy without capturing a stack of its own, and leaves Error.stackTraceLimit as it was", () => {
      const errors = [new Error('a'), new TypeError('b'), Object.assign(new RangeError('c'), { code: 1 })];
      const limit = Error.stackTraceLimit;
      const y = deepcopy(errors);
      expect(Error.stackTraceLimit).to.equal(limit);
      y.forEach((e, i) => {
        expect(e).to.not.equal(errors[i]);
        expect(e.stack).to.equal(errors[i]!.stack);
        expect(Object.getPrototypeOf(e)).to.equal(Object.getPrototypeOf(errors[i]));
      });
      // Without an own stack, a copy has none of deepcopy's frames either.
      const bare = new Error('no stack');
      delete (bare as { stack?: string }).stack;
      expect(String(deepcopy(bare).stack ?? '')).to.not.include('deepcopy');
      // A hook that throws while the limit is lowered leaves it as it was.
      class Throwing extends Error {
        __reduce_ex__(): never {
          throw new Error('no');
        }
      }
      expect(() => deepcopy(new Throwing('t'))).to.throw('no');
      expect(Error.stackTraceLimit).to.equal(limit);
    });

    it('copies Errors: message and stack kept, cause and own properties deep-copied', () => {
      const cause = { why: ['x'] };
      const x = new TypeError('bad', { cause }) as TypeError & { data?: unknown };
      x.data = [cause];
      const y = deepcopy(x);
      expect(y).to.be.an.instanceOf(TypeError);
      expect(y.message).to.equal('bad');
      expect(y.stack).to.equal(x.stack);
      expect(y.cause).to.deep.equal(cause);
      expect(y.cause).to.not.equal(cause);
      expect((y.data as unknown[])[0]).to.equal(y.cause);
      expect(Object.getOwnPropertyDescriptor(y, 'cause')?.enumerable).to.equal(false);
    });

    it('copies Error subclasses without running their constructor', () => {
      let constructed = 0;
      class DeepSpecError extends RangeError {
        extra = [1];
        constructor(m: string) {
          super(m, { cause: new Error('inner') });
          constructed++;
        }
      }
      const x = new DeepSpecError('outer');
      const y = deepcopy(x);
      expect(y).to.be.an.instanceOf(DeepSpecError);
      expect(y.message).to.equal('outer');
      expect(y.stack).to.equal(x.stack);
      expect((y.cause as Error).message).to.equal('inner');
      expect(y.cause).to.not.equal(x.cause);
      expect(y.extra).to.deep.equal([1]);
      expect(y.extra).to.not.equal(x.extra);
      expect(constructed).to.equal(1);
    });

    it('copies boxed primitives', () => {
      const values: object[] = [new Number(NaN), new String(''), new Boolean(true), Object(1n)];
      const y = deepcopy(values);
      y.forEach((v, i) => {
        expect(v).to.not.equal(values[i]);
        expect(Object.is(v.valueOf(), values[i]!.valueOf())).to.equal(true);
      });
    });

    it('deep-copies symbol-keyed own properties', () => {
      const k = Symbol('k');
      const x = { [k]: [1] };
      const y = deepcopy(x);
      expect(y[k]).to.deep.equal([1]);
      expect(y[k]).to.not.equal(x[k]);
    });

    it('copies accessor properties as accessors without invoking them', () => {
      const get = (): never => {
        throw new Error('getter invoked');
      };
      class DeepSpecAccessor {}
      const inst = new DeepSpecAccessor();
      const plain = {};
      for (const o of [inst, plain]) {
        Object.defineProperty(o, 'a', { get, enumerable: true, configurable: true });
      }
      const arr = Object.defineProperty([1], 'a', { get, enumerable: true });
      const y = deepcopy({ inst, plain, arr });
      for (const o of [y.inst, y.plain, y.arr]) {
        expect(Object.getOwnPropertyDescriptor(o, 'a')?.get).to.equal(get);
      }
    });

    it('keeps the frozen, sealed and non-extensible states', () => {
      class DeepSpecFrozen {
        list = [1];
      }
      const frozen = Object.freeze(new DeepSpecFrozen());
      const y = deepcopy({
        frozen,
        sealedArray: Object.seal([[1]]),
        closedMap: Object.preventExtensions(new Map([[1, [2]]])),
        sealedPlain: Object.seal({ a: [1] }),
      });
      expect(y.frozen).to.not.equal(frozen);
      expect(y.frozen).to.be.an.instanceOf(DeepSpecFrozen);
      expect(Object.isFrozen(y.frozen)).to.equal(true);
      expect(y.frozen.list).to.not.equal(frozen.list);
      expect(Object.isSealed(y.sealedArray)).to.equal(true);
      expect(Object.isFrozen(y.sealedArray)).to.equal(false);
      expect(Object.isExtensible(y.closedMap)).to.equal(false);
      expect(Object.isSealed(y.sealedPlain)).to.equal(true);
      expect(y.sealedPlain.a).to.not.equal(y.sealedArray);
    });

    it('a frozen array (tuple) or frozen plain object is new only when a part changed', () => {
      const same = Object.freeze([1, 'a', Object.freeze({ b: 2 })]);
      expect(deepcopy(same)).to.equal(same);
      const changed = Object.freeze({ a: [1], b: 2 });
      const y = deepcopy(changed);
      expect(y).to.not.equal(changed);
      expect(Object.isFrozen(y)).to.equal(true);
      // A tuple is not memoized when it is returned as is.
      const memo = new Map<unknown, unknown>();
      deepcopy(same, memo);
      expect(memo.size).to.equal(0);
    });

    it('copies frozen arrays and frozen plain objects that contain themselves', () => {
      const arr: unknown[] = [];
      arr.push(arr, [1]);
      Object.freeze(arr);
      const ya = deepcopy(arr);
      expect(ya).to.not.equal(arr);
      expect(ya[0]).to.equal(ya);
      expect(ya[1]).to.deep.equal([1]);
      expect(Object.isFrozen(ya)).to.equal(true);

      const obj: Record<string, unknown> = { n: 1 };
      obj.self = obj;
      Object.freeze(obj);
      const yo = deepcopy(obj);
      expect(yo).to.not.equal(obj);
      expect(yo.self).to.equal(yo);
      expect(Object.isFrozen(yo)).to.equal(true);

      // Two tuples that contain each other, reached from a list.
      const t1: unknown[] = [];
      const t2 = Object.freeze([t1]);
      t1.push(t2);
      Object.freeze(t1);
      const y = deepcopy([t1, t2]);
      expect(y[0]).to.not.equal(t1);
      expect(y[0]![0]).to.equal(y[1]);
      expect(y[1]![0]).to.equal(y[0]);
    });

    it('copies class instances without running constructors, at any depth', () => {
      let constructed = 0;
      class DeepSpecCounted {
        child: DeepSpecCounted | null = null;
        constructor(throwIt = false) {
          if (throwIt) throw new Error('constructor ran');
          constructed++;
        }
      }
      const x = new DeepSpecCounted();
      x.child = new DeepSpecCounted();
      x.child.child = x;
      const y = deepcopy(x);
      expect(constructed).to.equal(2);
      expect(y).to.be.an.instanceOf(DeepSpecCounted);
      expect(y.child).to.be.an.instanceOf(DeepSpecCounted);
      expect(y.child).to.not.equal(x.child);
      expect(y.child!.child).to.equal(y);
    });

    it('keeps holes in Array subclasses', () => {
      class DeepSpecHoles extends Array<unknown> {}
      const x = new DeepSpecHoles(4);
      x[1] = ['b'];
      const y = deepcopy(x);
      expect(y).to.be.an.instanceOf(DeepSpecHoles);
      expect(y.length).to.equal(4);
      expect([0 in y, 1 in y, 2 in y, 3 in y]).to.deep.equal([false, true, false, false]);
      expect(y[1]).to.deep.equal(['b']);
      expect(y[1]).to.not.equal(x[1]);
    });

    it('copies subclasses of Array, Map, Set, Date and Error', () => {
      class DeepSpecArr extends Array<unknown> {}
      class DeepSpecMap extends Map<unknown, unknown> {}
      class DeepSpecSet extends Set<unknown> {}
      class DeepSpecDate extends Date {}
      class DeepSpecErr extends Error {}
      const shared = [1];
      const arr = DeepSpecArr.from([shared, shared]) as DeepSpecArr;
      const x = {
        arr,
        map: new DeepSpecMap([[shared, arr]]),
        set: new DeepSpecSet([shared]),
        date: new DeepSpecDate(7),
        err: new DeepSpecErr('e'),
      };
      const y = deepcopy(x);
      expect(y.arr).to.be.an.instanceOf(DeepSpecArr);
      expect(y.arr[0]).to.deep.equal([1]);
      expect(y.arr[0]).to.not.equal(shared);
      expect(y.arr[1]).to.equal(y.arr[0]);
      expect(y.map).to.be.an.instanceOf(DeepSpecMap);
      expect(y.map.get(y.arr[0])).to.equal(y.arr);
      expect(y.set).to.be.an.instanceOf(DeepSpecSet);
      expect(y.set.has(y.arr[0])).to.equal(true);
      expect(y.date).to.be.an.instanceOf(DeepSpecDate);
      expect(y.date.getTime()).to.equal(7);
      expect(y.err).to.be.an.instanceOf(DeepSpecErr);
      expect(y.err.message).to.equal('e');
    });

    it('keeps __proto__, constructor and prototype own keys as own data properties', () => {
      const x = JSON.parse('{"__proto__": {"polluted": [1]}, "constructor": {}, "prototype": []}');
      class DeepSpecProtoKeys {}
      const inst = new DeepSpecProtoKeys();
      const data = { enumerable: true, writable: true, configurable: true };
      Object.defineProperty(inst, '__proto__', { value: [2], ...data });
      const arr = Object.defineProperty([], '__proto__', { value: 3, enumerable: true });
      const y = deepcopy({ x, inst, arr });
      expect(Object.getPrototypeOf(y.x)).to.equal(Object.prototype);
      expect(Object.keys(y.x)).to.deep.equal(['__proto__', 'constructor', 'prototype']);
      const own = Object.getOwnPropertyDescriptor(y.x, '__proto__');
      expect(own?.value).to.deep.equal({ polluted: [1] });
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.getPrototypeOf(y.inst)).to.equal(DeepSpecProtoKeys.prototype);
      expect(Object.getOwnPropertyDescriptor(y.inst, '__proto__')?.value).to.deep.equal([2]);
      expect(Object.getPrototypeOf(y.arr)).to.equal(Array.prototype);
      expect(Object.getOwnPropertyDescriptor(y.arr, '__proto__')?.value).to.equal(3);
    });

    it('rejects WeakMap, WeakSet, Promise and generators with "cannot pickle"', () => {
      function* gen(): Generator<number> {
        yield 1;
      }
      const values = [new WeakMap(), new WeakSet(), Promise.resolve(), gen(), new Set().values()];
      for (const v of values) {
        expect(() => deepcopy({ nested: [v] })).to.throw(TypeError, 'cannot pickle');
      }
    });

    it('returns WeakRef, SharedArrayBuffer, functions, classes and symbols as they are', () => {
      class DeepSpecAtomic {}
      const atoms: unknown[] = [new WeakRef({}), new SharedArrayBuffer(4)];
      atoms.push(() => 1, DeepSpecAtomic, Symbol('s'));
      const y = deepcopy(atoms);
      expect(y).to.not.equal(atoms);
      y.forEach((v, i) => expect(v).to.equal(atoms[i]));
      const view = new Int32Array(atoms[1] as SharedArrayBuffer);
      expect(deepcopy(view).buffer).to.equal(atoms[1]);
    });
  });

  describe('memo and hooks', () => {
    it('honours a hook one instance owns (even non-enumerable) among instances of a class without one', () => {
      class DcSpecOwnHook {
        v = 1;
      }
      const plain = new DcSpecOwnHook();
      const hooked = new DcSpecOwnHook();
      Object.defineProperty(hooked, '__deepcopy__', { value: () => 'hooked', enumerable: false });
      const reduced = new DcSpecOwnHook();
      Object.defineProperty(reduced, '__reduce_ex__', { value: () => [Array, []], enumerable: false });
      const stated = new DcSpecOwnHook();
      Object.defineProperty(stated, '__getstate__', { value: () => ({ v: 9 }), enumerable: false });
      const reducedToo = Object.assign(new DcSpecOwnHook(), { __reduce__: () => [Array, [3]] });
      const y = deepcopy([plain, hooked, reduced, plain, stated, reducedToo]);
      expect(y[0]).to.be.instanceOf(DcSpecOwnHook);
      expect(y[0]).to.not.equal(plain);
      expect(y[1]).to.equal('hooked');
      expect(y[2]).to.deep.equal([]);
      expect(y[3]).to.equal(y[0]);
      expect(y[4]).to.be.instanceOf(DcSpecOwnHook);
      expect((y[4] as DcSpecOwnHook).v).to.equal(9);
      // As in CPython, object.__reduce_ex__ calls __reduce__ only when the class overrides it.
      expect(y[5]).to.be.instanceOf(DcSpecOwnHook);
      expect((y[5] as unknown as { __reduce__: unknown }).__reduce__).to.equal(reducedToo.__reduce__);
    });

    it('__deepcopy__ receives the Map passed in', () => {
      const seen: unknown[] = [];
      class DeepSpecMemoHook {
        __deepcopy__(memo: Map<unknown, unknown>): string {
          seen.push(memo);
          return 'copied';
        }
      }
      const memo = new Map<unknown, unknown>();
      const x = [new DeepSpecMemoHook()];
      expect(deepcopy(x, memo)).to.deep.equal(['copied']);
      expect(seen).to.deep.equal([memo]);
      expect(seen[0]).to.equal(memo);
      expect(memo.get(x[0])).to.equal('copied');
      expect(memo.get(x)).to.deep.equal(['copied']);
    });

    it('__deepcopy__ is looked up on the instance', () => {
      const x = { __deepcopy__: (_memo: unknown) => 'own hook' };
      class DeepSpecOwnHook {}
      const inst = Object.assign(new DeepSpecOwnHook(), { __deepcopy__: () => 'instance hook' });
      expect(deepcopy(inst)).to.equal('instance hook');
      // A plain object is a dict: its keys are data, never hooks.
      expect(deepcopy(x)).to.not.equal('own hook');
    });

    it('a __deepcopy__ returning the object itself is not memoized', () => {
      class DeepSpecSelf {
        __deepcopy__(): this {
          return this;
        }
      }
      const x = new DeepSpecSelf();
      const memo = new Map<unknown, unknown>();
      expect(deepcopy(x, memo)).to.equal(x);
      expect(memo.has(x)).to.equal(false);
    });

    it('honours a pre-seeded memo, at the top and inside', () => {
      const a = { a: 1 };
      const b = [a];
      const replacement = { replaced: true };
      const memo = new Map<unknown, unknown>([[a, replacement]]);
      const y = deepcopy({ b, a }, memo);
      expect(y.b[0]).to.equal(replacement);
      expect(y.a).to.equal(replacement);
      expect(deepcopy(a, new Map([[a, 'seeded']]))).to.equal('seeded');
      expect(deepcopy(a, new Map([[a, undefined]]))).to.equal(undefined);
    });

    it('fills the memo passed in with every copied object', () => {
      const inner = { i: 1 };
      const x = [inner, new Map([[1, inner]])];
      const memo = new Map<unknown, unknown>();
      const y = deepcopy(x, memo);
      expect(memo.get(x)).to.equal(y);
      expect(memo.get(inner)).to.equal(y[0]);
      expect(memo.get(x[1])).to.equal(y[1]);
      expect(deepcopy(x, memo)).to.equal(y);
    });

    it('a hook that calls deepcopy with the memo keeps sharing and cycles', () => {
      class DeepSpecNested {
        children: unknown[] = [];
        __deepcopy__(memo: Map<unknown, unknown>): DeepSpecNested {
          const y = new DeepSpecNested();
          memo.set(this, y);
          y.children = deepcopy(this.children, memo);
          return y;
        }
      }
      const x = new DeepSpecNested();
      const shared = [1];
      x.children.push(x, shared, shared);
      const y = deepcopy([x, shared]);
      const cy = y[0] as DeepSpecNested;
      expect(cy.children[0]).to.equal(cy);
      expect(cy.children[1]).to.equal(y[1]);
      expect(cy.children[2]).to.equal(y[1]);
    });

    it('uses a dispatchTable entry for the exact class only', () => {
      class DeepSpecDispatch {
        a = [1];
      }
      class DeepSpecDispatchSub extends DeepSpecDispatch {}
      let calls = 0;
      try {
        pickle(DeepSpecDispatch, (o) => {
          calls++;
          return [(a: number[]) => ({ fromReducer: a }), [o.a]];
        });
        const x = new DeepSpecDispatch();
        const y = deepcopy([x, x]) as unknown as { fromReducer: number[] }[];
        expect(y[0]).to.equal(y[1]);
        expect(y[0]!.fromReducer).to.deep.equal([1]);
        expect(y[0]!.fromReducer).to.not.equal(x.a);
        expect(calls).to.equal(1);
        expect(deepcopy(new DeepSpecDispatchSub())).to.be.an.instanceOf(DeepSpecDispatchSub);
        expect(calls).to.equal(1);
      } finally {
        dispatchTable.delete(DeepSpecDispatch);
      }
    });

    it('deep-copies list and dict items on subclasses and on append/__setitem__ objects', () => {
      class DeepSpecItemsList extends Array<unknown> {
        __reduce__(): unknown {
          return [DeepSpecItemsList, [], null, this.values()];
        }
      }
      class DeepSpecItemsMap extends Map<unknown, unknown> {
        __reduce__(): unknown {
          return [DeepSpecItemsMap, [], null, null, this.entries()];
        }
      }
      class DeepSpecBag {
        items: unknown[] = [];
        pairs: unknown[] = [];
        append(v: unknown): void {
          this.items.push(v);
        }
        __setitem__(k: unknown, v: unknown): void {
          this.pairs.push([k, v]);
        }
        __reduce__(): unknown {
          return [DeepSpecBag, [], null, this.items, this.pairs];
        }
      }
      const k = { k: 1 };
      const list = DeepSpecItemsList.from([k]) as DeepSpecItemsList;
      const map = new DeepSpecItemsMap([[k, list]]);
      const bag = new DeepSpecBag();
      bag.append(k);
      bag.__setitem__(k, map);
      const y = deepcopy({ k, list, map, bag });
      expect(y.list).to.be.an.instanceOf(DeepSpecItemsList);
      expect(y.list[0]).to.equal(y.k);
      expect(y.map).to.be.an.instanceOf(DeepSpecItemsMap);
      expect([...y.map]).to.deep.equal([[y.k, y.list]]);
      expect(y.map.get(y.k)).to.equal(y.list);
      expect(y.bag.items).to.deep.equal([y.k]);
      expect(y.bag.items[0]).to.equal(y.k);
      expect(y.bag.pairs).to.deep.equal([[y.k, y.map]]);
      expect((y.bag.pairs[0] as unknown[])[1]).to.equal(y.map);
    });

    it('applies falsy states, deep-copied', () => {
      const seen: unknown[] = [];
      class DeepSpecFalsy {
        constructor(public s: unknown) {}
        __getstate__(): unknown {
          return this.s;
        }
        __setstate__(state: unknown): void {
          seen.push(state);
        }
      }
      const empty: unknown[] = [];
      for (const s of [0, '', false, empty]) deepcopy(new DeepSpecFalsy(s));
      expect(seen).to.deep.equal([0, '', false, []]);
      expect(seen[3]).to.not.equal(empty);
    });

    it('__reduce_ex__ receives 4 and beats __reduce__', () => {
      const seen: number[] = [];
      class DeepSpecReduceExArg {
        __reduce_ex__(protocol: number): unknown {
          seen.push(protocol);
          return [DeepSpecReduceExArg, []];
        }
        __reduce__(): never {
          return shouldNotCall();
        }
      }
      expect(deepcopy(new DeepSpecReduceExArg())).to.be.an.instanceOf(DeepSpecReduceExArg);
      expect(seen).to.deep.equal([4]);
    });

    it('memoizes a reduced object before its state, so cycles through state work', () => {
      class DeepSpecStateCycle {
        me?: unknown;
        __reduce__(): unknown {
          return [DeepSpecStateCycle, [], { me: [this] }];
        }
      }
      const x = new DeepSpecStateCycle();
      const y = deepcopy(x);
      expect((y.me as unknown[])[0]).to.equal(y);
    });

    it('a cycle back through reduce args makes a second copy, as CPython does (its args are memoized by then)', () => {
      class DeepSpecArgsCycle {
        peer: { owner?: DeepSpecArgsCycle } = {};
        __reduce__(): unknown {
          return [(peer: object) => Object.assign(new DeepSpecArgsCycle(), { peer }), [this.peer]];
        }
      }
      const x = new DeepSpecArgsCycle();
      x.peer.owner = x;
      // CPython: copying the args reaches x again, which is rebuilt from the (memoized) peer copy;
      // the outer copy is made afterwards and is the result.
      const y = deepcopy(x);
      expect(y).to.be.instanceOf(DeepSpecArgsCycle);
      expect(y.peer.owner).to.be.instanceOf(DeepSpecArgsCycle);
      expect(y.peer.owner).to.not.equal(y);
      expect(y.peer.owner!.peer).to.equal(y.peer);
    });

    it('a memo entry of null is a hit anywhere in the walk, and a __deepcopy__ returning null runs once', () => {
      const child = { c: 1 };
      const memo = new Map<unknown, unknown>([[child, null]]);
      expect(deepcopy({ a: child, b: [child] }, memo)).to.deep.equal({ a: null, b: [null] });
      let calls = 0;
      class DeepSpecNullCopy {
        __deepcopy__(): null {
          calls++;
          return null;
        }
      }
      const h = new DeepSpecNullCopy();
      expect(deepcopy([h, h, { h }])).to.deep.equal([null, null, { h: null }]);
      expect(calls).to.equal(1);
    });

    it('through a hook, a sealed Array subclass and a frozen instance keep their integrity (applied after the items)', () => {
      class DeepSpecSealedArr extends Array<unknown> {
        __getstate__(): null {
          return null;
        }
      }
      class DeepSpecFrozenHooked {
        x = 1;
        __getstate__(): object {
          return { x: this.x };
        }
      }
      const a = Object.seal(DeepSpecSealedArr.from([1, 2]) as DeepSpecSealedArr);
      const p = Object.freeze(new DeepSpecFrozenHooked());
      for (const f of [copy, deepcopy] as const) {
        const b = f(a);
        expect([...b]).to.deep.equal([1, 2]);
        expect(Object.isSealed(b)).to.equal(true);
        expect(Object.isFrozen(f(p))).to.equal(true);
      }
    });

    it('a sparse array of length 2^32-1 copies its few items and keeps the holes (shallow and deep)', () => {
      const a: unknown[] & { extra?: number } = [];
      a[4294967294] = { v: 1 };
      a[5] = 'x';
      a.extra = 2;
      for (const y of [copy(a), deepcopy(a)]) {
        expect(y.length).to.equal(4294967295);
        expect(y[5]).to.equal('x');
        expect(y[4294967294]).to.deep.equal({ v: 1 });
        expect(6 in y).to.equal(false);
        expect(Object.keys(y)).to.deep.equal(['5', '4294967294', 'extra']);
      }
      expect(deepcopy(a)[4294967294]).to.not.equal(a[4294967294]);
      expect(copy(a)[4294967294]).to.equal(a[4294967294]);
    });

    it('a sparse array is walked by its items whatever their places, its depth, or its frozen state', () => {
      const n = 2 ** 32 - 1;
      // Items at the first, middle and last index: a fixed probe pattern took this for dense.
      const a: unknown[] = [];
      a[0] = { v: 0 };
      a[n >>> 1] = { v: 1 };
      a[n - 1] = { v: 2 };
      const check = (y: unknown[]): void => {
        expect(y.length).to.equal(n);
        expect(Object.keys(y)).to.deep.equal(['0', String(n >>> 1), String(n - 1)]);
        expect(y[n - 1]).to.deep.equal({ v: 2 });
        expect(y[n - 1]).to.not.equal(a[n - 1]);
      };
      check(deepcopy(a));
      expect(Object.keys(copy(a))).to.have.length(3);
      // Past the recursive walker's depth, the frame walker takes it.
      let nested: unknown = a;
      for (let i = 0; i < 1000; i++) nested = [nested];
      let y = deepcopy(nested);
      for (let i = 0; i < 1000; i++) y = (y as unknown[])[0];
      check(y as unknown[]);
      const b: unknown[] = [];
      for (const k of Object.keys(a)) b[Number(k)] = a[Number(k)];
      const frozen = deepcopy(Object.freeze(b));
      expect(Object.isFrozen(frozen)).to.equal(true);
      check(frozen as unknown[]);
    });

    it('a parent rebuilt from its children, which point back at it (CPython copies this)', () => {
      class DeepSpecChild {
        parent: unknown = null;
      }
      class DeepSpecParent {
        constructor(public children: DeepSpecChild[]) {
          for (const c of children) c.parent = this;
        }
        __reduce__(): unknown {
          return [DeepSpecParent, [this.children]];
        }
      }
      const m = new DeepSpecParent([new DeepSpecChild(), new DeepSpecChild()]);
      const y = deepcopy(m);
      expect(y.children).to.have.length(2);
      expect(y.children[0]!.parent).to.equal(y);
      expect(y.children[1]!.parent).to.equal(y);
      expect(y.children[0]).to.not.equal(m.children[0]);
    });

    it('reduce args that lead back to the object through reductions alone: CopyError, not a stack overflow', () => {
      class DeepSpecSelfArg {
        __reduce__(): unknown {
          return [(o: unknown) => o, [this]];
        }
      }
      expect(() => deepcopy(new DeepSpecSelfArg())).to.throw(CopyError, 'lead back to itself');
    });

    it('propagates exceptions from hooks unchanged', () => {
      class DeepSpecBoom {
        __deepcopy__(): never {
          throw new SyntaxError('boom');
        }
      }
      expect(() => deepcopy([{ a: new DeepSpecBoom() }])).to.throw(SyntaxError, 'boom');
    });
  });

  describe('no depth limit', () => {
    it('copies a 1,000,000-long linked list', () => {
      type Node = { v: number; next: Node | null };
      let head: Node | null = null;
      for (let i = 0; i < 1_000_000; i++) head = { v: i, next: head };
      const y = deepcopy(head)!;
      let a: Node | null = head;
      let b: Node | null = y;
      let n = 0;
      while (a !== null && b !== null) {
        if (a === b || a.v !== b.v) break;
        a = a.next;
        b = b.next;
        n++;
      }
      expect(n).to.equal(1_000_000);
      expect(b).to.equal(null);
    });

    it('copies arrays nested 1,000,000 deep', () => {
      let x: unknown[] = [];
      for (let i = 0; i < 1_000_000; i++) x = [x];
      const y = deepcopy(x);
      let a = x;
      let b = y;
      let n = 0;
      while (a.length === 1 && b.length === 1 && a !== b) {
        a = a[0] as unknown[];
        b = b[0] as unknown[];
        n++;
      }
      expect(n).to.equal(1_000_000);
      expect(b).to.deep.equal([]);
      expect(b).to.not.equal(a);
    });

    it('copies a 200,000-long chain of class instances (default reduction)', () => {
      class DeepSpecChain {
        constructor(
          public v: number,
          public next: DeepSpecChain | null,
        ) {}
      }
      let head: DeepSpecChain | null = null;
      for (let i = 0; i < 200_000; i++) head = new DeepSpecChain(i, head);
      const y = deepcopy(head);
      let a = head;
      let b = y;
      let n = 0;
      while (a !== null && b !== null && a !== b && a.v === b.v && b instanceof DeepSpecChain) {
        a = a.next;
        b = b.next;
        n++;
      }
      expect(n).to.equal(200_000);
    });

    it('copies a 100,000-long chain of instances whose __reduce__ returns [Cls, [], state]', () => {
      class DeepSpecReduceChain {
        v = 0;
        next: DeepSpecReduceChain | null = null;
        __reduce__(): unknown {
          return [DeepSpecReduceChain, [], { v: this.v, next: this.next }];
        }
      }
      let head: DeepSpecReduceChain | null = null;
      for (let i = 0; i < 100_000; i++) {
        const node: DeepSpecReduceChain = new DeepSpecReduceChain();
        node.v = i;
        node.next = head;
        head = node;
      }
      const y = deepcopy(head);
      let a = head;
      let b = y;
      let n = 0;
      while (a !== null && b instanceof DeepSpecReduceChain && a !== b && a.v === b.v) {
        a = a.next;
        b = b.next;
        n++;
      }
      expect(n).to.equal(100_000);
    });
  });
});
