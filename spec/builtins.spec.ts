// What copyreg knows about JS built-ins (lib/builtins.ts): kinds, exact classes and built-in bases,
// allocation without constructors and its argument check, `new`-only callables, typed-array bases
// and exact built-in prototypes. Copy shells and integrity levels: shells.spec.ts.
import { expect } from 'chai';
import * as vm from 'node:vm';

import {
  Kind,
  allocate,
  builtinBase,
  classOf,
  inheritsSlots,
  isExactBuiltin,
  kindOf,
  markClass,
  needsNew,
  typedArrayBase,
  unsafeBaseArgs,
} from '../lib/builtins';

describe('builtins', () => {
  describe('kindOf / inheritsSlots', () => {
    it('classifies built-ins and subclass instances by their nearest built-in base', () => {
      class MyMap extends Map {}
      class MyError extends TypeError {}
      class Point {}
      function* gen(): Generator<number> {}
      const cases: [object, Kind][] = [
        [{}, Kind.PLAIN], [Object.create(null), Kind.PLAIN], [[], Kind.ARRAY], [new Map(), Kind.MAP],
        [new MyMap(), Kind.MAP], [new Set(), Kind.SET], [new Date(0), Kind.DATE], [/a/g, Kind.REGEXP],
        [new MyError('x'), Kind.ERROR], [new ArrayBuffer(1), Kind.ARRAY_BUFFER],
        [new Uint8Array(1), Kind.TYPED_ARRAY], [Buffer.from('a'), Kind.TYPED_ARRAY],
        [new DataView(new ArrayBuffer(1)), Kind.DATA_VIEW], [new String('a'), Kind.BOXED],
        [Object(1n), Kind.BOXED], [Object(Symbol('s')), Kind.BOXED], [new SharedArrayBuffer(1), Kind.ATOMIC],
        [new WeakRef({}), Kind.ATOMIC], [new WeakMap(), Kind.OPAQUE], [Promise.resolve(), Kind.OPAQUE],
        [gen(), Kind.OPAQUE], [[1][Symbol.iterator](), Kind.OPAQUE], [new Point(), Kind.OBJECT],
      ];
      for (const [x, kind] of cases) expect(kindOf(x), Object.prototype.toString.call(x)).to.equal(kind);
    });

    it("keeps real Maps MAP after meeting a slotless Object.create of their prototype, and ignores a spoofed tag but not a foreign realm's brand", () => {
      class Later extends Map {}
      const fake = Object.create(Later.prototype) as object;
      expect(inheritsSlots(fake)).to.equal(true);
      kindOf(fake);
      expect(kindOf(new Later())).to.equal(Kind.MAP);
      const spoof = { [Symbol.toStringTag]: 'Map' };
      Object.setPrototypeOf(spoof, { constructor: Object });
      expect(kindOf(spoof)).to.equal(Kind.OBJECT);
      expect(inheritsSlots({})).to.equal(false);
      expect(inheritsSlots(new Date())).to.equal(true);
      // Built-ins from another realm fail instanceof but pass the brand check.
      const foreign = vm.runInNewContext('[new Map([[1, 2]]), new Set(), new Date(0), /x/, new Error("e"), new ArrayBuffer(2), Object(1), [1], new WeakMap()]') as object[];
      expect(foreign.map(kindOf)).to.deep.equal([
        Kind.MAP, Kind.SET, Kind.DATE, Kind.REGEXP, Kind.ERROR, Kind.ARRAY_BUFFER, Kind.BOXED, Kind.ARRAY,
        Kind.OBJECT,
      ]);
    });
  });

  describe('classOf / builtinBase', () => {
    it("give the class a prototype owns (or undefined), and the nearest built-in it extends (or Object)", () => {
      class Point {}
      class Point3 extends Point {}
      expect(classOf(new Point3())).to.equal(Point3);
      expect(classOf([])).to.equal(Array);
      expect(classOf({})).to.equal(Object);
      expect(classOf(Object.create(null))).to.equal(undefined);
      expect(classOf(Object.create(new Point()))).to.equal(undefined);
      const spoofed = Object.create({ constructor: Point }) as object;
      expect(classOf(spoofed)).to.equal(undefined);
      expect(classOf(Object.create({ constructor: 1 }))).to.equal(undefined);
      // builtinBase: the nearest built-in constructor a class extends, else Object.
      class D1 extends Date {}
      class D2 extends D1 {}
      class Bytes extends Uint8Array {}
      class Plain {}
      class AggErr extends AggregateError {}
      expect(builtinBase(D2)).to.equal(Date);
      expect(builtinBase(Bytes)).to.equal(Uint8Array);
      expect(builtinBase(Buffer)).to.equal(Uint8Array);
      expect(builtinBase(AggErr)).to.equal(AggregateError);
      expect(builtinBase(Plain)).to.equal(Object);
      expect(builtinBase(Map)).to.equal(Map);
      expect(builtinBase(function legacy() {})).to.equal(Object);
    });
  });

  describe('allocate / unsafeBaseArgs', () => {
    it('creates instances without running constructors, with the built-in slots of the base', () => {
      let runs = 0;
      class Point {
        x = (runs++, 1);
      }
      class Stamp extends Date {
        constructor() {
          super();
          runs++;
        }
      }
      class Tags extends Map<string, number> {
        constructor() {
          super([['a', 1]]);
          runs++;
        }
      }
      const p = allocate(Point, [1, 2]) as Point;
      expect(Object.getPrototypeOf(p)).to.equal(Point.prototype);
      expect(Object.keys(p)).to.deep.equal([]);
      const d = allocate(Stamp, [86400000]) as Stamp;
      expect(d).to.be.instanceOf(Stamp);
      expect(d.getTime()).to.equal(86400000);
      const t = allocate(Tags, [[['ignored', 1]]]) as Tags;
      expect(t).to.be.instanceOf(Tags);
      expect(t.size).to.equal(0);
      expect(runs).to.equal(0);
    });

    it("fills an Array subclass from one array argument (a tuple's items), and honours static __new__", () => {
      class Tuple extends Array<unknown> {}
      const t = allocate(Tuple, [[1, 'a', null]]) as Tuple;
      expect(t).to.be.instanceOf(Tuple);
      expect(Array.isArray(t)).to.equal(true);
      expect([...t]).to.deep.equal([1, 'a', null]);
      expect([...(allocate(Tuple, [1, 2]) as Tuple)]).to.deep.equal([]);
      const made = { made: true };
      class Custom {
        static __new__(cls: unknown, ...args: unknown[]): object {
          return { ...made, cls, args };
        }
      }
      expect(allocate(Custom, [7])).to.deep.equal({ made: true, cls: Custom, args: [7] });
      class Agg extends AggregateError {}
      const a = allocate(Agg, []) as Agg;
      expect(a).to.be.instanceOf(Agg);
      expect(a.errors).to.deep.equal([]);
    });

    it('throws a TypeError for non-classes', () => {
      expect(() => allocate(42 as unknown as Function, [])).to.throw(
        TypeError,
        /^newobj\(\) argument must be a class, not number$/,
      );
      expect(() => allocate(null as unknown as Function, [])).to.throw(TypeError, /not null$/);
      const arrow = (): void => {};
      expect(() => allocate(arrow, [])).to.throw(TypeError, /^newobj\(\) argument must be a class, not arrow$/);
    });

    it('refuses object arguments for converting bases, but not for plain or item bases', () => {
      class Stamp extends Date {}
      class Plain {}
      class Tags extends Map {}
      expect(unsafeBaseArgs(Stamp, [1, 'x', null, undefined, new ArrayBuffer(1)])).to.equal(undefined);
      expect(unsafeBaseArgs(Stamp, [{}])).to.equal('Date arguments must be primitives or ArrayBuffers, not Object');
      expect(unsafeBaseArgs(String, [1, [1, 2]])).to.equal('String arguments must be primitives or ArrayBuffers, not Array');
      expect(unsafeBaseArgs(Uint8Array, [new Uint8Array(2)])).to.equal(
        'Uint8Array arguments must be primitives or ArrayBuffers, not Uint8Array',
      );
      expect(unsafeBaseArgs(Plain, [{}, []])).to.equal(undefined);
      expect(unsafeBaseArgs(Tags, [[[1, 2]]])).to.equal(undefined);
      expect(unsafeBaseArgs(AggregateError, [[new Error('e')], 'msg'])).to.equal(undefined);
      expect(unsafeBaseArgs(AggregateError, ['msg', [1]])).to.match(/^AggregateError arguments .* not Array$/);
    });
  });

  describe('needsNew / markClass', () => {
    it('asks for new on classes and new-only built-ins, and on functions marked as classes', () => {
      class Point {}
      function legacy(): void {}
      function transpiled(): void {}
      expect(needsNew(Point)).to.equal(true);
      expect(needsNew(class {})).to.equal(true);
      for (const f of [Date, Map, Uint8Array, ArrayBuffer, Promise, TypeError]) expect(needsNew(f), f.name).to.equal(true);
      for (const f of [Object, Array, Number, String, Boolean, legacy, (): void => {}, Math.max]) {
        expect(needsNew(f), f.name).to.equal(false);
      }
      expect(needsNew(transpiled)).to.equal(false);
      markClass(transpiled);
      expect(needsNew(transpiled)).to.equal(true);
      expect(needsNew(legacy)).to.equal(false);
    });
  });

  describe('typedArrayBase', () => {
    it('reads the brand, not the constructor property', () => {
      class Bytes extends Float32Array {}
      const lying = new Int16Array(1);
      Object.defineProperty(lying, 'constructor', { value: Uint8Array });
      expect(typedArrayBase(new Float64Array(1))).to.equal(Float64Array);
      expect(typedArrayBase(Buffer.from('a'))).to.equal(Uint8Array);
      expect(typedArrayBase(new Bytes(1))).to.equal(Float32Array);
      expect(typedArrayBase(lying)).to.equal(Int16Array);
      expect(typedArrayBase(new BigUint64Array(1))).to.equal(BigUint64Array);
    });
  });

  describe('isExactBuiltin', () => {
    it("tells a built-in's own prototype from Object, Array and subclass prototypes", () => {
      class MyMap extends Map {}
      for (const p of [Map.prototype, Date.prototype, RegExp.prototype, ArrayBuffer.prototype, DataView.prototype,
        TypeError.prototype, AggregateError.prototype, String.prototype, BigInt.prototype, Uint8Array.prototype]) {
        expect(isExactBuiltin(p), String(p.constructor.name)).to.equal(true);
      }
      for (const p of [Object.prototype, Array.prototype, MyMap.prototype, WeakMap.prototype, Buffer.prototype,
        Object.create(null) as object]) {
        expect(isExactBuiltin(p)).to.equal(false);
      }
    });
  });
});
