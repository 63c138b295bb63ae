// lib/typemap.ts: the JS ⇄ Python value mapping helpers that are not reached through dumps/loads
// alone (the round trips themselves are in golden, interop and roundtrip specs).
import { expect } from 'chai';
import fc from 'fast-check';

import { datetimeState } from '../lib/typemap';

describe('typemap', () => {
  it('computes the datetime state bytes as the Date getters give them, for any time in years 1-9999', () => {
    const viaGetters = (t: number): number[] | undefined => {
      const d = new Date(t);
      const year = d.getUTCFullYear();
      if (Number.isNaN(t) || year < 1 || year > 9999) return undefined;
      const us = d.getUTCMilliseconds() * 1000;
      return [year >> 8, year & 0xff, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), us >> 16, (us >> 8) & 0xff, us & 0xff];
    };
    // Year 1 and 9999 edges, leap days (2000 yes, 1900 and 2100 no), before and after 1970.
    const edges = [0, -1, 1, -62135596800000, -62135596800001, 253402300799999, 253402300800000, 951782400000, 951868799999, -2203891200001, 4107542400000, NaN];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...edges), fc.integer({ min: -62135596800000 - 1000, max: 253402300800000 + 1000 })), (t) => {
        const got = datetimeState(new Date(t));
        expect(got === undefined ? undefined : Array.from(got)).to.deep.equal(viaGetters(t));
      }),
      { numRuns: 2000 },
    );
  });
});
