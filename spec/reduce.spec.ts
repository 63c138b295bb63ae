// The shared reduce protocol (lib/reduce.ts): the allocating callables (newobj, newobjEx,
// reconstructor), how state is applied, and the predicates copy and the pickler use to pick their
// fast paths. The default reductions are in reduce-default.spec.ts.
import { expect } from 'chai';

import {
  hasReduceHook,
  isKeywords,
  newobj,
  newobjEx,
  ownsHook,
  reconstructor,
  REDUCE_HOOKS,
  setState,
  usesDefaultReduction,
} from '../lib/reduce';
import { Dict, Point, Stack, Stamp } from './helpers/reduce-classes';

const fail = (m: string): Error => new TypeError(m);

describe('reduce', () => {
  describe('newobj', () => {
    it('allocates from the prototype without running the constructor', () => {
      const p = newobj(Point, 1, 2);
      expect(Object.getPrototypeOf(p)).to.equal(Point.prototype);
      expect(Reflect.ownKeys(p)).to.deep.equal([]);
      expect(p).to.not.have.property('ran');
    });

    it("makes a built-in base's internals, and a tuple subclass's items from its one argument", () => {
      const d = newobj(Stamp, 86_400_000);
      expect(d).to.be.instanceOf(Stamp);
      expect(d.getTime()).to.equal(86_400_000);
      const s = newobj(Stack, [1, 2]);
      expect(s).to.be.instanceOf(Stack);
      expect(Array.isArray(s)).to.equal(true);
      expect([...s]).to.deep.equal([1, 2]);
      expect(newobj(Dict).size).to.equal(0);
    });

    it('calls a static __new__ with the class and the arguments', () => {
      const calls: unknown[][] = [];
      class Custom {
        static __new__(cls: typeof Custom, ...args: unknown[]): Custom {
          calls.push([cls, ...args]);
          return Object.create(cls.prototype) as Custom;
        }
      }
      const c = newobj(Custom, 'a', 1);
      expect(c).to.be.instanceOf(Custom);
      expect(calls).to.deep.equal([[Custom, 'a', 1]]);
    });

    it('refuses what is not a class', () => {
      expect(() => newobj(42 as never)).to.throw(TypeError, 'newobj() argument must be a class, not number');
      const arrow = (() => 0) as unknown as typeof Point;
      expect(() => newobj(arrow)).to.throw(TypeError, 'newobj() argument must be a class');
    });
  });

  describe('newobjEx', () => {
    it('passes non-empty kwargs as one extra trailing argument, and drops empty or missing ones', () => {
      const seen: unknown[][] = [];
      class K {
        static __new__(cls: typeof K, ...args: unknown[]): K {
          seen.push(args);
          return Object.create(cls.prototype) as K;
        }
      }
      const kw = { a: 1 };
      newobjEx(K, [1], kw);
      newobjEx(K, [1], {});
      newobjEx(K, [], null);
      newobjEx(K, [2], undefined);
      expect(seen).to.deep.equal([[1, { a: 1 }], [1], [], [2]]);
      expect(seen[0]![1]).to.equal(kw);
    });

    it("checks args and kwargs with CPython's messages", () => {
      expect(() => newobjEx(Point, 5 as never, null)).to.throw(
        TypeError,
        'Value after * must be an iterable, not number',
      );
      expect(() => newobjEx(Point, [], [1] as never)).to.throw(
        TypeError,
        'argument after ** must be a mapping, not Array',
      );
      expect(newobjEx(Point, [], new Map() as never)).to.be.instanceOf(Point);
    });
  });

  describe('isKeywords', () => {
    it('takes plain and null-prototype objects and Maps only', () => {
      expect(isKeywords({})).to.equal(true);
      expect(isKeywords(Object.create(null))).to.equal(true);
      expect(isKeywords(new Map())).to.equal(true);
      for (const x of [null, undefined, 1, 'a', [], new Point(), new Date(0), () => 0]) {
        expect(isKeywords(x), String(x)).to.equal(false);
      }
    });
  });

  describe('reconstructor', () => {
    it('allocates an ordinary class without its constructor (base Object)', () => {
      const p = reconstructor(Point, Object, null) as Point;
      expect(Object.getPrototypeOf(p)).to.equal(Point.prototype);
      expect(p).to.not.have.property('ran');
    });

    it('fills an Array base from the state, a Map base from entries or a plain object, a Date from its time', () => {
      const s = reconstructor(Stack, Array, [1, 'two']) as Stack;
      expect(s).to.be.instanceOf(Stack);
      expect([...s]).to.deep.equal([1, 'two']);
      expect([...(reconstructor(Stack, Array, null) as Stack)]).to.deep.equal([]);
      const fromEntries = reconstructor(Dict, Map, [[1, 'a']]) as Dict;
      expect(fromEntries).to.be.instanceOf(Dict);
      expect([...fromEntries]).to.deep.equal([[1, 'a']]);
      expect([...(reconstructor(Dict, Map, { k: 'v' }) as Dict)]).to.deep.equal([['k', 'v']]);
      const d = reconstructor(Stamp, Date, 1000) as Stamp;
      expect(d).to.be.instanceOf(Stamp);
      expect(d.getTime()).to.equal(1000);
    });
  });

  describe('setState', () => {
    it('prefers the state setter, then __setstate__', () => {
      const log: unknown[] = [];
      class S {
        __setstate__(state: unknown): void {
          log.push(['own', state]);
        }
      }
      const obj = new S();
      setState(obj, 1, fail, (o: unknown, st: unknown) => log.push(['setter', o === obj, st]));
      setState(obj, 2, fail);
      expect(log).to.deep.equal([['setter', true, 1], ['own', 2]]);
    });

    it("defines a mapping's properties (setters not run, prototype unchanged), from objects and Maps", () => {
      let setterRan = false;
      class T {
        set x(_v: unknown) {
          setterRan = true;
        }
      }
      const obj = new T();
      const state = JSON.parse('{"x": 1, "__proto__": {"evil": true}}') as object;
      setState(obj, state, fail);
      expect(setterRan).to.equal(false);
      expect(Object.getPrototypeOf(obj)).to.equal(T.prototype);
      expect(Object.getOwnPropertyDescriptor(obj, 'x')!.value).to.equal(1);
      expect(Object.hasOwn(obj, '__proto__')).to.equal(true);
      setState(obj, new Map<unknown, unknown>([['y', 2], [3, 'three']]), fail);
      expect((obj as unknown as Record<string, unknown>).y).to.equal(2);
      expect((obj as unknown as Record<string, unknown>)['3']).to.equal('three');
    });

    it('assigns the slot half of a frozen [state, slotstate] pair, running setters', () => {
      const seen: unknown[] = [];
      class T {
        set s(v: unknown) {
          seen.push(v);
        }
      }
      const obj = new T() as T & { d?: unknown };
      setState(obj, Object.freeze([{ d: 1 }, { s: 2 }]), fail);
      expect(obj.d).to.equal(1);
      expect(seen).to.deep.equal([2]);
      // An unfrozen two-item array is not that pair: it is not a mapping at all.
      expect(() => setState({}, [{ d: 1 }, { s: 2 }], fail)).to.throw(TypeError, 'state is not a dictionary');
    });

    it('fails with the caller’s error for a state that is not a mapping', () => {
      for (const bad of [1, 'str', [1], true]) {
        expect(() => setState({}, bad, (m) => new RangeError(m)), String(bad)).to.throw(
          RangeError,
          'state is not a dictionary',
        );
      }
      // Nothing to apply: no error and no change.
      const o = {};
      setState(o, null, fail);
      expect(Reflect.ownKeys(o)).to.deep.equal([]);
    });
  });

  describe('hasReduceHook / ownsHook', () => {
    it('hasReduceHook finds any of the hooks, own or inherited, even set to null', () => {
      expect(REDUCE_HOOKS).to.include('__reduce_ex__');
      expect(hasReduceHook(new Point())).to.equal(false);
      for (const name of REDUCE_HOOKS) {
        class H {}
        (H.prototype as unknown as Record<string, unknown>)[name] = () => null;
        expect(hasReduceHook(new H()), name).to.equal(true);
        expect(hasReduceHook({ [name]: null }), name).to.equal(true);
      }
      expect(hasReduceHook({ __copy__: () => 0 })).to.equal(false);
    });

    it('ownsHook counts own properties only, enumerable or not', () => {
      class H {
        __reduce__(): unknown {
          return 'x';
        }
      }
      const h = new H();
      expect(ownsHook(h, ['__reduce__'])).to.equal(false);
      Object.defineProperty(h, '__getstate__', { value: () => ({}), enumerable: false });
      expect(ownsHook(h, ['__reduce__', '__getstate__'])).to.equal(true);
      expect(ownsHook(h, [])).to.equal(false);
      expect(ownsHook(H.prototype, ['__reduce__'])).to.equal(true);
    });
  });

  describe('usesDefaultReduction', () => {
    it('holds for an ordinary instance, not with a hook, a static __new__ or a dispatch table entry', () => {
      const none = new Map<Function, never>();
      expect(usesDefaultReduction(new Point(), none)).to.equal(true);
      expect(usesDefaultReduction({ a: 1 }, none)).to.equal(true);
      class Hooked {
        __getstate__(): unknown {
          return {};
        }
      }
      expect(usesDefaultReduction(new Hooked(), none)).to.equal(false);
      class WithNew {
        static __new__(cls: typeof WithNew): WithNew {
          return Object.create(cls.prototype) as WithNew;
        }
      }
      expect(usesDefaultReduction(new WithNew(), none)).to.equal(false);
      const table = new Map<Function, () => string>([[Point, () => 'Point']]);
      expect(usesDefaultReduction(new Point(), table)).to.equal(false);
      expect(usesDefaultReduction(new Stack(), table)).to.equal(true);
    });
  });
});
