// The error classes and the type names used in messages (lib/errors.ts): the PickleError family's
// hierarchy, names and causes, and typeName for primitives, classes and odd prototypes.
import { expect } from 'chai';

import { CopyError, PickleError, PicklingError, UnpicklingError, typeName } from '../lib/errors';

describe('errors', () => {
  describe('error classes', () => {
    it('form the PickleError family, with CopyError apart from it', () => {
      const pickling = new PicklingError('p');
      const unpickling = new UnpicklingError('u');
      const copy = new CopyError('c');
      expect(pickling).to.be.instanceOf(PickleError);
      expect(pickling).to.be.instanceOf(Error);
      expect(unpickling).to.be.instanceOf(PickleError);
      expect(unpickling).to.not.be.instanceOf(PicklingError);
      expect(pickling).to.not.be.instanceOf(UnpicklingError);
      expect(copy).to.be.instanceOf(Error);
      expect(copy).to.not.be.instanceOf(PickleError);
      expect(new PickleError('x')).to.not.be.instanceOf(PicklingError);
    });

    it('carry their own name and message, which String() and the stack show', () => {
      const cases: [Error, string][] = [
        [new CopyError('cannot copy'), 'CopyError'],
        [new PickleError('base'), 'PickleError'],
        [new PicklingError("Can't pickle <function f>"), 'PicklingError'],
        [new UnpicklingError('pickle data was truncated'), 'UnpicklingError'],
      ];
      for (const [e, name] of cases) {
        expect(e.name, name).to.equal(name);
        expect(String(e)).to.equal(`${name}: ${e.message}`);
        expect(e.stack).to.be.a('string').and.satisfy((s: string) => s.startsWith(`${name}: ${e.message}`));
        expect(Object.prototype.hasOwnProperty.call(e, 'name'), name).to.equal(true);
      }
      expect(new UnpicklingError('pickle data was truncated').message).to.equal('pickle data was truncated');
    });

    it('keep the original error as cause, and default to an empty message', () => {
      const original = new RangeError('offset out of range');
      const e = new UnpicklingError('bad memo', { cause: original });
      expect(e.cause).to.equal(original);
      const c = new CopyError('wrapped', { cause: 'a string cause' });
      expect(c.cause).to.equal('a string cause');
      const bare = new PicklingError();
      expect(bare.message).to.equal('');
      expect('cause' in bare).to.equal(false);
      expect(String(bare)).to.equal('PicklingError');
    });

    it('can be caught as the base class when thrown', () => {
      const thrower = (): never => {
        throw new UnpicklingError('invalid load key');
      };
      expect(thrower).to.throw(PickleError, 'invalid load key');
      expect(thrower).to.throw(UnpicklingError, /^invalid load key$/);
    });
  });

  describe('typeName', () => {
    it("names primitives by their JS type, and null as 'null'", () => {
      expect(typeName(null)).to.equal('null');
      expect(typeName(undefined)).to.equal('undefined');
      expect(typeName(1)).to.equal('number');
      expect(typeName('s')).to.equal('string');
      expect(typeName(true)).to.equal('boolean');
      expect(typeName(1n)).to.equal('bigint');
      expect(typeName(Symbol('s'))).to.equal('symbol');
    });

    it("names functions and classes by their own name, or 'function' when anonymous", () => {
      function named(): void {}
      class Point {}
      expect(typeName(named)).to.equal('named');
      expect(typeName(Point)).to.equal('Point');
      expect(typeName(Map)).to.equal('Map');
      const anonymous = [(): void => {}][0]!;
      expect(anonymous.name).to.equal('');
      expect(typeName(anonymous)).to.equal('function');
      const oddName = function (): void {};
      Object.defineProperty(oddName, 'name', { value: 42 });
      expect(typeName(oddName)).to.equal('function');
    });

    it('names objects by the class their prototype owns, built-ins and subclasses alike', () => {
      class Point {}
      class Point3 extends Point {}
      class MyMap extends Map {}
      expect(typeName({})).to.equal('Object');
      expect(typeName([])).to.equal('Array');
      expect(typeName(new Map())).to.equal('Map');
      expect(typeName(new Point())).to.equal('Point');
      expect(typeName(new Point3())).to.equal('Point3');
      expect(typeName(new MyMap())).to.equal('MyMap');
      expect(typeName(new Uint8Array(1))).to.equal('Uint8Array');
      expect(typeName(new PicklingError('x'))).to.equal('PicklingError');
    });

    it("names null-prototype objects 'Object' and falls back to the tag when no class is owned", () => {
      expect(typeName(Object.create(null))).to.equal('Object');
      // The prototype inherits `constructor` but owns none: the tag decides.
      expect(typeName(Object.create({}))).to.equal('Object');
      function* gen(): Generator<number> {
        yield 1;
      }
      expect(typeName(gen())).to.equal('Generator');
      expect(typeName([1][Symbol.iterator]())).to.equal('Array Iterator');
      const tagged = Object.create({ [Symbol.toStringTag]: 'Custom' }) as object;
      expect(typeName(tagged)).to.equal('Custom');
      // An own `constructor` that is not a function does not count.
      const proto = { constructor: 'nope' };
      expect(typeName(Object.create(proto))).to.equal('Object');
    });
  });
});
