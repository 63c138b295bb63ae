// lib/pickler-globals.ts: how globals are written, as CPython's save_global writes them.
import { expect } from 'chai';

import { addExtension, constructor, dis, dumps, removeExtension } from '../lib/index';

function specGlobalsFn(): void {}
constructor(specGlobalsFn);

describe('pickler-globals', () => {
  it('GLOBAL below protocol 4, STACK_GLOBAL from 4, memoized by name', () => {
    expect(dis(dumps([specGlobalsFn, specGlobalsFn], { protocol: 2 }))).to.match(/GLOBAL\s+'__main__ specGlobalsFn'[\s\S]*BINGET/);
    const p4 = dis(dumps([specGlobalsFn, specGlobalsFn], { protocol: 4 }));
    expect(p4).to.match(/STACK_GLOBAL[\s\S]*BINGET/);
    expect(p4.match(/STACK_GLOBAL/g)).to.have.length(1);
  });

  it('EXT1/EXT2/EXT4 for registered names from protocol 2, GLOBAL below it', () => {
    for (const [code, op] of [[0x7f, 'EXT1'], [0x1234, 'EXT2'], [0x123456, 'EXT4']] as const) {
      addExtension('__main__', 'specGlobalsFn', code);
      try {
        expect(dis(dumps(specGlobalsFn, { protocol: 2 }))).to.include(op);
        expect(dis(dumps(specGlobalsFn, { protocol: 1 }))).to.include('GLOBAL');
      } finally {
        removeExtension('__main__', 'specGlobalsFn', code);
      }
    }
  });

  it('maps Python 3 names to Python 2 at protocols < 3 (fixImports), and refuses non-ASCII names there', () => {
    expect(dis(dumps(new Set([1]), { protocol: 2 }))).to.include("'__builtin__ set'");
    expect(dis(dumps(new Set([1]), { protocol: 2, fixImports: false }))).to.include("'builtins set'");
    function specGlobalsÉ(): void {}
    constructor(specGlobalsÉ);
    expect(() => dumps(specGlobalsÉ, { protocol: 2 })).to.throw("can't pickle global identifier");
    // Protocol 3 writes the name as UTF-8, as CPython does.
    expect(Buffer.from(dumps(specGlobalsÉ, { protocol: 3 })).includes(Buffer.from('specGlobalsÉ\n'))).to.equal(true);
  });

  it('an undeclared function is a PicklingError naming it', () => {
    expect(() => dumps(() => 1)).to.throw(/not declared/);
  });
});
