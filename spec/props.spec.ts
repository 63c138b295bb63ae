// lib/props.ts: own properties written as Python's __dict__.update writes them.
import { expect } from 'chai';

import { spawnSync } from 'child_process';

import { assignOrDefine, defineDescriptor, defineValue, putProp } from '../lib/props';

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

  it('assignOrDefine defines the property when an inherited read-only one makes assignment throw', () => {
    const proto = Object.freeze({ fixed: 1 });
    const o = Object.create(proto) as Record<string, unknown>;
    assignOrDefine(o, 'fixed', 2);
    assignOrDefine(o, 'free', 3);
    expect(Object.getOwnPropertyDescriptor(o, 'fixed')).to.deep.equal({ value: 2, writable: true, enumerable: true, configurable: true });
    expect(o.free).to.equal(3);
  });

  it('copy and deepcopy work with a frozen Object.prototype (hardened JS), keys such as toString included', function () {
    this.timeout(60_000);
    // Note: in a child process, since freezing Object.prototype here would change every other spec.
    const code = `
      const { copy, deepcopy } = require('./lib/index');
      Object.freeze(Object.prototype);
      const x = { toString: 1, constructor: 2, a: { valueOf: 3 }, l: [{ hasOwnProperty: 4 }] };
      process.stdout.write(JSON.stringify([deepcopy(x), copy(x)]));`;
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], { encoding: 'utf8' });
    expect(r.stderr).to.equal('');
    const x = { toString: 1, constructor: 2, a: { valueOf: 3 }, l: [{ hasOwnProperty: 4 }] };
    expect(JSON.parse(r.stdout)).to.deep.equal([x, x]);
  });
});
