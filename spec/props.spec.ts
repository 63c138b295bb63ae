// lib/props.ts: own properties written as Python's __dict__.update writes them.
import { expect } from 'chai';

import { defineDescriptor, defineValue, putProp } from '../lib/props';

describe('props', () => {
  it('defineValue never runs a setter and never changes a prototype', () => {
    const calls: unknown[] = [];
    const proto = {
      set watched(v: unknown) {
        calls.push(v);
      },
    };
    const o = Object.create(proto) as Record<string, unknown>;
    defineValue(o, 'watched', 1);
    defineValue(o, '__proto__', { evil: true });
    defineValue(o, 'plain', 2);
    expect(calls).to.deep.equal([]);
    expect(Object.getPrototypeOf(o)).to.equal(proto);
    expect(Object.getOwnPropertyDescriptor(o, 'watched')).to.deep.equal({ value: 1, writable: true, enumerable: true, configurable: true });
    expect(Object.getOwnPropertyDescriptor(o, '__proto__')!.value).to.deep.equal({ evil: true });
    expect(o.plain).to.equal(2);
  });

  it("defineValue moves only the value of a built-in's non-configurable slot", () => {
    const re = /x/g;
    defineValue(re, 'lastIndex', 3);
    expect(re.lastIndex).to.equal(3);
    const arr = [1, 2, 3];
    defineValue(arr, 'length', 1);
    expect(arr).to.deep.equal([1]);
  });

  it('defineDescriptor and putProp keep accessors and attributes', () => {
    const get = (): number => 7;
    const o = {};
    defineDescriptor(o, 'acc', { get, enumerable: false, configurable: true });
    putProp(o, 'ro', { value: 1, writable: false, enumerable: true, configurable: true }, true);
    putProp(o, 'rw', { value: 2, writable: true, enumerable: true, configurable: true }, true);
    putProp(o, '__proto__', { value: 3, writable: true, enumerable: true, configurable: true }, true);
    expect(Object.getOwnPropertyDescriptor(o, 'acc')!.get).to.equal(get);
    expect(Object.getOwnPropertyDescriptor(o, 'ro')!.writable).to.equal(false);
    expect(Object.getOwnPropertyDescriptor(o, 'rw')!.value).to.equal(2);
    expect(Object.getPrototypeOf(o)).to.equal(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(o, '__proto__')!.value).to.equal(3);
  });
});
