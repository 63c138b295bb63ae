// The unpickler's own values (lib/unpickler-values.ts): Python's `()`, the functools.partial
// stand-in of the protocol 2-3 NEWOBJ_EX form, a nested name's parent, MapNeeded, and the
// builders of DICT values, lists with holes and Error state.
import { expect } from 'chai';

import { UnpicklingError } from '../lib/errors';
import { PyGlobal, PyObject } from '../lib/pyobjects';
import { HOLE } from '../lib/typemap';
import { buildError, EMPTY_TUPLE, isPartial, makeDict, MapNeeded, PARTIAL_NATIVE, PyParent, refuseParent, withHoles } from '../lib/unpickler-values';

describe('unpickler-values', () => {
  it('EMPTY_TUPLE is one frozen empty array', () => {
    expect(EMPTY_TUPLE).to.deep.equal([]);
    expect(Object.isFrozen(EMPTY_TUPLE)).to.equal(true);
  });

  describe('PARTIAL_NATIVE', () => {
    it('calls its target with the bound arguments, the call arguments, then the keywords as one object', () => {
      const seen: unknown[][] = [];
      const target = (...args: unknown[]): string => {
        seen.push(args);
        return 'made';
      };
      const p = PARTIAL_NATIVE(target, 1, 2);
      expect(isPartial(p)).to.equal(true);
      expect(isPartial(target)).to.equal(false);
      expect(p(3)).to.equal('made');
      (p as unknown as { __setstate__(s: unknown): void }).__setstate__([target, [9], { k: 1 }, null]);
      p();
      expect(seen).to.deep.equal([[1, 2, 3], [9, { k: 1 }]]);
    });

    it("refuses a malformed state and a target that is not callable, with CPython's wording", () => {
      const p = PARTIAL_NATIVE(5);
      expect(() => p()).to.throw(UnpicklingError, 'partial() first argument must be callable');
      expect(() => (p as unknown as { __setstate__(s: unknown): void }).__setstate__([1, 2])).to.throw(UnpicklingError, 'partial state must be a 4-tuple');
    });

    it('with placeholders, partial(cls.__new__, cls, *args, **kw)() is NEWOBJ_EX of the placeholder class', () => {
      const cls = new PyGlobal('m', 'C');
      const p = PARTIAL_NATIVE(new PyGlobal('m', 'C.__new__'));
      (p as unknown as { __setstate__(s: unknown): void }).__setstate__([new PyGlobal('m', 'C.__new__'), [cls, 1], { x: 2 }, null]);
      const made = p() as PyObject;
      expect(made).to.be.instanceOf(PyObject);
      expect([made.cls, made.args, made.form, made.kwargs]).to.deep.equal([cls, [1], 'newobj_ex', { x: 2 }]);
    });
  });

  describe('makeDict, withHoles, buildError', () => {
    it('makes a plain object of string keys (own __proto__ included), else a Map', () => {
      const d = makeDict(['a', 1, '__proto__', 2]) as Record<string, unknown>;
      expect(Object.getPrototypeOf(d)).to.equal(Object.prototype);
      expect(Object.getOwnPropertyNames(d)).to.deep.equal(['a', '__proto__']);
      expect(makeDict(['a', 1, 2, 'b'])).to.deep.equal(new Map<unknown, unknown>([['a', 1], [2, 'b']]));
    });

    it('turns hole markers back into holes, and returns an array without them as it is', () => {
      const plain = [1, 2];
      expect(withHoles(plain)).to.equal(plain);
      const y = withHoles([1, HOLE, 3]);
      expect(y).to.have.length(3);
      expect(1 in y).to.equal(false);
    });

    it("keeps an Error's message, stack, cause and errors non-enumerable, other state enumerable", () => {
      const e = new Error('x');
      buildError(e, { message: 'm', cause: 1, code: 7 });
      expect(e.message).to.equal('m');
      expect(Object.keys(e)).to.deep.equal(['code']);
      buildError(e, new Map([['stack', 's']]));
      expect(e.stack).to.equal('s');
    });
  });

  describe('PyParent / refuseParent', () => {
    it('a parent is an inert PyGlobal that may not be called unless placeholders are on', () => {
      const parent = new PyParent('geo', 'Outer');
      expect(parent).to.be.instanceOf(PyGlobal);
      expect(() => refuseParent(parent, false)).to.throw(UnpicklingError, "global 'geo.Outer' is forbidden");
      expect(() => refuseParent(parent, true)).to.not.throw();
      expect(() => refuseParent(new PyGlobal('geo', 'Outer'), false)).to.not.throw();
    });
  });

  it('MapNeeded is an UnpicklingError (it never escapes a load as anything else)', () => {
    expect(new MapNeeded('x')).to.be.instanceOf(UnpicklingError);
  });
});
