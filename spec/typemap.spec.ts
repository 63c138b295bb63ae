// lib/typemap.ts: the JS ⇄ Python value mapping helpers that are not reached through dumps/loads
// alone (the round trips themselves are in golden, interop and roundtrip specs).
import { expect } from 'chai';
import fc from 'fast-check';

import { loads } from '../lib/index';
import { datetimeState } from '../lib/typemap';
import { fromHex, pyRun } from './helpers/python';

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

  it("loads CPython's datetimes and dates as the instants CPython computes, years 1-9999", function () {
    this.timeout(30_000);
    const script = String.raw`
def main(inp):
    import datetime as dt
    utc = dt.timezone.utc
    epoch = dt.datetime(1970, 1, 1, tzinfo=utc)
    plus2 = dt.timezone(dt.timedelta(hours=2))
    values = []
    for y in (1, 7, 50, 99, 100, 1600, 1969, 2024, 9999):
        values.append(dt.datetime(y, 2 if y % 4 else 3, 28, 23, 59, 58, 999999, tzinfo=utc))
        values.append(dt.datetime(y, 12, 31, 1, 2, 3, 4000))
        values.append(dt.datetime(y, 6, 15, 12, 0, 0, tzinfo=plus2))
        values.append(dt.date(y, 1, 1))
    out = []
    for v in values:
        aware = v if isinstance(v, dt.datetime) and v.tzinfo else dt.datetime(v.year, v.month, v.day, getattr(v, 'hour', 0), getattr(v, 'minute', 0), getattr(v, 'second', 0), getattr(v, 'microsecond', 0), tzinfo=utc)
        ms = (aware - epoch) // dt.timedelta(milliseconds=1)
        out.append([tohex(pickle.dumps(v, 2)), tohex(pickle.dumps(v, 4)), ms])
    return out
`;
    const cases = pyRun<[string, string, number][]>(script);
    expect(cases).to.have.length(36);
    for (const [p2, p4, ms] of cases) {
      for (const hex of [p2, p4]) {
        const d = loads(fromHex(hex)) as Date;
        expect(d).to.be.instanceOf(Date);
        expect(d.getTime(), hex).to.equal(ms);
      }
    }
  });
});
