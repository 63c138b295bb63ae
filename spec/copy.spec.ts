// copy() and replace(): CPython's Lib/test/test_copy.py (the shallow tests, the _reconstruct
// tests that check copy and deepcopy together, and TestReplace), ported with the adaptations of
// reference/cpython-copyreg-copy.md §5, then the JS types of SPEC §5.
//
// Not ported (Python-only, see the inventory): test_copy_frozenset (no frozenset), test__all__,
// test_copy_tuple_subclass (frozen arrays cannot be subclassed as tuples), test_copy_weakkeydict
// and test_copy_weakvaluedict (no weak dictionaries with observable size).
import { expect } from 'chai';

import { copy, CopyError, deepcopy, dispatchTable, dumps, pickle, PicklingError, replace } from '../lib/index';

/** Fails the test if called: CPython's `self.fail("shouldn't call this")`. */
function shouldNotCall(): never {
  throw new Error("shouldn't call this");
}

describe('copy', () => {
  describe('CPython test_copy.py: copy()', () => {
    it('test_exceptions', () => {
      expect(new CopyError('x')).to.be.an.instanceOf(Error);
      expect(new CopyError('x').name).to.equal('CopyError');
    });

    it('test_copy_basic', () => {
      expect(copy(42)).to.equal(42);
    });

    it('test_copy_copy', () => {
      class CopySpecCopyHook {
        constructor(public foo: number) {}
        __copy__(): CopySpecCopyHook {
          return new CopySpecCopyHook(this.foo);
        }
      }
      const x = new CopySpecCopyHook(42);
      const y = copy(x);
      expect(y.constructor).to.equal(x.constructor);
      expect(y.foo).to.equal(x.foo);
    });

    it('test_copy_registry', () => {
      // JS~: the default reduction never calls the constructor, so the "TypeError before
      // registering" half has no counterpart; check instead that the registered reducer is used.
      let constructed = 0;
      class CopySpecRegistryC {
        constructor(public foo: number) {
          constructed++;
        }
      }
      let reduced = 0;
      const pickleC = (o: CopySpecRegistryC) => {
        reduced++;
        return [CopySpecRegistryC, [o.foo]] as [typeof CopySpecRegistryC, [number]];
      };
      const x = new CopySpecRegistryC(42);
      try {
        pickle(CopySpecRegistryC, pickleC, CopySpecRegistryC);
        const y = copy(x);
        expect(y).to.not.equal(x);
        expect(Object.getPrototypeOf(y)).to.equal(CopySpecRegistryC.prototype);
        expect(y.foo).to.equal(x.foo);
        expect(reduced).to.equal(1);
        expect(constructed).to.equal(2);
      } finally {
        dispatchTable.delete(CopySpecRegistryC);
      }
    });

    it('test_copy_reduce_ex', () => {
      const c: number[] = [];
      class CopySpecReduceEx {
        __reduce_ex__(_proto: number): string {
          c.push(1);
          return '';
        }
        __reduce__(): never {
          return shouldNotCall();
        }
      }
      const x = new CopySpecReduceEx();
      expect(copy(x)).to.equal(x);
      expect(c).to.deep.equal([1]);
    });

    it('test_copy_reduce', () => {
      const c: number[] = [];
      class CopySpecReduce {
        __reduce__(): string {
          c.push(1);
          return '';
        }
      }
      const x = new CopySpecReduce();
      expect(copy(x)).to.equal(x);
      expect(c).to.deep.equal([1]);
    });

    it('test_copy_cant', () => {
      // JS~: null masks a hook as a missing attribute does in Python.
      class CopySpecCant {
        declare __reduce_ex__: null;
        declare __reduce__: null;
      }
      Object.assign(CopySpecCant.prototype, { __reduce_ex__: null, __reduce__: null });
      expect(() => copy(new CopySpecCant())).to.throw(
        CopyError,
        'un(shallow)copyable object of type CopySpecCant',
      );
    });

    it('test_copy_atomic', () => {
      class CopySpecNewStyle {}
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
        Symbol.for('copy.spec'),
        f,
        () => 1,
        async () => 1,
        function* gen() {},
        f.bind(null),
        CopySpecNewStyle,
        Math.max,
        Object,
      ];
      for (const x of tests) expect(copy(x)).to.equal(x);
    });

    it('test_copy_list', () => {
      for (const x of [[1, 2, 3], []]) {
        const y = copy(x);
        expect(y).to.deep.equal(x);
        expect(y).to.not.equal(x);
      }
    });

    it('test_copy_tuple', () => {
      // JS~: frozen arrays are tuples.
      for (const x of [Object.freeze([1, 2, 3]), Object.freeze([]), Object.freeze([1, 2, 3, []])]) {
        expect(copy(x)).to.equal(x);
      }
    });

    it('test_copy_dict', () => {
      for (const x of [{ foo: 1, bar: 2 }, {}]) {
        const y = copy(x);
        expect(y).to.deep.equal(x);
        expect(y).to.not.equal(x);
      }
      for (const x of [new Map([['foo', 1], ['bar', 2]]), new Map()]) {
        const y = copy(x);
        expect(y).to.deep.equal(x);
        expect(y).to.not.equal(x);
      }
    });

    it('test_copy_frozendict', () => {
      // [main], JS~: frozen plain objects are frozendicts.
      for (const x of [Object.freeze({ x: 1, y: 2 }), Object.freeze({})]) {
        expect(copy(x)).to.equal(x);
      }
    });

    it('test_copy_set', () => {
      for (const x of [new Set([1, 2, 3]), new Set()]) {
        const y = copy(x);
        expect(y).to.deep.equal(x);
        expect(y).to.not.equal(x);
      }
    });

    it('test_copy_bytearray', () => {
      for (const x of [new Uint8Array([97, 98, 99]), new Uint8Array()]) {
        const y = copy(x);
        expect(y).to.deep.equal(x);
        expect(y).to.not.equal(x);
        expect(y.buffer).to.not.equal(x.buffer);
      }
    });

    it('test_copy_inst_vanilla', () => {
      class CopySpecVanilla {
        constructor(public foo: unknown) {}
      }
      const x = new CopySpecVanilla(42);
      const y = copy(x);
      expect(y).to.deep.equal(x);
      expect(y).to.be.an.instanceOf(CopySpecVanilla);
    });

    it('test_copy_inst_copy', () => {
      class CopySpecInstCopy {
        constructor(public foo: unknown) {}
        __copy__(): CopySpecInstCopy {
          return new CopySpecInstCopy(this.foo);
        }
      }
      const x = new CopySpecInstCopy(42);
      expect(copy(x).foo).to.equal(42);
    });

    it('test_copy_inst_getinitargs', () => {
      // JS~: __getinitargs__ means nothing (as in Python 3); the constructor does not run.
      let constructed = 0;
      class CopySpecInitArgs {
        constructor(public foo: unknown) {
          constructed++;
        }
        __getinitargs__(): unknown[] {
          return shouldNotCall();
        }
      }
      const x = new CopySpecInitArgs(42);
      const y = copy(x);
      expect(y.foo).to.equal(42);
      expect(y).to.be.an.instanceOf(CopySpecInitArgs);
      expect(constructed).to.equal(1);
    });

    it('test_copy_inst_getnewargs', () => {
      // JS~: the int subclass becomes a class with a static __new__, which newobj calls.
      const calls: unknown[][] = [];
      class CopySpecNewArgs {
        foo: unknown;
        static __new__(cls: typeof CopySpecNewArgs, foo: unknown): CopySpecNewArgs {
          calls.push([foo]);
          const self = Object.create(cls.prototype) as CopySpecNewArgs;
          self.foo = foo;
          return self;
        }
        __getnewargs__(): unknown[] {
          return [this.foo];
        }
      }
      const x = CopySpecNewArgs.__new__(CopySpecNewArgs, 42);
      const y = copy(x);
      expect(y).to.be.an.instanceOf(CopySpecNewArgs);
      expect(y).to.not.equal(x);
      expect(y.foo).to.equal(x.foo);
      expect(calls).to.deep.equal([[42], [42]]);
    });

    it('test_copy_inst_getnewargs_ex', () => {
      // JS~: keyword arguments arrive as one trailing plain object.
      class CopySpecNewArgsEx {
        foo: unknown;
        static __new__(
          cls: typeof CopySpecNewArgsEx,
          kwargs: { foo: unknown },
        ): CopySpecNewArgsEx {
          const self = Object.create(cls.prototype) as CopySpecNewArgsEx;
          self.foo = kwargs.foo;
          return self;
        }
        __getnewargs_ex__(): [unknown[], Record<string, unknown>] {
          return [[], { foo: this.foo }];
        }
      }
      const x = CopySpecNewArgsEx.__new__(CopySpecNewArgsEx, { foo: 42 });
      const y = copy(x);
      expect(y).to.be.an.instanceOf(CopySpecNewArgsEx);
      expect(y).to.not.equal(x);
      expect(y.foo).to.equal(x.foo);
    });

    it('test_copy_inst_getstate', () => {
      class CopySpecGetState {
        constructor(public foo: unknown) {}
        __getstate__(): object {
          return { foo: this.foo };
        }
      }
      const x = new CopySpecGetState(42);
      expect(copy(x)).to.deep.equal(x);
    });

    it('test_copy_inst_setstate', () => {
      class CopySpecSetState {
        constructor(public foo: unknown) {}
        __setstate__(state: { foo: unknown }): void {
          this.foo = state.foo;
        }
      }
      const x = new CopySpecSetState(42);
      expect(copy(x)).to.deep.equal(x);
    });

    it('test_copy_inst_getstate_setstate', () => {
      class CopySpecGetSetState {
        constructor(public foo: unknown) {}
        __getstate__(): unknown {
          return this.foo;
        }
        __setstate__(state: unknown): void {
          this.foo = state;
        }
      }
      expect(copy(new CopySpecGetSetState(42)).foo).to.equal(42);
      // A falsy state is still restored (issue #25718).
      expect(copy(new CopySpecGetSetState(0)).foo).to.equal(0);
    });

    it('test_copy_slots', () => {
      // JS~: no __slots__; the (state, slotState) pair is a frozen 2-item array whose slot part
      // is assigned through setters.
      const slots = new WeakMap<object, unknown>();
      class CopySpecSlots {
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
      const x = new CopySpecSlots();
      x.foo = [42];
      const y = copy(x);
      expect(y.foo).to.equal(x.foo);
      expect(Object.keys(y)).to.deep.equal([]);
    });

    it('test_copy_list_subclass', () => {
      class CopySpecList extends Array<unknown> {
        foo?: unknown;
      }
      const x = CopySpecList.from([[1, 2], 3]) as CopySpecList;
      x.foo = [4, 5];
      const y = copy(x);
      expect([...y]).to.deep.equal([...x]);
      expect(y.foo).to.deep.equal(x.foo);
      expect(y[0]).to.equal(x[0]);
      expect(y.foo).to.equal(x.foo);
      expect(y).to.be.an.instanceOf(CopySpecList);
    });

    it('test_getstate_exc', () => {
      class CopySpecEvilState {
        __getstate__(): never {
          throw new RangeError("ain't got no stickin' state");
        }
      }
      expect(() => copy(new CopySpecEvilState())).to.throw(RangeError, 'stickin');
    });

    it('test_copy_function', () => {
      function foo(x: number, y: number): number {
        return x + y;
      }
      const bar = (): null => null;
      expect(copy(foo)).to.equal(foo);
      expect(copy(bar)).to.equal(bar);
      expect(copy(shouldNotCall)).to.equal(shouldNotCall);
    });

    it('test_copy_weakref', () => {
      const x = new WeakRef({});
      expect(copy(x)).to.equal(x);
    });
  });

  describe('CPython test_copy.py: _reconstruct (copy and deepcopy)', () => {
    it('test_reconstruct_string', () => {
      class CopySpecString {
        __reduce__(): string {
          return '';
        }
      }
      const x = new CopySpecString();
      expect(copy(x)).to.equal(x);
      expect(deepcopy(x)).to.equal(x);
    });

    it('test_reconstruct_nostate', () => {
      class CopySpecNoState {
        foo?: number;
        __reduce__(): [typeof CopySpecNoState, []] {
          return [CopySpecNoState, []];
        }
      }
      const x = new CopySpecNoState();
      x.foo = 42;
      expect(Object.getPrototypeOf(copy(x))).to.equal(CopySpecNoState.prototype);
      expect(Object.getPrototypeOf(deepcopy(x))).to.equal(CopySpecNoState.prototype);
      expect(copy(x).foo).to.equal(undefined);
    });

    it('test_reconstruct_state', () => {
      class CopySpecState {
        foo?: number[];
        __reduce__(): [typeof CopySpecState, [], object] {
          return [CopySpecState, [], { ...this }];
        }
      }
      const x = new CopySpecState();
      x.foo = [42];
      let y = copy(x);
      expect(y).to.deep.equal(x);
      y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_reconstruct_state_setstate', () => {
      class CopySpecStateSetState {
        foo?: number[];
        __reduce__(): [typeof CopySpecStateSetState, [], object] {
          return [CopySpecStateSetState, [], { ...this }];
        }
        __setstate__(state: object): void {
          Object.assign(this, state);
        }
      }
      const x = new CopySpecStateSetState();
      x.foo = [42];
      let y = copy(x);
      expect(y).to.deep.equal(x);
      y = deepcopy(x);
      expect(y).to.deep.equal(x);
      expect(y.foo).to.not.equal(x.foo);
    });

    it('test_reduce_4tuple', () => {
      class CopySpecList4 extends Array<unknown> {
        __reduce__(): unknown {
          return [CopySpecList4, [], null, this.values()];
        }
      }
      const x = CopySpecList4.from([[1, 2], 3]) as CopySpecList4;
      let y = copy(x);
      expect([...y]).to.deep.equal([...x]);
      expect(y).to.not.equal(x);
      expect(y).to.be.an.instanceOf(CopySpecList4);
      expect(y[0]).to.equal(x[0]);
      y = deepcopy(x);
      expect([...y]).to.deep.equal([...x]);
      expect(y).to.not.equal(x);
      expect(y[0]).to.not.equal(x[0]);
    });

    it('test_reduce_5tuple', () => {
      class CopySpecDict5 extends Map<string, unknown> {
        __reduce__(): unknown {
          return [CopySpecDict5, [], null, null, this.entries()];
        }
      }
      const x = new CopySpecDict5([
        ['foo', [1, 2]],
        ['bar', 3],
      ]);
      let y = copy(x);
      expect([...y]).to.deep.equal([...x]);
      expect(y).to.not.equal(x);
      expect(y).to.be.an.instanceOf(CopySpecDict5);
      expect(y.get('foo')).to.equal(x.get('foo'));
      y = deepcopy(x);
      expect([...y]).to.deep.equal([...x]);
      expect(y).to.not.equal(x);
      expect(y.get('foo')).to.not.equal(x.get('foo'));
    });

    it('test_reduce_6tuple', () => {
      // CPython parity: copy has no state setter, so a 6-item value is a TypeError.
      class CopySpec6 {
        __reduce__(): unknown {
          return [CopySpec6, [], { ...this }, null, null, shouldNotCall];
        }
      }
      const x = new CopySpec6();
      expect(() => copy(x)).to.throw(TypeError);
      expect(() => deepcopy(x)).to.throw(TypeError);
    });

    it('test_reduce_6tuple_none', () => {
      class CopySpec6None {
        __reduce__(): unknown {
          return [CopySpec6None, [], { ...this }, null, null, null];
        }
      }
      const x = new CopySpec6None();
      expect(() => copy(x)).to.throw(TypeError);
      expect(() => deepcopy(x)).to.throw(TypeError);
    });
  });

  describe('CPython test_copy.py: TestReplace', () => {
    it('test_unsupported', () => {
      // SPEC §5 supports plain objects and default-reduced class instances (see below), which
      // CPython's replace() rejects; everything else is a TypeError as in CPython.
      class CopySpecReplaceA {
        __reduce__(): string {
          return '';
        }
      }
      function f(): void {}
      const bad: unknown[] = [1, 'a', null, undefined, [], f, CopySpecReplaceA];
      bad.push(new CopySpecReplaceA());
      for (const x of bad) {
        expect(() => replace(x)).to.throw(TypeError, 'replace() does not support');
      }
      expect(() => replace(new Map())).to.throw(
        TypeError,
        'replace() does not support Map objects',
      );
    });

    it('test_replace_method', () => {
      class CopySpecReplaceMethod {
        z: number;
        constructor(
          public x: number,
          public y = 0,
        ) {
          this.z = x + y;
        }
        __replace__(changes: { x?: number; y?: number }): CopySpecReplaceMethod {
          return new CopySpecReplaceMethod(changes.x ?? this.x, changes.y ?? this.y);
        }
      }
      const a = new CopySpecReplaceMethod(11, 22);
      const fields = (o: CopySpecReplaceMethod) => [o.x, o.y, o.z];
      expect(fields(replace(a))).to.deep.equal([11, 22, 33]);
      expect(fields(replace(a, { x: 1 }))).to.deep.equal([1, 22, 23]);
      expect(fields(replace(a, { y: 2 }))).to.deep.equal([11, 2, 13]);
      expect(fields(replace(a, { x: 1, y: 2 }))).to.deep.equal([1, 2, 3]);
    });

    it('test_namedtuple', () => {
      // JS~: a frozen record class stands for the namedtuple.
      class CopySpecPoint {
        constructor(
          readonly x = 11,
          readonly y = 22,
        ) {
          Object.freeze(this);
        }
      }
      const p = new CopySpecPoint();
      const fields = (o: CopySpecPoint) => [o.x, o.y];
      for (const [changes, expected] of [
        [{}, [11, 22]],
        [{ x: 1 }, [1, 22]],
        [{ y: 2 }, [11, 2]],
        [{ x: 1, y: 2 }, [1, 2]],
      ] as const) {
        const q = replace(p, changes);
        expect(q).to.be.an.instanceOf(CopySpecPoint);
        expect(q).to.not.equal(p);
        expect(fields(q)).to.deep.equal(expected);
        expect(Object.isFrozen(q)).to.equal(true);
      }
      expect(fields(p)).to.deep.equal([11, 22]);
      expect(() => replace(p, { x: 1, z: 5 })).to.throw(TypeError, 'unexpected field name');
    });

    it('test_dataclass', () => {
      // JS~: a plain mutable class stands for the dataclass.
      let constructed = 0;
      class CopySpecData {
        constructor(
          public x: number,
          public y = 0,
        ) {
          constructed++;
        }
      }
      const c = new CopySpecData(11, 22);
      expect(replace(c)).to.deep.equal(c);
      expect(replace(c)).to.not.equal(c);
      expect(replace(c, { x: 1 })).to.deep.equal(new CopySpecData(1, 22));
      expect(replace(c, { y: 2 })).to.deep.equal(new CopySpecData(11, 2));
      expect(replace(c, { x: 1, y: 2 })).to.deep.equal(new CopySpecData(1, 2));
      expect(replace(c, { x: 1 })).to.be.an.instanceOf(CopySpecData);
      expect(constructed).to.equal(4);
      expect(() => replace(c, { x: 1, z: 5 })).to.throw(TypeError, 'unexpected field name');
    });
  });

  describe('replace() beyond CPython', () => {
    it("a class's static __new__ allocates the copies of copy, deepcopy and replace (as copy's __newobj__ calls it)", () => {
      let calls = 0;
      class CopySpecOwnNew {
        a = 1;
        static __new__(cls: typeof CopySpecOwnNew): CopySpecOwnNew {
          calls++;
          return Object.create(cls.prototype) as CopySpecOwnNew;
        }
      }
      const x = new CopySpecOwnNew();
      x.a = 5;
      const results = [copy(x), deepcopy(x), replace(x, { a: 9 })];
      expect(calls).to.equal(3);
      expect(results.map((r) => [r instanceof CopySpecOwnNew, r.a])).to.deep.equal([[true, 5], [true, 5], [true, 9]]);
      const pair = deepcopy([x, x]);
      expect(pair[0]).to.equal(pair[1]);
    });

    it('replace() of a class or a function names its Python type; changes must be an object of fields', () => {
      class CopySpecAsType {}
      expect(() => replace(CopySpecAsType as never)).to.throw(TypeError, 'replace() does not support type objects');
      expect(() => replace((() => 1) as never)).to.throw(TypeError, 'replace() does not support function objects');
      expect(() => replace({ a: 1 }, [1, 2] as never)).to.throw(TypeError, 'changes must be an object');
    });

    it('a bound class or a Proxy of a class as a reduce callable is constructed with new', () => {
      class CopySpecMade {
        constructor(public v: number) {}
      }
      const bound = CopySpecMade.bind(null);
      const proxied = new Proxy(CopySpecMade, {});
      class CopySpecViaBound {
        __reduce__(): unknown {
          return [bound, [5]];
        }
      }
      class CopySpecViaProxy {
        __reduce__(): unknown {
          return [proxied, [6]];
        }
      }
      expect(copy(new CopySpecViaBound())).to.deep.equal(new CopySpecMade(5));
      expect(deepcopy(new CopySpecViaProxy())).to.be.instanceOf(CopySpecMade).and.deep.equal(new CopySpecMade(6));
    });

    it("a String object's own index properties beyond its length are kept", () => {
      const s = Object.assign(new String('abc'), { 5: 'x', k: 1 });
      for (const f of [copy, deepcopy] as const) {
        const y = f(s) as unknown as Record<string, unknown>;
        expect(y[5]).to.equal('x');
        expect(y.k).to.equal(1);
        expect(String(y)).to.equal('abc');
      }
    });

    it('typed arrays, DataViews and ArrayBuffers keep their integrity level (shallow and deep)', () => {
      const t = Object.seal(new Uint8Array([1, 2]));
      const d = Object.preventExtensions(new DataView(new ArrayBuffer(4)));
      const b = Object.freeze(new ArrayBuffer(4));
      for (const f of [copy, deepcopy] as const) {
        expect(Object.isSealed(f(t))).to.equal(true);
        expect([...f(t)]).to.deep.equal([1, 2]);
        expect(Object.isExtensible(f(d))).to.equal(false);
        expect(Object.isFrozen(f(b))).to.equal(true);
      }
    });

    it('a shallow copy of a typed array or DataView subclass with a hook owns its bytes, as an exact one does', () => {
      class CopySpecU8 extends Uint8Array {
        __getstate__(): null {
          return null;
        }
      }
      const big = new Uint8Array(10);
      const u = new CopySpecU8(big.buffer, 2, 3);
      u[0] = 7;
      const c = copy(u);
      c[1] = 99;
      expect(c).to.be.instanceOf(CopySpecU8);
      expect([...c]).to.deep.equal([7, 99, 0]);
      expect(u[1]).to.equal(0);
      expect(c.buffer.byteLength).to.equal(3);
    });

    it('an Object.create(proto) object with a hook copies through its prototype; a pickle refuses it by name', () => {
      const proto = {
        __getstate__(this: { v: unknown }): object {
          return { v: this.v, extra: 1 };
        },
      };
      const o = Object.assign(Object.create(proto) as { v: unknown[] }, { v: [1] });
      const c = copy(o) as { v: unknown[]; extra: number };
      const d = deepcopy(o) as { v: unknown[] };
      expect(Object.getPrototypeOf(c)).to.equal(proto);
      expect(c.v).to.equal(o.v);
      expect(c.extra).to.equal(1);
      expect(Object.getPrototypeOf(d)).to.equal(proto);
      expect(d.v).to.deep.equal([1]);
      expect(d.v).to.not.equal(o.v);
      expect(() => dumps(o)).to.throw(PicklingError, 'prototype has no class of its own');
    });

    it('symbol-keyed changes apply too', () => {
      const k = Symbol('k');
      const y = replace({ [k]: 1, a: 2 } as Record<string | symbol, number>, { [k]: 3 });
      expect(y[k]).to.equal(3);
      expect(y.a).to.equal(2);
    });

    it('AggregateError subclasses with a hook copy (newobj gives the base an empty list of errors)', () => {
      class CopySpecAgg extends AggregateError {
        __getstate__(): object {
          return { errors: this.errors, tag: 't' };
        }
      }
      const e = new CopySpecAgg([new Error('x')], 'm');
      const y = copy(e) as CopySpecAgg & { tag: string };
      expect(y).to.be.instanceOf(CopySpecAgg);
      expect(y.errors).to.equal(e.errors);
      expect(y.tag).to.equal('t');
    });

    it('changes must be an object (Python passes them as keyword arguments)', () => {
      expect(() => replace({ a: 1 }, 5 as never)).to.throw(TypeError, 'changes must be an object');
      expect(replace({ a: 1 })).to.deep.equal({ a: 1 });
    });

    it('plain objects get a shallow copy with the changes', () => {
      const inner = [1];
      const x = { a: inner, b: 2 };
      const y = replace(x, { b: 3, c: 4 } as Partial<typeof x>);
      expect(y).to.deep.equal({ a: [1], b: 3, c: 4 });
      expect(y.a).to.equal(inner);
      expect(x).to.deep.equal({ a: [1], b: 2 });
    });

    it('a frozen plain object gets a frozen copy with the changes', () => {
      const x = Object.freeze({ a: 1, b: 2 });
      const y = replace(x, { a: 3 });
      expect(y).to.deep.equal({ a: 3, b: 2 });
      expect(Object.isFrozen(y)).to.equal(true);
      expect(x.a).to.equal(1);
    });

    it('a __proto__ change stays an own data property', () => {
      const y = replace({ a: 1 } as Record<string, unknown>, JSON.parse('{"__proto__": {"p": 1}}'));
      expect(Object.getPrototypeOf(y)).to.equal(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(y, '__proto__')?.value).to.deep.equal({ p: 1 });
    });

    it('the __replace__ hook is looked up on the class, not the instance', () => {
      class CopySpecReplaceOwn {
        a = 1;
      }
      const x = new CopySpecReplaceOwn() as CopySpecReplaceOwn & { __replace__?: unknown };
      x.__replace__ = shouldNotCall;
      expect(replace(x, { a: 2 }).a).to.equal(2);
    });

    it('a __replace__ set to null on the class masks the default (a TypeError, as for a class without one in Python)', () => {
      class CopySpecReplaceMasked {
        a = 1;
      }
      (CopySpecReplaceMasked.prototype as unknown as { __replace__: null }).__replace__ = null;
      expect(() => replace(new CopySpecReplaceMasked(), { a: 2 })).to.throw(TypeError, 'replace() does not support CopySpecReplaceMasked objects');
    });

    it('deepcopy(x, null) is deepcopy(x): null is Python\'s memo=None', () => {
      const a = { list: [1] };
      const x = { a, b: a };
      const y = deepcopy(x, null);
      expect(y).to.deep.equal(x);
      expect(y.a).to.equal(y.b);
      expect(y.a).to.not.equal(a);
    });

    it('keeps the sealed state of a class instance', () => {
      class CopySpecSealed {
        a = 1;
      }
      const x = Object.seal(new CopySpecSealed());
      const y = replace(x, { a: 2 });
      expect(y.a).to.equal(2);
      expect(Object.isSealed(y)).to.equal(true);
      expect(Object.isFrozen(y)).to.equal(false);
    });
  });

  describe('JS values (SPEC §5)', () => {
    it('returns primitives as they are, -0 and NaN included', () => {
      expect(Object.is(copy(-0), -0)).to.equal(true);
      expect(Number.isNaN(copy(NaN))).to.equal(true);
      expect(copy(12345678901234567890n)).to.equal(12345678901234567890n);
    });

    it('keeps holes and extra own properties of arrays, sharing the items', () => {
      const item = { a: 1 };
      // eslint-disable-next-line no-sparse-arrays
      const x = [item, , 3] as unknown[] & { extra?: unknown; [s: symbol]: unknown };
      x.extra = item;
      const sym = Symbol('k');
      x[sym] = 'sym';
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y.length).to.equal(3);
      expect(1 in y).to.equal(false);
      expect(y[0]).to.equal(item);
      expect(y.extra).to.equal(item);
      expect(y[sym]).to.equal('sym');
    });

    it('copies null-prototype objects', () => {
      const x = Object.create(null) as Record<string, unknown>;
      x.a = [1];
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(Object.getPrototypeOf(y)).to.equal(null);
      expect(y.a).to.equal(x.a);
    });

    it('shares the keys and values of a Map', () => {
      const k = { key: true };
      const v = [1];
      const x = new Map<unknown, unknown>([[k, v], ['s', 2]]);
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y.get(k)).to.equal(v);
      expect([...y.keys()]).to.deep.equal([k, 's']);
    });

    it('copies a Set that contains itself; the copy holds the original', () => {
      const x = new Set<unknown>([1]);
      x.add(x);
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y.has(x)).to.equal(true);
      expect(y.size).to.equal(2);
    });

    it('copies Dates with their time and own properties', () => {
      const x = new Date(1_700_000_000_000) as Date & { tag?: string };
      x.tag = 't';
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y.getTime()).to.equal(x.getTime());
      expect(y.tag).to.equal('t');
      expect(Number.isNaN(copy(new Date(NaN)).getTime())).to.equal(true);
    });

    it('copies RegExps with flags and lastIndex', () => {
      const x = /a(b)?/giy;
      x.lastIndex = 3;
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y.source).to.equal(x.source);
      expect(y.flags).to.equal(x.flags);
      expect(y.lastIndex).to.equal(3);
    });

    it('copies ArrayBuffers', () => {
      const x = new Uint8Array([1, 2, 3]).buffer;
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect([...new Uint8Array(y)]).to.deep.equal([1, 2, 3]);
    });

    it('a shallow copy of a view owns just the bytes it views', () => {
      const buffer = new ArrayBuffer(16);
      new Uint8Array(buffer).forEach((_, i, a) => (a[i] = i));
      const types = [
        Int8Array,
        Uint8Array,
        Uint8ClampedArray,
        Int16Array,
        Uint16Array,
        Int32Array,
        Uint32Array,
        Float32Array,
        Float64Array,
        BigInt64Array,
        BigUint64Array,
      ];
      for (const T of types) {
        const x = new T(buffer, 8, 8 / T.BYTES_PER_ELEMENT);
        const y = copy(x);
        expect(y, T.name).to.be.an.instanceOf(T);
        expect(y.buffer).to.not.equal(buffer);
        expect(y.byteOffset).to.equal(0);
        expect(y.buffer.byteLength).to.equal(8);
        expect([...y]).to.deep.equal([...x]);
      }
      const dv = new DataView(buffer, 4, 4);
      const dy = copy(dv);
      expect(dy).to.be.an.instanceOf(DataView);
      expect(dy.buffer).to.not.equal(buffer);
      expect(dy.byteOffset).to.equal(0);
      expect(dy.byteLength).to.equal(4);
      expect(dy.getUint32(0)).to.equal(dv.getUint32(0));
    });

    it('copies Errors with message, stack, cause and own properties', () => {
      const cause = new Error('root');
      const x = new RangeError('bad', { cause }) as RangeError & { code?: number };
      x.code = 7;
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y).to.be.an.instanceOf(RangeError);
      expect(y.message).to.equal('bad');
      expect(y.stack).to.equal(x.stack);
      expect(y.cause).to.equal(cause);
      expect(y.code).to.equal(7);
      expect(Object.getOwnPropertyDescriptor(y, 'message')?.enumerable).to.equal(false);
    });

    it('copies Error subclasses without running their constructor', () => {
      let constructed = 0;
      class CopySpecError extends Error {
        detail: unknown;
        constructor(message: string, detail: unknown) {
          super(message, { cause: 'c' });
          this.detail = detail;
          constructed++;
        }
      }
      const x = new CopySpecError('boom', [1]);
      const y = copy(x);
      expect(y).to.be.an.instanceOf(CopySpecError);
      expect(y.message).to.equal('boom');
      expect(y.stack).to.equal(x.stack);
      expect(y.cause).to.equal('c');
      expect(y.detail).to.equal(x.detail);
      expect(constructed).to.equal(1);
    });

    it('copies boxed primitives', () => {
      const values: object[] = [
        new Number(-0),
        new String('ab'),
        new Boolean(false),
        Object(5n),
        Object(Symbol.for('copy.spec.boxed')),
      ];
      for (const x of values) {
        const y = copy(x);
        expect(y).to.not.equal(x);
        expect(Object.is(y.valueOf(), x.valueOf())).to.equal(true);
        expect(Object.getPrototypeOf(y)).to.equal(Object.getPrototypeOf(x));
      }
      const s = new String('xy') as String & { extra?: number };
      s.extra = 1;
      const t = copy(s);
      expect(t.extra).to.equal(1);
      expect(Object.keys(t)).to.deep.equal(['0', '1', 'extra']);
    });

    it('copies symbol-keyed own properties', () => {
      const k = Symbol('k');
      const x = { [k]: [1], s: 1 };
      const y = copy(x);
      expect(y[k]).to.equal(x[k]);
      expect(Object.getOwnPropertySymbols(y)).to.deep.equal([k]);
    });

    it('copies accessor properties as accessors without invoking them', () => {
      const get = (): never => {
        throw new Error('getter invoked');
      };
      const set = (_v: unknown): never => {
        throw new Error('setter invoked');
      };
      const x = {};
      Object.defineProperty(x, 'a', { get, set, enumerable: true, configurable: true });
      class CopySpecAccessors {}
      const inst = new CopySpecAccessors();
      Object.defineProperty(inst, 'a', { get, enumerable: true, configurable: true });
      const frozen = Object.freeze(Object.defineProperty({}, 'a', { get, enumerable: true }));
      for (const o of [x, inst, frozen]) {
        const y = copy(o);
        const desc = Object.getOwnPropertyDescriptor(y, 'a')!;
        expect(desc.get).to.equal(get);
        expect(desc.enumerable).to.equal(true);
      }
    });

    it('copies only own enumerable properties (non-enumerable ones are not state)', () => {
      const x = { a: 1 };
      Object.defineProperty(x, 'hidden', { value: 2, enumerable: false });
      expect(Object.getOwnPropertyNames(copy(x))).to.deep.equal(['a']);
    });

    it('keeps non-writable and non-configurable attributes', () => {
      const x = {};
      Object.defineProperty(x, 'ro', {
        value: 1,
        enumerable: true,
        writable: false,
        configurable: true,
      });
      const y = copy(x);
      expect(Object.getOwnPropertyDescriptor(y, 'ro')).to.deep.equal({
        value: 1,
        enumerable: true,
        writable: false,
        configurable: true,
      });
    });

    it('keeps the frozen, sealed and non-extensible states', () => {
      class CopySpecIntegrity {
        a = [1];
      }
      const cases: [string, (o: object) => object, (o: object) => boolean][] = [
        ['frozen', Object.freeze, Object.isFrozen],
        ['sealed', Object.seal, Object.isSealed],
        ['non-extensible', Object.preventExtensions, (o) => !Object.isExtensible(o)],
      ];
      for (const [what, apply, check] of cases) {
        const values: object[] = [apply(new CopySpecIntegrity()), apply(new Map([[1, 2]]))];
        // Frozen arrays and frozen plain objects are tuples and frozendicts: copy returns them.
        if (what !== 'frozen') values.push(apply([1, 2]), apply({ a: 1 }));
        for (const x of values) {
          const y = copy(x);
          expect(y, what).to.not.equal(x);
          expect(check(y), what).to.equal(true);
        }
        const y = copy(apply(new CopySpecIntegrity())) as CopySpecIntegrity;
        expect(y).to.be.an.instanceOf(CopySpecIntegrity);
        expect(y.a).to.deep.equal([1]);
      }
      const s = copy(Object.seal({ a: 1 }));
      expect(Object.isFrozen(s)).to.equal(false);
      s.a = 2;
      expect(s.a).to.equal(2);
    });

    it('copies class instances without running the constructor', () => {
      let constructed = 0;
      class CopySpecCounted {
        shared: number[] = [1];
        constructor() {
          constructed++;
        }
        method(): number {
          return this.shared.length;
        }
      }
      class CopySpecThrows {
        value = 1;
        constructor(ok: boolean) {
          if (!ok) throw new Error('constructor ran');
        }
      }
      const x = new CopySpecCounted();
      const y = copy(x);
      expect(constructed).to.equal(1);
      expect(y).to.not.equal(x);
      expect(Object.getPrototypeOf(y)).to.equal(CopySpecCounted.prototype);
      expect(y.shared).to.equal(x.shared);
      expect(y.method()).to.equal(1);
      expect(copy(new CopySpecThrows(true)).value).to.equal(1);
    });

    it('keeps holes in Array subclasses', () => {
      class CopySpecHoles extends Array<unknown> {}
      const x = new CopySpecHoles(4);
      x[1] = 'b';
      const y = copy(x);
      expect(y).to.be.an.instanceOf(CopySpecHoles);
      expect(y.length).to.equal(4);
      expect([0 in y, 1 in y, 2 in y, 3 in y]).to.deep.equal([false, true, false, false]);
      expect(y[1]).to.equal('b');
    });

    it('copies subclasses of Array, Map, Set, Date and Error', () => {
      class CopySpecArr extends Array<unknown> {}
      class CopySpecMap extends Map<unknown, unknown> {}
      class CopySpecSet extends Set<unknown> {}
      class CopySpecDate extends Date {}
      class CopySpecErr extends TypeError {}
      const item = [1];
      const arr = CopySpecArr.from([item, 2]) as CopySpecArr & { p?: number };
      arr.p = 1;
      const ya = copy(arr);
      expect(ya).to.be.an.instanceOf(CopySpecArr);
      expect(Array.isArray(ya)).to.equal(true);
      expect([...ya]).to.deep.equal([item, 2]);
      expect(ya[0]).to.equal(item);
      expect(ya.p).to.equal(1);
      const ym = copy(new CopySpecMap([[item, item]]));
      expect(ym).to.be.an.instanceOf(CopySpecMap);
      expect(ym.get(item)).to.equal(item);
      const ys = copy(new CopySpecSet([item]));
      expect(ys).to.be.an.instanceOf(CopySpecSet);
      expect(ys.has(item)).to.equal(true);
      const yd = copy(new CopySpecDate(5));
      expect(yd).to.be.an.instanceOf(CopySpecDate);
      expect(yd.getTime()).to.equal(5);
      const ye = copy(new CopySpecErr('m'));
      expect(ye).to.be.an.instanceOf(CopySpecErr);
      expect(ye.message).to.equal('m');
    });

    it('keeps __proto__, constructor and prototype own keys as own data properties', () => {
      const x = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "prototype": 2}');
      const y = copy(x);
      expect(Object.getPrototypeOf(y)).to.equal(Object.prototype);
      expect(Object.keys(y)).to.deep.equal(['__proto__', 'constructor', 'prototype']);
      expect(Object.getOwnPropertyDescriptor(y, '__proto__')?.value).to.equal(x['__proto__']);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      class CopySpecProtoKeys {}
      const inst = new CopySpecProtoKeys();
      const data = { enumerable: true, writable: true, configurable: true };
      Object.defineProperty(inst, '__proto__', { value: 5, ...data });
      Object.defineProperty(inst, 'constructor', { value: 6, ...data });
      const yi = copy(inst) as unknown as Record<string, unknown>;
      expect(Object.getPrototypeOf(yi)).to.equal(CopySpecProtoKeys.prototype);
      expect(Object.getOwnPropertyDescriptor(yi, '__proto__')?.value).to.equal(5);
      expect(Object.getOwnPropertyDescriptor(yi, 'constructor')?.value).to.equal(6);
    });

    it('rejects WeakMap, WeakSet, Promise and generators with "cannot pickle"', () => {
      function* gen(): Generator<number> {
        yield 1;
      }
      async function* agen(): AsyncGenerator<number> {
        yield 1;
      }
      const values: object[] = [
        new WeakMap(),
        new WeakSet(),
        Promise.resolve(1),
        gen(),
        agen(),
        [1, 2].values(),
        new Map().entries(),
      ];
      for (const x of values) {
        expect(() => copy(x)).to.throw(TypeError, 'cannot pickle');
      }
      expect(() => copy(new WeakMap())).to.throw(TypeError, "cannot pickle 'WeakMap' object");
    });

    it('returns WeakRef and SharedArrayBuffer as they are', () => {
      const ref = new WeakRef({});
      const sab = new SharedArrayBuffer(8);
      expect(copy(ref)).to.equal(ref);
      expect(copy(sab)).to.equal(sab);
    });

    it('returns functions, classes and symbols as they are', () => {
      class CopySpecAtomicClass {}
      const sym = Symbol('x');
      const fn = function named(): void {};
      expect(copy(CopySpecAtomicClass)).to.equal(CopySpecAtomicClass);
      expect(copy(sym)).to.equal(sym);
      expect(copy(fn)).to.equal(fn);
    });
  });

  describe('copy hooks and the reduce protocol', () => {
    it('__copy__ is looked up on the class, not the instance', () => {
      class CopySpecOwnCopy {
        a = 1;
      }
      const x = new CopySpecOwnCopy() as CopySpecOwnCopy & { __copy__?: unknown };
      Object.defineProperty(x, '__copy__', { value: shouldNotCall, enumerable: false });
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y.a).to.equal(1);
    });

    it('__copy__ = null masks the hook', () => {
      class CopySpecNullCopyBase {
        __copy__(): never {
          return shouldNotCall();
        }
      }
      class CopySpecNullCopy extends CopySpecNullCopyBase {
        a = 1;
      }
      Object.assign(CopySpecNullCopy.prototype, { __copy__: null });
      const y = copy(new CopySpecNullCopy());
      expect(y.a).to.equal(1);
    });

    it('uses a dispatchTable entry for the exact class only', () => {
      class CopySpecDispatch {
        a = 1;
      }
      class CopySpecDispatchSub extends CopySpecDispatch {}
      const calls: unknown[] = [];
      try {
        pickle(CopySpecDispatch, (o) => {
          calls.push(o);
          return [() => 'reduced', []];
        });
        const x = new CopySpecDispatch();
        expect(copy(x)).to.equal('reduced');
        expect(calls).to.deep.equal([x]);
        const sub = copy(new CopySpecDispatchSub());
        expect(sub).to.be.an.instanceOf(CopySpecDispatchSub);
        expect(calls).to.have.length(1);
      } finally {
        dispatchTable.delete(CopySpecDispatch);
      }
    });

    it('the dispatchTable comes before __reduce_ex__ and __reduce__', () => {
      class CopySpecDispatchFirst {
        __reduce_ex__(): never {
          return shouldNotCall();
        }
      }
      try {
        pickle(CopySpecDispatchFirst, () => '');
        const x = new CopySpecDispatchFirst();
        expect(copy(x)).to.equal(x);
      } finally {
        dispatchTable.delete(CopySpecDispatchFirst);
      }
    });

    it('a reducer returning a string gives the object itself', () => {
      class CopySpecStringReducer {
        a = [1];
      }
      try {
        pickle(CopySpecStringReducer, () => 'CopySpecStringReducer');
        const x = new CopySpecStringReducer();
        expect(copy(x)).to.equal(x);
        expect(deepcopy(x)).to.equal(x);
      } finally {
        dispatchTable.delete(CopySpecStringReducer);
      }
    });

    it('__reduce_ex__ receives protocol 4', () => {
      const protocols: number[] = [];
      class CopySpecProto {
        __reduce_ex__(protocol: number): string {
          protocols.push(protocol);
          return '';
        }
      }
      copy(new CopySpecProto());
      deepcopy(new CopySpecProto());
      expect(protocols).to.deep.equal([4, 4]);
    });

    it('__reduce_ex__ = null falls back to __reduce__', () => {
      const calls: string[] = [];
      class CopySpecNullReduceEx {
        __reduce__(): string {
          calls.push('reduce');
          return '';
        }
      }
      Object.assign(CopySpecNullReduceEx.prototype, { __reduce_ex__: null });
      const x = new CopySpecNullReduceEx();
      expect(copy(x)).to.equal(x);
      expect(calls).to.deep.equal(['reduce']);
    });

    it('__reduce__ = null alone masks nothing the default needs', () => {
      // A null hook is a missing attribute (SPEC §3); in Python a missing __reduce__ leaves
      // object.__reduce_ex__ with the default reduction. (CPython's R_None, a hook set to None
      // and then called, has no JS counterpart.)
      class CopySpecNullReduce {
        a = [1];
      }
      Object.assign(CopySpecNullReduce.prototype, { __reduce__: null });
      const x = new CopySpecNullReduce();
      const y = copy(x);
      expect(y).to.not.equal(x);
      expect(y.a).to.equal(x.a);
    });

    it('a class with only __reduce_ex__ = null uses the protocol 0 default', () => {
      class CopySpecOnlyNullEx {
        a = 1;
      }
      Object.assign(CopySpecOnlyNullEx.prototype, { __reduce_ex__: null });
      const y = copy(new CopySpecOnlyNullEx());
      expect(y).to.be.an.instanceOf(CopySpecOnlyNullEx);
      expect(y.a).to.equal(1);
    });

    it('applies list items to Array subclasses and to objects with append', () => {
      class CopySpecAppendList extends Array<unknown> {
        __reduce__(): unknown {
          return [CopySpecAppendList, [], null, [...this]];
        }
      }
      const x = CopySpecAppendList.from([1, [2]]) as CopySpecAppendList;
      const y = copy(x);
      expect(y).to.be.an.instanceOf(CopySpecAppendList);
      expect([...y]).to.deep.equal([1, [2]]);
      expect(y[1]).to.equal(x[1]);

      class CopySpecAppender {
        items: unknown[] = [];
        append(v: unknown): void {
          this.items.push(v);
        }
        __reduce__(): unknown {
          return [CopySpecAppender, [], null, this.items];
        }
      }
      const a = new CopySpecAppender();
      a.append('p');
      a.append('q');
      expect(copy(a).items).to.deep.equal(['p', 'q']);
    });

    it('applies dict items to Map subclasses and to objects with __setitem__', () => {
      class CopySpecItemsMap extends Map<unknown, unknown> {
        __reduce__(): unknown {
          return [CopySpecItemsMap, [], null, null, [...this]];
        }
      }
      const m = new CopySpecItemsMap([['a', 1]]);
      const ym = copy(m);
      expect(ym).to.be.an.instanceOf(CopySpecItemsMap);
      expect([...ym]).to.deep.equal([['a', 1]]);

      class CopySpecSetItem {
        seen: [unknown, unknown][] = [];
        __setitem__(k: unknown, v: unknown): void {
          this.seen.push([k, v]);
        }
        __reduce__(): unknown {
          return [CopySpecSetItem, [], null, null, this.seen];
        }
      }
      const s = new CopySpecSetItem();
      s.__setitem__('k', 'v');
      expect(copy(s).seen).to.deep.equal([['k', 'v']]);
    });

    it('applies dict items to other objects by assignment (setters run), an Array by index, __proto__ as own data', () => {
      class CopySpecAssigned {
        log: unknown[] = [];
        set price(v: unknown) {
          this.log.push(v);
        }
        __reduce__(): unknown {
          return [CopySpecAssigned, [], null, null, [['price', 3], ['plain', 4], ['__proto__', 5]]];
        }
      }
      const y = copy(new CopySpecAssigned()) as CopySpecAssigned & Record<string, unknown>;
      expect(y.log).to.deep.equal([3]);
      expect(Object.getOwnPropertyDescriptor(y, 'price')).to.equal(undefined);
      expect(y.plain).to.equal(4);
      expect(Object.getPrototypeOf(y)).to.equal(CopySpecAssigned.prototype);
      expect(Object.getOwnPropertyDescriptor(y, '__proto__')?.value).to.equal(5);

      class CopySpecIndexed extends Array<unknown> {
        __reduce__(): unknown {
          return [CopySpecIndexed, [], null, ['a', 'b'], [[-1, 'B'], [0, 'A']]];
        }
      }
      expect([...copy(new CopySpecIndexed())]).to.deep.equal(['A', 'B']);
      class CopySpecOutOfRange extends Array<unknown> {
        __reduce__(): unknown {
          return [CopySpecOutOfRange, [], null, ['a'], [[5, 'x']]];
        }
      }
      expect(() => copy(new CopySpecOutOfRange())).to.throw(RangeError, 'list assignment index out of range');
    });

    it('applies state before list items and dict items (CPython 3.13 order)', () => {
      const order: string[] = [];
      class CopySpecOrder {
        items: unknown[] = [];
        __setstate__(): void {
          order.push('state');
        }
        append(): void {
          order.push('list');
        }
        __setitem__(): void {
          order.push('dict');
        }
        __reduce__(): unknown {
          return [CopySpecOrder, [], 'state', [1], [['k', 'v']]];
        }
      }
      copy(new CopySpecOrder());
      expect(order).to.deep.equal(['state', 'list', 'dict']);
    });

    it('applies falsy states (0, empty string, false, [])', () => {
      const seen: unknown[] = [];
      class CopySpecFalsy {
        constructor(public s: unknown) {}
        __getstate__(): unknown {
          return this.s;
        }
        __setstate__(state: unknown): void {
          seen.push(state);
        }
      }
      for (const s of [0, '', false, []]) copy(new CopySpecFalsy(s));
      expect(seen).to.deep.equal([0, '', false, []]);
      seen.length = 0;
      for (const s of [null, undefined]) copy(new CopySpecFalsy(s));
      expect(seen).to.deep.equal([]);
    });

    it('a state that is not a mapping, without __setstate__, is a TypeError', () => {
      class CopySpecBadState {
        __reduce__(): unknown {
          return [CopySpecBadState, [], 42];
        }
      }
      expect(() => copy(new CopySpecBadState())).to.throw(TypeError);
    });

    it('rejects malformed reduce values with a TypeError', () => {
      const values: unknown[] = [
        null,
        42,
        [],
        [Object],
        [42, []],
        [Object, null],
        [Object, [], null, 5],
        [Object, [], null, null, 5],
      ];
      for (const rv of values) {
        class CopySpecMalformed {
          __reduce__(): unknown {
            return rv;
          }
        }
        expect(() => copy(new CopySpecMalformed()), JSON.stringify(rv)).to.throw(TypeError);
      }
    });

    it('calls a plain function reduce callable without new, a class with new', () => {
      class CopySpecCallable {
        made: string;
        constructor(how = 'new') {
          this.made = how;
        }
        __reduce__(): unknown {
          return this.made === 'new' ? [CopySpecCallable, ['new']] : [makeIt, []];
        }
      }
      function makeIt(this: unknown): CopySpecCallable {
        const o = new CopySpecCallable('function');
        (o as unknown as { thisWasUndefined: boolean }).thisWasUndefined = this === undefined;
        return o;
      }
      expect(copy(new CopySpecCallable()).made).to.equal('new');
      const y = copy(new CopySpecCallable('x')) as unknown as Record<string, unknown>;
      expect(y.made).to.equal('function');
      expect(y.thisWasUndefined).to.equal(true);
    });
  });
});
