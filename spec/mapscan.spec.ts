// lib/mapscan.ts: which dicts of a pickle get a key that is not a string.
import { expect } from 'chai';

import { findMapDicts } from '../lib/mapscan';
import { latin1, unhex } from './helpers/vectors';

describe('mapscan', () => {
  it('finds the EMPTY_DICT whose SETITEM(S) brings an int key, as CPython writes d = {1: [d]}', () => {
    expect([...findMapDicts(unhex('80027d71004b015d7101680061732e'), 0, true)]).to.deep.equal([2]);
    // t = {}; t[0] = {'parent': t}: only the outer dict.
    expect([...findMapDicts(unhex('80049514000000000000007d944b007d948c06706172656e7494680073732e'), 0, true)]).to.deep.equal([11]);
  });

  it('follows dicts through the memo, and counts from where the pickle starts', () => {
    const data = latin1('N.\x80\x02}q\x00}q\x01h\x00K\x01K\x02s.');
    expect([...findMapDicts(data, 2, true)]).to.deep.equal([4]);
  });

  it('leaves dicts with str keys alone; Python 2 str keys count as str unless loaded as bytes', () => {
    const data = latin1('(dp0\nS\'a\'\np1\nI1\ns.');
    expect([...findMapDicts(data, 0, true)]).to.deep.equal([]);
    expect([...findMapDicts(data, 0, false)]).to.deep.equal([1]);
  });
});
