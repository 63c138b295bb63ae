// The default reductions (lib/reduce-default.ts): CPython's object.__reduce_ex__ in its protocol
// >= 2 __newobj__ form (reduceNewobj) and protocol 0/1 _reconstructor form (reduceEx01), and the
// default state (getState).
import { expect } from 'chai';

import { newobj, newobjEx, reconstructor } from '../lib/reduce';
import { getState, reduceEx01, reduceNewobj } from '../lib/reduce-default';
import { Dict, Point, Stack, Stamp } from './helpers/reduce-classes';

describe('reduce-default', () => {
  describe('reduceNewobj', () => {
    it('gives [newobj, [cls], state, null, null] for an ordinary object, its state a snapshot', () => {
      const p = new Point(1, 2);
      const rv = reduceNewobj(p) as readonly unknown[];
      expect(rv).to.have.length(5);
      expect(rv[0]).to.equal(newobj);
      expect(rv[1]).to.deep.equal([Point]);
      expect(rv[2]).to.deep.equal({ ran: true, x: 1, y: 2 });
      expect(rv[2]).to.not.equal(p);
      expect(rv[3]).to.equal(null);
      expect(rv[4]).to.equal(null);
    });

    it("gives an Array subclass's items and a Map subclass's entries as iterators, a Date's time as argument", () => {
      const s = Stack.from([1, 2]) as Stack;
      const rs = reduceNewobj(s) as readonly unknown[];
      expect([...(rs[3] as Iterable<unknown>)]).to.deep.equal([1, 2]);
      const m = new Dict([['a', 1]]);
      const rm = reduceNewobj(m) as readonly unknown[];
      expect(rm[3]).to.equal(null);
      expect([...(rm[4] as Iterable<unknown>)]).to.deep.equal([['a', 1]]);
      const rd = reduceNewobj(new Stamp(5)) as readonly unknown[];
      expect(rd[1]).to.deep.equal([Stamp, 5]);
    });

    it('takes __getnewargs__, and __getnewargs_ex__ with keywords (the newobjEx form)', () => {
      class A {
        __getnewargs__(): unknown[] {
          return [1, 2];
        }
      }
      expect((reduceNewobj(new A()) as readonly unknown[])[1]).to.deep.equal([A, 1, 2]);
      class B {
        __getnewargs_ex__(): unknown {
          return [[1], { k: 2 }];
        }
      }
      const rb = reduceNewobj(new B()) as readonly unknown[];
      expect(rb[0]).to.equal(newobjEx);
      expect(rb[1]).to.deep.equal([B, [1], { k: 2 }]);
      class C {
        __getnewargs_ex__(): unknown {
          return [[3], {}];
        }
      }
      const rc = reduceNewobj(new C()) as readonly unknown[];
      expect(rc[0]).to.equal(newobj);
      expect(rc[1]).to.deep.equal([C, 3]);
    });

    it("checks what __getnewargs__ / __getnewargs_ex__ return, with CPython's messages", () => {
      const make = (name: string, value: unknown): object => {
        class H {}
        (H.prototype as unknown as Record<string, unknown>)[name] = () => value;
        return new H();
      };
      const cases: [string, unknown, string][] = [
        ['__getnewargs__', 5, '__getnewargs__ should return a tuple, not \'number\''],
        ['__getnewargs_ex__', 'x', "__getnewargs_ex__ should return a tuple, not 'string'"],
        ['__getnewargs_ex__', [[], {}, 1], '__getnewargs_ex__ should return a tuple of length 2, not 3'],
        ['__getnewargs_ex__', [{}, {}], "first item of the tuple returned by __getnewargs_ex__ must be a tuple, not 'Object'"],
        ['__getnewargs_ex__', [[], []], "second item of the tuple returned by __getnewargs_ex__ must be a dict, not 'Array'"],
      ];
      for (const [name, value, message] of cases) {
        expect(() => reduceNewobj(make(name, value)), message).to.throw(TypeError, message);
      }
    });

    it('refuses objects whose state cannot be read', () => {
      expect(() => reduceNewobj(new WeakMap())).to.throw(TypeError, "cannot pickle 'WeakMap' object");
      expect(() => reduceNewobj(new ArrayBuffer(1))).to.throw(TypeError, "cannot pickle 'ArrayBuffer' object");
      expect(() => reduceEx01(Promise.resolve())).to.throw(TypeError, "cannot pickle 'Promise' object");
    });
  });

  describe('reduceEx01', () => {
    it('gives [reconstructor, [cls, Object, null], state], leaving out a falsy state', () => {
      const rv = reduceEx01(new Point(3, 4)) as readonly unknown[];
      expect(rv[0]).to.equal(reconstructor);
      expect(rv[1]).to.deep.equal([Point, Object, null]);
      expect(rv[2]).to.deep.equal({ ran: true, x: 3, y: 4 });
      class Empty {}
      expect(reduceEx01(new Empty())).to.deep.equal([reconstructor, [Empty, Object, null]]);
    });

    it("names the built-in base and its value (CPython's base(obj))", () => {
      const s = Stack.from(['a']) as Stack;
      const rv = reduceEx01(s) as readonly unknown[];
      expect(rv[1]).to.deep.equal([Stack, Array, ['a']]);
      expect((rv[1] as readonly unknown[])[2]).to.not.equal(s);
      const rebuilt = reconstructor(...((rv[1] as [Function, Function, unknown]))) as Stack;
      expect([...rebuilt]).to.deep.equal(['a']);
      expect((reduceEx01(new Stamp(7)) as readonly unknown[])[1]).to.deep.equal([Stamp, Date, 7]);
    });
  });

  describe('getState', () => {
    it('calls __getstate__ when there is one', () => {
      const token = { t: 1 };
      class G {
        hidden = 1;
        __getstate__(): unknown {
          return token;
        }
      }
      expect(getState(new G())).to.equal(token);
    });

    it('snapshots own enumerable properties with their descriptors, or gives null', () => {
      expect(getState(new (class {})())).to.equal(null);
      let calls = 0;
      const o = { a: 1 };
      Object.defineProperty(o, 'lazy', { get: () => ++calls, enumerable: true, configurable: true });
      Object.defineProperty(o, 'hidden', { value: 2, enumerable: false });
      const s = getState(o) as object;
      expect(calls).to.equal(0);
      expect(Object.keys(s)).to.deep.equal(['a', 'lazy']);
      expect(Object.getOwnPropertyDescriptor(s, 'lazy')!.get).to.be.a('function');
      expect(Object.getPrototypeOf(s)).to.equal(Object.prototype);
    });
  });
});
