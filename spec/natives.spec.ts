// lib/natives.ts: the Python callables behind the loader's allow-list behave as Python's do, and
// the loader can tell what a call would allocate before making it.
import { expect } from 'chai';

import { UnpicklingError } from '../lib/index';
import {
  callableFor,
  nativeCost,
  pyBytearray,
  pyBytes,
  pyDict,
  pyEncode,
  pyFrozenset,
  pyList,
  pyObject,
  pyOrderedDict,
  pySet,
} from '../lib/natives';

describe('natives', () => {
  it('list, set and frozenset take any Python iterable as the loader represents it', () => {
    expect(pyList()).to.deep.equal([]);
    expect(pyList(Object.freeze([1, 2]))).to.deep.equal([1, 2]);
    expect(pyList('ab')).to.deep.equal(['a', 'b']);
    expect(pyList(new Uint8Array([7, 8]))).to.deep.equal([7, 8]);
    expect(pyList(new Map([[1, 'x']]))).to.deep.equal([1]);
    expect(pyList({ k: 1, j: 2 })).to.deep.equal(['k', 'j']);
    expect(pySet([1, 1, 2])).to.deep.equal(new Set([1, 2]));
    expect(Object.isFrozen(pyFrozenset([1]))).to.equal(true);
    expect(() => pyList(5)).to.throw(UnpicklingError, "'number' object is not iterable");
    expect(() => pyList([1], [2])).to.throw(UnpicklingError, 'at most 1 argument');
    expect(() => pySet(null)).to.throw(UnpicklingError);
  });

  it('dict and OrderedDict take pairs or a dict; OrderedDict keys stay own data, even __proto__', () => {
    expect(pyDict([[1, 'a'], Object.freeze(['b', 2])])).to.deep.equal(new Map<unknown, unknown>([[1, 'a'], ['b', 2]]));
    expect(pyDict({ a: 1 })).to.deep.equal(new Map([['a', 1]]));
    expect(() => pyDict([[1, 2, 3]])).to.throw(UnpicklingError, 'each item must be a pair');
    const od = pyOrderedDict([['__proto__', 1], [2, 'two']]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(od)).to.equal(null);
    expect(Object.keys(od)).to.deep.equal(['2', '__proto__']);
    expect(od['__proto__']).to.equal(1);
    expect(() => pyOrderedDict([[[1], 2]])).to.throw(UnpicklingError, 'keys must be primitives');
  });

  it('object() takes no arguments, as in Python', () => {
    expect(pyObject()).to.deep.equal({});
    expect(() => pyObject(1)).to.throw(UnpicklingError, 'object() takes no arguments');
  });

  it('bytes and bytearray: a count of zero bytes, a list of byte values, or latin-1 text', () => {
    expect(pyBytes()).to.deep.equal(new Uint8Array(0));
    expect(pyBytes(3)).to.deep.equal(new Uint8Array(3));
    expect(pyBytes([1, 255])).to.deep.equal(new Uint8Array([1, 255]));
    expect(pyBytes('\u00e9', 'latin-1')).to.deep.equal(new Uint8Array([0xe9]));
    expect(() => pyBytes([256])).to.throw(UnpicklingError, 'bytes must be in range(0, 256)');
    expect(() => pyBytes(-1)).to.throw(UnpicklingError, 'negative count');
    const ab = pyBytearray(new Uint8Array([1, 2]));
    expect(ab).to.be.instanceOf(ArrayBuffer);
    expect([...new Uint8Array(ab)]).to.deep.equal([1, 2]);
    expect(() => pyEncode('\u0100', 'latin1')).to.throw(UnpicklingError, 'not latin-1');
    expect(() => pyEncode('a', 'utf-8')).to.throw(UnpicklingError, 'only allowed for latin-1');
  });

  it('callableFor puts Python list and object in place of JS Array and Object', () => {
    expect(callableFor(Array)).to.equal(pyList);
    expect(callableFor(Object)).to.equal(pyObject);
    expect(callableFor(pySet)).to.equal(pySet);
  });

  it('nativeCost: numeric sizes times the unit, the size of what a copying native copies, 0 otherwise', () => {
    expect(nativeCost(pyBytes, [1000])).to.equal(1000);
    expect(nativeCost(pySet, [[1, 2, 3]])).to.equal(3);
    expect(nativeCost(pyDict, [new Map([[1, 2]])])).to.equal(1);
    expect(nativeCost(pyEncode, ['abcd', 'latin1'])).to.equal(4);
    class Doubles extends Float64Array {}
    expect(nativeCost(Doubles, [10])).to.equal(80);
    class Plain {}
    expect(nativeCost(Plain, [1e9])).to.equal(0);
    expect(nativeCost(pySet, [])).to.equal(0);
  });
});
