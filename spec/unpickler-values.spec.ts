// The unpickler's own values (lib/unpickler-values.ts): Python's `()`, the functools.partial
// stand-in of the protocol 2-3 NEWOBJ_EX form, a nested name's parent, and MapNeeded.
import { expect } from 'chai';

import { UnpicklingError } from '../lib/errors';
import { PyGlobal, PyObject } from '../lib/pyobjects';
import { EMPTY_TUPLE, isPartial, MapNeeded, PARTIAL_NATIVE, PyParent, refuseParent } from '../lib/unpickler-values';

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
