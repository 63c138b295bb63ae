// lib/prescan.ts: the symbolic walk reports the globals, extension codes and dict keys a pickle
// names without running anything, following STACK_GLOBAL operands through the stack and memo.
import { expect } from 'chai';

import { dumps } from '../lib/index';
import { OTHER, walkSymbols, type WalkSeed } from '../lib/prescan';
import { latin1 } from './helpers/vectors';

const EMPTY: WalkSeed = { stack: [], memo: () => undefined, memoSize: 0, py2StrIsStr: true };

function globalsOf(data: Uint8Array, seed: WalkSeed = EMPTY, at = 0): string[] {
  const seen: string[] = [];
  walkSymbols(data, at, seed, { global: (m, n) => seen.push(`${m}.${n}`), ext: (c) => seen.push(`ext ${c}`) });
  return seen;
}

const sbu = (s: string): string => `\x8c${String.fromCharCode(s.length)}${s}`;

describe('prescan', () => {
  it('reports GLOBAL, INST and EXT names in order', () => {
    expect(globalsOf(latin1('(cos\nsystem\n(Vx\nios\npath\n\x82\x07\x83\x01\x02\x84\x00\x00\x01\x00t.'))).to.deep.equal([
      'os.system', 'os.path', 'ext 7', 'ext 513', 'ext 65536',
    ]);
  });

  it('follows STACK_GLOBAL operands: literals, memoized strings (MEMOIZE, BINPUT, PUT) and DUP', () => {
    const data = latin1(`\x80\x04${sbu('os')}\x94${sbu('system')}q\x05\x93h\x00h\x05\x93${sbu('m')}2\x93.`);
    expect(globalsOf(data)).to.deep.equal(['os.system', 'os.system', 'm.m']);
  });

  it('reads the names our own pickler writes with STACK_GLOBAL (a Date at protocol 4)', () => {
    expect(globalsOf(dumps([new Date(0), new Date(1)], { protocol: 4 }))).to.include('datetime.datetime');
  });

  it('takes the stack and memo it starts from as a seed', () => {
    const seed: WalkSeed = { stack: ['os', null, OTHER], memo: (i) => (i === 3 ? 'system' : i < 4 ? OTHER : undefined), memoSize: 4, py2StrIsStr: true };
    // POP_MARK drops the mark and OTHER; then 'os' (seed stack) and memo 3 ('system').
    expect(globalsOf(latin1('1h\x03\x93.'), seed)).to.deep.equal(['os.system']);
    // MEMOIZE after the seed's entries stores at index 4.
    expect(globalsOf(latin1(`${sbu('a')}\x94${sbu('b')}\x93h\x04h\x04\x93.`), seed)).to.deep.equal(['a.b', 'a.a']);
  });

  it('does not guess: names it cannot follow are not reported, and malformed input ends the walk quietly', () => {
    // The module comes from a call's result.
    expect(globalsOf(latin1(`\x80\x04c__main__\nf\n)R${sbu('x')}\x93.`))).to.deep.equal(['__main__.f']);
    for (const bad of ['\x80\x04\x8c\x05ab', '(cos\nsys', '\x93.', 'h\x09.', '\xff']) {
      expect(() => globalsOf(latin1(bad))).not.to.throw();
    }
    expect(globalsOf(latin1('h\x09cos\nsystem\n.'))).to.deep.equal([]);
  });

  it('reports each key set on a dict as str or not, by the dict opcode position', () => {
    const keys: [number, boolean][] = [];
    walkSymbols(latin1('\x80\x02}q\x00(K\x01K\x02X\x01\x00\x00\x00aK\x03u}h\x00K\x04s.'), 0, EMPTY, {
      dictKey: (at, isStr) => keys.push([at, isStr]),
    });
    expect(keys).to.deep.equal([[2, false], [2, true], [19, false]]);
  });
});
