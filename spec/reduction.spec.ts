// The reduce value's shape check (lib/reduction.ts): unpackReduceValue validates the array form of
// a reducer's result as CPython's save_reduce does (lengths, item types, its messages) and names
// the fields.
import { expect } from 'chai';

import { PicklingError } from '../lib/errors';
import { unpackReduceValue } from '../lib/reduction';

const pickling = (m: string): Error => new PicklingError(m);
const copying = (m: string): Error => new TypeError(m);

function f(): void {}

describe('reduction', () => {
  describe('unpackReduceValue', () => {
    it('names the fields of a full six-item value, keeping identities', () => {
      const args = [1, 2];
      const state = { a: 1 };
      const list = [3];
      const dict = new Map([['k', 'v']]);
      const setter = (): void => {};
      const r = unpackReduceValue([f, args, state, list, dict, setter], pickling);
      expect(r.func).to.equal(f);
      expect(r.args).to.equal(args);
      expect(r.state).to.equal(state);
      expect(r.listItems).to.equal(list);
      expect(r.dictItems).to.equal(dict);
      expect(r.stateSetter).to.equal(setter);
    });

    it('leaves the optional fields undefined for a two-item value, and accepts null for them', () => {
      const r = unpackReduceValue([f, []], pickling);
      expect(r).to.deep.equal({
        func: f,
        args: [],
        state: undefined,
        listItems: undefined,
        dictItems: undefined,
        stateSetter: undefined,
      });
      const n = unpackReduceValue([f, [], null, null, null, null], pickling);
      expect(n.state).to.equal(null);
      expect(n.listItems).to.equal(null);
      expect(n.dictItems).to.equal(null);
      expect(n.stateSetter).to.equal(null);
    });

    it('refuses what is not an array, naming its type', () => {
      expect(() => unpackReduceValue(42, pickling)).to.throw(
        PicklingError,
        '__reduce__ must return a string or tuple, not number',
      );
      expect(() => unpackReduceValue({ 0: f, 1: [], length: 2 }, copying)).to.throw(
        TypeError,
        '__reduce__ must return a string or tuple, not Object',
      );
      expect(() => unpackReduceValue(null, pickling)).to.throw(PicklingError, 'not null');
    });

    it('takes 2 through 6 items, with CPython’s message otherwise', () => {
      const msg = 'tuple returned by __reduce__ must contain 2 through 6 elements';
      expect(() => unpackReduceValue([], pickling)).to.throw(PicklingError, msg);
      expect(() => unpackReduceValue([f], pickling)).to.throw(PicklingError, msg);
      expect(() => unpackReduceValue([f, [], 1, null, null, null, 7], pickling)).to.throw(PicklingError, msg);
    });

    it('takes at most 5 items for copy, saying why and how many it got', () => {
      expect(unpackReduceValue([f, [], 1, null, null], copying, 5).state).to.equal(1);
      expect(() => unpackReduceValue([f, [], 1, null, null, () => 0], copying, 5)).to.throw(
        TypeError,
        'tuple returned by __reduce__ must contain 2 through 5 elements for copy ' +
          '(a state setter is only used by pickle), got 6',
      );
    });

    it('wants a callable first item, as the isCallable test decides', () => {
      const msg = 'first item of the tuple returned by __reduce__ must be callable';
      expect(() => unpackReduceValue(['f', []], pickling)).to.throw(PicklingError, msg);
      const marker = { callable: true };
      expect(() => unpackReduceValue([marker, []], pickling)).to.throw(PicklingError, msg);
      const r = unpackReduceValue([marker, []], pickling, 6, (x) => x === marker);
      expect(r.func).to.equal(marker);
      expect(() => unpackReduceValue([f, []], pickling, 6, () => false)).to.throw(PicklingError, msg);
    });

    it('wants an array of arguments second', () => {
      const msg = 'second item of the tuple returned by __reduce__ must be a tuple';
      expect(() => unpackReduceValue([f, null], pickling)).to.throw(PicklingError, msg);
      expect(() => unpackReduceValue([f, { 0: 1, length: 1 }], pickling)).to.throw(PicklingError, msg);
      expect(() => unpackReduceValue([f, 'ab'], copying)).to.throw(TypeError, msg);
    });

    it('wants iterables for the list and dict items (a string is not one), and a function as state setter', () => {
      expect(() => unpackReduceValue([f, [], null, 5], pickling)).to.throw(
        PicklingError,
        'fourth element of the tuple returned by __reduce__ must be an iterator, not number',
      );
      expect(() => unpackReduceValue([f, [], null, 'abc'], pickling)).to.throw(
        PicklingError,
        'fourth element of the tuple returned by __reduce__ must be an iterator, not string',
      );
      expect(() => unpackReduceValue([f, [], null, null, {}], pickling)).to.throw(
        PicklingError,
        'fifth element of the tuple returned by __reduce__ must be an iterator, not Object',
      );
      expect(() => unpackReduceValue([f, [], null, null, null, 'set'], pickling)).to.throw(
        PicklingError,
        'sixth element of the tuple returned by __reduce__ must be a function, not string',
      );
      // Any iterable will do, generators included.
      const gen = (function* () {
        yield 1;
      })();
      const set = new Set([1]);
      const r = unpackReduceValue([f, [], null, gen, set], pickling);
      expect(r.listItems).to.equal(gen);
      expect(r.dictItems).to.equal(set);
    });

    it('throws exactly the error fail makes', () => {
      const made: string[] = [];
      const custom = new RangeError('custom');
      const fail = (m: string): Error => {
        made.push(m);
        return custom;
      };
      let thrown: unknown;
      try {
        unpackReduceValue([f], fail);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.equal(custom);
      expect(made).to.deep.equal(['tuple returned by __reduce__ must contain 2 through 6 elements']);
    });
  });
});
