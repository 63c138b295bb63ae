// The Pickler, rule by rule: protocol headers, atoms per protocol (with copyreg's bigint marker),
// the memo, batching, framing, recursive tuples, extension codes, the Pickler's own memo, tables
// and hooks, protocol 5 buffers, and the reduce protocol's optional parts (list/dict items, a
// state setter, keyword arguments), checked against what CPython's C pickler writes.
import { expect } from 'chai';
import { execFileSync } from 'child_process';

import {
  addExtension,
  constructor,
  DEFAULT_PROTOCOL,
  defaultRegistry,
  dispatchTable,
  dumps,
  loads,
  NotImplemented,
  PickleBuffer,
  Pickler,
  PicklingError,
  reducible,
  removeExtension,
  Unpickler,
  UnpicklingError,
} from '../lib/index';
import { pyRun, pythonVersion } from './helpers/python';
import { bytesOf, expectSameGraph, latin1, ops, opCounts, opNames, Point, stripFrames, toHex, unhex } from './helpers/vectors';

const ALL = [0, 1, 2, 3, 4, 5];

// --- Classes and callables for this file (module spec_pickler) ---

/** Rebuilds from a number: a declared factory the reducers below name. */
function pkMake(v: number): { made: number } {
  return { made: v };
}
constructor(pkMake);

const setterCalls: unknown[][] = [];
/** A declared state setter (the 6th item of a reduce value). */
function pkSetState(obj: PkWithSetter, state: { v: number }): void {
  setterCalls.push([obj, state]);
  obj.v = state.v * 2;
}
constructor(pkSetState);

@reducible({ module: 'spec_pickler', name: 'WithSetter' })
class PkWithSetter {
  v = 0;
  __reduce__(): unknown {
    return [PkWithSetter, [], { v: this.v }, null, null, pkSetState];
  }
}

/** listItems through `append` only (CPython's test_appends_on_non_lists). */
@reducible({ module: 'spec_pickler', name: 'Appender' })
class PkAppender {
  items: unknown[] = [];
  append(x: unknown): void {
    this.items.push(x);
  }
  __reduce__(): unknown {
    return [PkAppender, [], null, this.items.values()];
  }
}

/** listItems through `extend`, preferred over `append`. */
@reducible({ module: 'spec_pickler', name: 'Extender' })
class PkExtender {
  items: unknown[] = [];
  batches = 0;
  extend(xs: unknown[]): void {
    this.batches++;
    this.items.push(...xs);
  }
  append(_x: unknown): void {
    throw new Error('extend should have been used');
  }
  __reduce__(): unknown {
    return [PkExtender, [], null, this.items.values()];
  }
}

/** dictItems through `__setitem__` (CPython's test_setitems_on_non_dicts). */
@reducible({ module: 'spec_pickler', name: 'ItemSetter' })
class PkItemSetter {
  entries = new Map<unknown, unknown>();
  __setitem__(k: unknown, v: unknown): void {
    this.entries.set(k, v);
  }
  __reduce__(): unknown {
    return [PkItemSetter, [], null, null, this.entries.entries()];
  }
}

/** `__getnewargs_ex__` with positional and keyword arguments for `__new__`. */
@reducible({ module: 'spec_pickler', name: 'Kw' })
class PkKw {
  declare a: number;
  declare b: number;
  declare c?: number;
  static __new__(cls: typeof PkKw, a?: number, b?: number, kw?: { c: number }): PkKw {
    const o = Object.create(cls.prototype) as PkKw;
    if (a !== undefined) [o.a, o.b, o.c] = [a, b!, kw?.c];
    return o;
  }
  __getnewargs_ex__(): [unknown[], Record<string, unknown>] {
    return [[this.a, this.b], { c: this.c }];
  }
  __getstate__(): null {
    return null;
  }
}

@reducible({ module: 'spec_pickler', name: 'Dispatched' })
class PkDispatched {
  v = 1;
}

@reducible({ module: 'spec_pickler', name: 'Overridden' })
class PkOverridden {
  constructor(public v = 3) {}
}

@reducible({ module: 'spec_pickler', name: 'Ext' })
class PkExt {
  x = 1;
}

/** A declared class with the default reduction: its properties are the BUILD state dict. */
class PkState {}
defaultRegistry.declare(PkState, { module: 'spec_pickler', name: 'PkState', isClass: true });

/** Never declared: pickling it (or a function like it) must fail. */
class PkUndeclared {
  x = 1;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('Pickler', () => {
  describe('default instances and their hooks', () => {
    it('an instance owning a hook uses it, its siblings keep the default reduction', () => {
      class PkSibling {
        constructor(public v = 1) {}
      }
      defaultRegistry.declare(PkSibling, { module: 'spec_pickler', name: 'Sibling', isClass: true });
      const hooked = new PkSibling(2);
      // Not enumerable, so only a lookup on the instance finds it. (An own __reduce__ would not
      // count: CPython's object.__reduce_ex__ asks the class whether __reduce__ is overridden.)
      Object.defineProperty(hooked, '__reduce_ex__', { value: () => [pkMake, [42]], enumerable: false });
      for (const protocol of [2, 4, 5]) {
        const back = loads(dumps([new PkSibling(1), hooked, new PkSibling(3)], { protocol })) as unknown[];
        expect(back[0]).to.be.instanceOf(PkSibling);
        expect(back[1]).to.deep.equal({ made: 42 });
        expect(back[2]).to.be.instanceOf(PkSibling);
        expect((back[2] as PkSibling).v).to.equal(3);
      }
    });

    it('a hook added to the class between two dumps is used by the second', () => {
      class PkLater {
        v = 5;
      }
      defaultRegistry.declare(PkLater, { module: 'spec_pickler', name: 'Later', isClass: true });
      const x = new PkLater();
      expect(loads(dumps(x))).to.be.instanceOf(PkLater);
      (PkLater.prototype as unknown as { __reduce__(): unknown }).__reduce__ = () => [pkMake, [7]];
      try {
        expect(loads(dumps(x))).to.deep.equal({ made: 7 });
      } finally {
        delete (PkLater.prototype as unknown as { __reduce__?: unknown }).__reduce__;
      }
    });
  });

  describe('protocol header', () => {
    it('protocols 0 and 1 have no PROTO; 2 to 5 start with PROTO n', () => {
      for (const protocol of ALL) {
        const data = dumps(null, { protocol });
        if (protocol < 2) expect(toHex(data)).to.equal('4e2e');
        else expect(toHex(data)).to.equal(`80${protocol.toString(16).padStart(2, '0')}4e2e`);
      }
    });

    it('the default is protocol 5 (DEFAULT_PROTOCOL); a negative protocol means the highest', () => {
      expect(DEFAULT_PROTOCOL).to.equal(5);
      expect(toHex(dumps(null))).to.equal('80054e2e');
      expect(toHex(dumps(null, { protocol: -1 }))).to.equal('80054e2e');
      expect(new Pickler({ protocol: -3 }).protocol).to.equal(5);
    });

    it('protocol 6 is a RangeError, as CPython raises ValueError; a fraction or a string is a TypeError, as in CPython', () => {
      expect(() => dumps(null, { protocol: 6 })).to.throw(RangeError, 'pickle protocol must be <= 5');
      expect(() => dumps(null, { protocol: 1.5 })).to.throw(TypeError, "'float' object cannot be interpreted as an integer");
      expect(() => dumps(null, { protocol: '2' as never })).to.throw(TypeError, "'str' object cannot be interpreted as an integer");
      expect(() => dumps(null, '2' as never)).to.throw(TypeError, "'str' object cannot be interpreted as an integer");
      expect(() => dumps(null, [2] as never)).to.throw(TypeError, "'list' object cannot be interpreted as an integer");
      // Python's True is 1, False 0; a bigint is an int.
      expect(toHex(dumps(null, { protocol: true as never }))).to.equal('4e2e');
      expect(toHex(dumps(null, true as never))).to.equal('4e2e');
      expect(toHex(dumps(1, false as never))).to.equal('49310a2e');
      expect(toHex(dumps(null, 2n as never))).to.equal('80024e2e');
    });

    it("takes the protocol alone, as Python's dumps(obj, protocol) does, and null for no options", () => {
      expect(toHex(dumps(1, 2))).to.equal('80024b012e');
      expect(toHex(dumps(1, 0))).to.equal('49310a2e');
      expect(toHex(dumps(1, null))).to.equal('80054b012e');
      expect(new Pickler(3).protocol).to.equal(3);
      expect(new Pickler(null).protocol).to.equal(5);
      expect(loads(dumps([1]), null)).to.deep.equal([1]);
    });

    it('a bufferCallback needs protocol 5', () => {
      expect(() => new Pickler({ protocol: 4, bufferCallback: () => true })).to.throw(RangeError, 'buffer_callback needs protocol >= 5');
    });
  });

  describe('ints', () => {
    const CASES: [number, string[]][] = [
      // value, opcode at protocols 0, 1, 2 (2 to 5 agree)
      [0, ['INT', 'BININT1', 'BININT1']],
      [255, ['INT', 'BININT1', 'BININT1']],
      [256, ['INT', 'BININT2', 'BININT2']],
      [65535, ['INT', 'BININT2', 'BININT2']],
      [65536, ['INT', 'BININT', 'BININT']],
      [-1, ['INT', 'BININT', 'BININT']],
      [2 ** 31 - 1, ['INT', 'BININT', 'BININT']],
      [-(2 ** 31), ['INT', 'BININT', 'BININT']],
      [2 ** 31, ['LONG', 'LONG', 'LONG1']],
      [-(2 ** 31) - 1, ['LONG', 'LONG', 'LONG1']],
      [2 ** 40, ['LONG', 'LONG', 'LONG1']],
      [Number.MAX_SAFE_INTEGER, ['LONG', 'LONG', 'LONG1']],
      [Number.MIN_SAFE_INTEGER, ['LONG', 'LONG', 'LONG1']],
    ];
    for (const [value, names] of CASES) {
      it(`${value} is ${names.join(' / ')} and loads back as the number`, () => {
        for (const protocol of ALL) {
          const data = dumps(value, { protocol });
          const op = ops(data).find((o) => o.name !== 'PROTO' && o.name !== 'FRAME')!;
          expect(op.name, `protocol ${protocol}`).to.equal(names[Math.min(protocol, 2)]);
          expect(loads(data), `protocol ${protocol}`).to.equal(value);
        }
      });
    }

    it('a number LONG is written as CPython writes it: minimal LONG1, text LONG with a trailing L', () => {
      expect(toHex(dumps(2 ** 40, { protocol: 2 }))).to.equal('80028a060000000000012e');
      expect(toHex(dumps(Number.MAX_SAFE_INTEGER, { protocol: 2 }))).to.equal('80028a07ffffffffffff1f2e');
      expect(toHex(dumps(Number.MIN_SAFE_INTEGER, { protocol: 2 }))).to.equal('80028a07010000000000e02e');
      expect(dumps(2 ** 31, { protocol: 0 })).to.deep.equal(latin1('L2147483648L\n.'));
      expect(dumps(2 ** 31, { protocol: 1 })).to.deep.equal(latin1('L2147483648L\n.'));
    });

    it('a bigint in the safe range carries a redundant sign byte (LONG1) and loads back as a bigint', () => {
      expect(toHex(dumps(5n, { protocol: 2 }))).to.equal('80028a0205002e');
      expect(toHex(dumps(-1n, { protocol: 2 }))).to.equal('80028a02ffff2e');
      expect(toHex(dumps(0n, { protocol: 2 }))).to.equal('80028a01002e');
      expect(toHex(dumps(128n, { protocol: 2 }))).to.equal('80028a038000002e');
      for (const protocol of ALL) {
        for (const v of [0n, 5n, -1n, 128n, -129n, 2n ** 40n, 9007199254740991n, -9007199254740991n]) {
          expect(loads(dumps(v, { protocol })), `${v} at protocol ${protocol}`).to.equal(v);
        }
      }
    });

    it('at protocols 0 and 1 a safe bigint is a text LONG without the trailing L', () => {
      expect(dumps(5n, { protocol: 0 })).to.deep.equal(latin1('L5\n.'));
      expect(dumps(-7n, { protocol: 1 })).to.deep.equal(latin1('L-7\n.'));
    });

    it('a bigint outside the safe range is written exactly as CPython writes the int', () => {
      expect(toHex(dumps(2n ** 63n, { protocol: 2 }))).to.equal('80028a090000000000000080002e');
      expect(dumps(2n ** 63n, { protocol: 0 })).to.deep.equal(latin1('L9223372036854775808L\n.'));
      expect(dumps(9007199254740992n, { protocol: 2 })).to.deep.equal(dumps(2n ** 53n, { protocol: 2 }));
      expect(loads(dumps(9007199254740992n, { protocol: 2 }))).to.equal(9007199254740992n);
    });

    it('LONG4 from 256 bytes of encoding on', () => {
      expect(opNames(dumps(2n ** 2031n, { protocol: 2 }))).to.include('LONG1');
      expect(opNames(dumps(2n ** 2040n, { protocol: 2 }))).to.include('LONG4');
      expect(loads(dumps(-(2n ** 5000n), { protocol: 4 }))).to.equal(-(2n ** 5000n));
    });

    it('an integral number beyond the safe range is a float', () => {
      expect(opNames(dumps(2 ** 53, { protocol: 2 }))).to.include('BINFLOAT');
      expect(dumps(2 ** 53, { protocol: 0 })).to.deep.equal(latin1('F9007199254740992.0\n.'));
    });

    it('booleans: I01/I00 at protocols 0-1, NEWTRUE/NEWFALSE from 2', () => {
      expect(dumps([true, false], { protocol: 0 })).to.deep.equal(latin1('(lp0\nI01\naI00\na.'));
      expect(toHex(dumps([true, false], { protocol: 2 }))).to.equal('80025d7100288889652e');
    });
  });

  describe('floats', () => {
    const REPR: [number, string][] = [
      [1.5, '1.5'],
      [0.1, '0.1'],
      [1e16, '1e+16'],
      [1e-5, '1e-05'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [-0, '-0.0'],
      [NaN, 'nan'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [1e22, '1e+22'],
      [1234.5, '1234.5'],
      [2 ** 53, '9007199254740992.0'],
      [1 / 3, '0.3333333333333333'],
      [-2.5e-7, '-2.5e-07'],
      [123456789012345680, '1.2345678901234568e+17'],
    ];
    it("protocol 0 writes Python's repr", () => {
      for (const [v, text] of REPR) {
        expect(dumps(v, { protocol: 0 }), text).to.deep.equal(latin1(`F${text}\n.`));
        expect(Object.is(loads(dumps(v, { protocol: 0 })), v), text).to.equal(true);
      }
    });

    it('binary protocols write IEEE-754 big-endian (BINFLOAT)', () => {
      expect(toHex(dumps(1.5, { protocol: 1 }))).to.equal('473ff80000000000002e');
      expect(toHex(dumps(-0, { protocol: 2 }))).to.equal('80024780000000000000002e');
      for (const [v] of REPR) {
        for (const protocol of [1, 2, 5]) expect(Object.is(loads(dumps(v, { protocol })), v)).to.equal(true);
      }
    });
  });

  describe('strings', () => {
    it("one-byte bytes below protocol 3 share their latin-1 str with an equal str, as CPython's cached one-character strs do", () => {
      // pickle.dumps([b'A', 'A'], protocol) from CPython 3.11.
      expect(toHex(dumps([latin1('A'), 'A'], { protocol: 0 }))).to.equal('286c70300a635f636f646563730a656e636f64650a70310a2856410a70320a566c6174696e310a70330a7470340a5270350a6167320a612e');
      expect(toHex(dumps([latin1('A'), 'A'], { protocol: 2 }))).to.equal('80025d710028635f636f646563730a656e636f64650a7101580100000041710258060000006c6174696e3171038671045271056802652e');
      // Longer bytes decode to a new str each time: not shared.
      expect(opNames(dumps([latin1('AB'), 'AB'], { protocol: 2 })).filter((o) => o === 'BINUNICODE')).to.have.length(3);
    });

    it('protocol 0: raw-unicode-escape, latin-1 as raw bytes, \\ \\n \\r \\0 ^Z and surrogates escaped', () => {
      expect(dumps('é\u20ac\ud800\n', { protocol: 0 })).to.deep.equal(latin1('V\xe9\\u20ac\\ud800\\u000a\np0\n.'));
    });

    it('protocols 1-3: BINUNICODE; 4-5: SHORT_BINUNICODE up to 255 UTF-8 bytes, then BINUNICODE', () => {
      const cases: [string, string][] = [
        ['é'.repeat(127), 'SHORT_BINUNICODE'],
        ['é'.repeat(128), 'BINUNICODE'],
        ['€'.repeat(85), 'SHORT_BINUNICODE'],
        ['€'.repeat(86), 'BINUNICODE'],
        ['\u{1f600}'.repeat(63), 'SHORT_BINUNICODE'],
        ['\u{1f600}'.repeat(64), 'BINUNICODE'],
        ['a'.repeat(300), 'BINUNICODE'],
      ];
      for (const [s, name] of cases) {
        for (const protocol of [1, 2, 3]) expect(opNames(dumps(s, { protocol }))).to.include('BINUNICODE');
        const data = dumps(s, { protocol: 4 });
        const op = ops(data).find((o) => o.name.includes('UNICODE'))!;
        expect(op.name, `${s.length} chars`).to.equal(name);
        expect(op.arg).to.equal(new TextEncoder().encode(s).length);
        expect(loads(data)).to.equal(s);
      }
    });

    it('lone surrogates are written with surrogatepass and survive', () => {
      expect(toHex(dumps('\udc80x\ud800', { protocol: 4 }))).to.include('8c07edb28078eda080');
      for (const protocol of ALL) expect(loads(dumps('a\udc80\ud800b', { protocol }))).to.equal('a\udc80\ud800b');
    });
  });

  describe('the memo', () => {
    /** 300 distinct empty lists, then the same 300 again: memo indices 1..300. */
    const value = (): unknown[][] => {
      const lists = range(300).map(() => [] as unknown[]);
      return [...lists, ...lists];
    };

    it('protocol 0: PUT n / GET n as text, at any index', () => {
      const o = ops(dumps(value(), { protocol: 0 }));
      expect(o.filter((x) => x.name === 'PUT').map((x) => x.arg)).to.deep.equal(range(301).map(String));
      expect(o.filter((x) => x.name === 'GET').map((x) => x.arg)).to.deep.equal(range(300).map((i) => String(i + 1)));
    });

    for (const protocol of [1, 2, 3]) {
      it(`protocol ${protocol}: BINPUT/BINGET below 256, LONG_BINPUT/LONG_BINGET from 256`, () => {
        const c = opCounts(dumps(value(), { protocol }));
        expect([c.BINPUT, c.LONG_BINPUT, c.BINGET, c.LONG_BINGET]).to.deep.equal([256, 45, 255, 45]);
        const o = ops(dumps(value(), { protocol }));
        expect(o.find((x) => x.name === 'LONG_BINPUT')!.arg).to.equal(256);
      });
    }

    for (const protocol of [4, 5]) {
      it(`protocol ${protocol}: MEMOIZE, and BINGET/LONG_BINGET (no implicit GET)`, () => {
        const c = opCounts(dumps(value(), { protocol }));
        expect([c.MEMOIZE, c.BINPUT, c.BINGET, c.LONG_BINGET]).to.deep.equal([301, undefined, 255, 45]);
      });
    }

    it('shares by identity: the second reference is a GET, and loads keeps the sharing', () => {
      for (const protocol of ALL) {
        const v = value();
        const back = loads(dumps(v, { protocol })) as unknown[][];
        expect(back[0]).to.equal(back[300]);
        expect(back[299]).to.equal(back[599]);
        expect(back[0]).to.not.equal(back[1]);
      }
    });

    it('numbers, booleans and null are never memoized; equal strings are written once', () => {
      const c = opCounts(dumps([1.5, 1.5, 7, 7, true, true, null, null, 'abc', 'abc'], { protocol: 2 }));
      expect(c.BINFLOAT).to.equal(2);
      expect(c.BININT1).to.equal(2);
      expect(c.BINUNICODE).to.equal(1);
      expect(c.BINGET).to.equal(1);
    });
  });

  describe('batching (1000 items per MARK … APPENDS / SETITEMS / ADDITEMS)', () => {
    const count = (data: Uint8Array, ...names: string[]): number[] => names.map((n) => opCounts(data)[n] ?? 0);

    it('an exact list: 1 → APPEND; 1000 → 1 APPENDS; 1001 → 2 APPENDS (the C quirk); 2500 → 3 APPENDS', () => {
      expect(count(dumps([1], { protocol: 2 }), 'APPEND', 'APPENDS')).to.deep.equal([1, 0]);
      expect(count(dumps(range(1000), { protocol: 2 }), 'APPEND', 'APPENDS')).to.deep.equal([0, 1]);
      expect(count(dumps(range(1001), { protocol: 2 }), 'APPEND', 'APPENDS')).to.deep.equal([0, 2]);
      expect(count(dumps(range(2500), { protocol: 4 }), 'APPEND', 'APPENDS', 'MARK')).to.deep.equal([0, 3, 3]);
      expect(count(dumps(range(1001), { protocol: 0 }), 'APPEND', 'APPENDS')).to.deep.equal([1001, 0]);
    });

    it('a dict: 1 → SETITEM; 1001 → 2 SETITEMS (the C quirk); 2500 → 3; protocol 0 → SETITEM each', () => {
      const dict = (n: number): Record<string, number> => Object.fromEntries(range(n).map((i) => [`k${i}`, i]));
      expect(count(dumps(dict(1), { protocol: 2 }), 'SETITEM', 'SETITEMS')).to.deep.equal([1, 0]);
      expect(count(dumps(dict(1001), { protocol: 2 }), 'SETITEM', 'SETITEMS')).to.deep.equal([0, 2]);
      expect(count(dumps(dict(2500), { protocol: 3 }), 'SETITEM', 'SETITEMS')).to.deep.equal([0, 3]);
      expect(count(dumps(dict(3), { protocol: 0 }), 'SETITEM', 'SETITEMS')).to.deep.equal([3, 0]);
      const map = new Map(range(1001).map((i) => [i, i]));
      expect(count(dumps(map, { protocol: 2 }), 'SETITEM', 'SETITEMS')).to.deep.equal([0, 2]);
    });

    it('a set at protocol 4: every batch is MARK … ADDITEMS, even a single item', () => {
      expect(count(dumps(new Set([1]), { protocol: 4 }), 'ADDITEMS', 'MARK')).to.deep.equal([1, 1]);
      expect(count(dumps(new Set(range(1001)), { protocol: 4 }), 'ADDITEMS')).to.deep.equal([2]);
      expect(count(dumps(new Set(range(2500)), { protocol: 5 }), 'ADDITEMS')).to.deep.equal([3]);
      // Below 4: builtins.set([...]) with an exact list, batched as one.
      expect(count(dumps(new Set(range(1001)), { protocol: 2 }), 'APPENDS', 'APPEND', 'REDUCE')).to.deep.equal([2, 0, 1]);
    });

    it("a dict's or a set's full last batch is followed by an empty one (batch_dict_exact, save_set); a list's is not", function () {
      const dict = (n: number): Record<string, number> => Object.fromEntries(range(n).map((i) => [`k${i}`, i]));
      const inst = (n: number): PkState => Object.assign(new PkState(), dict(n));
      for (const n of [1000, 2000]) {
        const batches = n / 1000;
        expect(count(dumps(dict(n), { protocol: 2 }), 'SETITEMS', 'MARK')).to.deep.equal([batches + 1, batches + 1]);
        expect(count(dumps(new Map(range(n).map((i) => [i, i])), { protocol: 3 }), 'SETITEMS')).to.deep.equal([batches + 1]);
        expect(count(dumps(inst(n), { protocol: 4 }), 'SETITEMS')).to.deep.equal([batches + 1]);
        expect(count(dumps(new Set(range(n)), { protocol: 4 }), 'ADDITEMS')).to.deep.equal([batches + 1]);
        expect(count(dumps(range(n), { protocol: 2 }), 'APPENDS')).to.deep.equal([batches]);
        expect(count(dumps(dict(n), { protocol: 0 }), 'SETITEMS', 'SETITEM')).to.deep.equal([0, n]);
        // The task machine (every value through a task when a persistentId hook is set) agrees.
        for (const v of [dict(n), inst(n), new Set(range(n)), new Map(range(n).map((i) => [i, [i]]))]) {
          expect(dumps(v, { protocol: 4, persistentId: () => undefined })).to.deep.equal(dumps(v, { protocol: 4 }));
        }
      }
      const objectItems = { nested: [dict(1000), range(1000).map((i) => [i])] };
      expect(loads(dumps(objectItems, { protocol: 5 }))).to.deep.equal(objectItems);
      if (pythonVersion() === undefined) this.skip(); // no python3 here: the byte check below needs it
      const cases = [1000, 2000].flatMap((n) => [2, 4].map((protocol) => ({ n, protocol, ours: toHex(dumps(dict(n), { protocol })) })));
      const theirs = pyRun<string[]>(
        "def main(inp): return [pickle.dumps({f'k{i}': i for i in range(c['n'])}, c['protocol']).hex() for c in inp]",
        cases,
      );
      expect(cases.map((c) => c.ours)).to.deep.equal(theirs);
    });

    it('a frozen Set (frozenset) is one MARK … FROZENSET, never batched', () => {
      expect(count(dumps(Object.freeze(new Set(range(2500))), { protocol: 4 }), 'MARK', 'FROZENSET')).to.deep.equal([1, 1]);
    });

    it('listItems / dictItems of a reduction use the generic batcher: a trailing single item is APPEND / SETITEM', () => {
      const appender = (n: number): PkAppender => Object.assign(new PkAppender(), { items: range(n) });
      expect(count(dumps(appender(1), { protocol: 2 }), 'APPEND', 'APPENDS')).to.deep.equal([1, 0]);
      expect(count(dumps(appender(1000), { protocol: 2 }), 'APPEND', 'APPENDS')).to.deep.equal([0, 1]);
      expect(count(dumps(appender(1001), { protocol: 2 }), 'APPEND', 'APPENDS')).to.deep.equal([1, 1]);
      expect(count(dumps(appender(2500), { protocol: 2 }), 'APPEND', 'APPENDS')).to.deep.equal([0, 3]);
      expect(count(dumps(appender(3), { protocol: 0 }), 'APPEND', 'APPENDS')).to.deep.equal([3, 0]);
      const setter = (n: number): PkItemSetter => {
        const s = new PkItemSetter();
        for (const i of range(n)) s.entries.set(`k${i}`, i);
        return s;
      };
      expect(count(dumps(setter(1001), { protocol: 4 }), 'SETITEM', 'SETITEMS')).to.deep.equal([1, 1]);
      expect(count(dumps(setter(2000), { protocol: 4 }), 'SETITEM', 'SETITEMS')).to.deep.equal([0, 2]);
    });

    it('an Array too long for any pickle (a list writes every index) is refused at once', () => {
      const sparse: unknown[] = [];
      sparse[2 ** 32 - 2] = 1;
      const withExtra = Object.assign([] as unknown[], { extra: 1 });
      withExtra[2 ** 32 - 2] = 1;
      class PkLongList extends Array<unknown> {}
      defaultRegistry.declare(PkLongList, { module: 'spec_pickler', name: 'PkLongList', isClass: true });
      const subclass = new PkLongList();
      subclass[2 ** 32 - 2] = 1;
      const emptyTuple = Object.freeze([] as unknown[]);
      const longTuple: unknown[] = [];
      longTuple[2 ** 32 - 2] = 1;
      Object.freeze(longTuple);
      for (const value of [sparse, { nested: sparse }, withExtra, subclass, longTuple]) {
        expect(() => dumps(value)).to.throw(PicklingError, "Can't pickle an Array of length 4294967295");
      }
      expect(loads(dumps(emptyTuple))).to.deep.equal([]);
      const holes: unknown[] = [];
      holes[99_999] = 1;
      expect((loads(dumps(holes)) as unknown[]).length).to.equal(100_000);
    });

    it('batched containers load back whole', () => {
      for (const protocol of ALL) {
        expect(loads(dumps(range(2500), { protocol }))).to.deep.equal(range(2500));
        expect((loads(dumps(Object.assign(new PkAppender(), { items: range(1001) }), { protocol })) as PkAppender).items).to.deep.equal(range(1001));
      }
    });
  });

  describe('the output buffer (one spare kept between dumps)', () => {
    class PkNested {
      constructor(public inner: unknown) {}
      __getstate__(): unknown {
        // A dump run inside another: it must not write into the outer dump's buffer.
        return { bytes: dumps(this.inner, { protocol: 5 }) };
      }
    }
    defaultRegistry.declare(PkNested, { module: 'spec_pickler', name: 'PkNested', isClass: true });

    it('gives each dump its own bytes: a dump inside a reducer, a failed dump, big then small', () => {
      const inner = { list: range(3000), text: 'x'.repeat(70000) };
      const outerBytes = dumps([1, new PkNested(inner), 'after'], { protocol: 5 });
      const outer = loads(outerBytes) as [number, { bytes: Uint8Array }, string];
      expect(outer[0]).to.equal(1);
      expect(outer[2]).to.equal('after');
      expect(loads(outer[1].bytes)).to.deep.equal(inner);

      const big = dumps(range(100000), { protocol: 4 });
      const bigCopy = big.slice();
      expect(() => dumps([1, 2, () => 0])).to.throw(PicklingError);
      const small = dumps([7], { protocol: 4 });
      expect(toHex(small)).to.equal('80049506000000000000005d944b07612e');
      small.fill(0);
      expect(big).to.deep.equal(bigCopy);
      expect(toHex(dumps([7], { protocol: 4 }))).to.equal('80049506000000000000005d944b07612e');
    });
  });

  describe('framing (protocol 4+)', () => {
    const frames = (data: Uint8Array): number[] => ops(data).filter((o) => o.name === 'FRAME').map((o) => o.arg as number);

    it('bodies under 4 bytes are not framed; 4 bytes are', () => {
      expect(toHex(dumps(null, { protocol: 4 }))).to.equal('80044e2e');
      expect(toHex(dumps([], { protocol: 4 }))).to.equal('80045d942e');
      expect(toHex(dumps(256, { protocol: 4 }))).to.equal('80049504000000000000004d00012e');
    });

    it('a frame is closed at the first object boundary after 64 KiB', () => {
      const value = range(200).map((i) => new Uint8Array(1000).fill(i));
      const data = dumps(value, { protocol: 4 });
      const sizes = frames(data);
      expect(sizes.length).to.be.greaterThan(2);
      for (const s of sizes.slice(0, -1)) {
        expect(s).to.be.at.least(64 * 1024);
        expect(s).to.be.below(64 * 1024 + 1100);
      }
      // Everything after PROTO is inside a frame: the frames tile the body.
      expect(2 + sizes.reduce((n, s) => n + 9 + s, 0)).to.equal(data.length);
      expectSameGraph(loads(data), value);
    });

    it('payloads of 64 KiB or more are written outside frames', () => {
      expect(frames(dumps(new Uint8Array(65535), { protocol: 4 }))).to.deep.equal([65535 + 7]);
      expect(frames(dumps(new Uint8Array(65536), { protocol: 4 }))).to.deep.equal([]);
      expect(frames(dumps('x'.repeat(65536), { protocol: 5 }))).to.deep.equal([]);
      expect(frames(dumps('€'.repeat(21846), { protocol: 5 }))).to.deep.equal([]);
      expect(frames(dumps(new Uint8Array(70000).buffer, { protocol: 5 }))).to.deep.equal([]);
      const mixed = dumps([1, new Uint8Array(70000), 'abc', new Uint8Array(10)], { protocol: 4 });
      expect(frames(mixed)).to.deep.equal([5, 22]);
    });

    it('loads accepts the same pickles with every FRAME removed', () => {
      const values = [
        range(20000),
        [1, new Uint8Array(70000), 'abc'],
        { a: 'x'.repeat(100000), b: [new Point(1, 2)] },
        range(200).map((i) => new Uint8Array(1000).fill(i)),
      ];
      for (const v of values) {
        for (const protocol of [4, 5]) {
          const data = dumps(v, { protocol });
          const bare = stripFrames(data);
          expect(opNames(bare)).to.not.include('FRAME');
          expect(bare.length).to.be.below(data.length);
          expectSameGraph(loads(bare), v);
        }
      }
    });
  });

  describe('recursive tuples (a tuple reachable from a list it holds)', () => {
    function recursive(n: number): readonly unknown[] {
      const l: unknown[] = [];
      const t = Object.freeze([l, ...range(n - 1)]);
      l.push(t);
      return t;
    }
    const tail = (data: Uint8Array): string[] => opNames(data).slice(-4, -1);

    it('1 to 3 items at protocol 2+: POP per item, then GET', () => {
      expect(tail(dumps(recursive(1), { protocol: 2 }))).to.deep.equal(['APPEND', 'POP', 'BINGET']);
      expect(tail(dumps(recursive(3), { protocol: 4 }))).to.deep.equal(['POP', 'POP', 'BINGET']);
      expect(opCounts(dumps(recursive(3), { protocol: 4 })).POP).to.equal(3);
    });

    it('4 items at protocol 1+ (or any size at 1): POP_MARK, then GET', () => {
      expect(tail(dumps(recursive(4), { protocol: 2 }))).to.deep.equal(['BININT1', 'POP_MARK', 'BINGET']);
      expect(tail(dumps(recursive(1), { protocol: 1 }))).to.deep.equal(['APPEND', 'POP_MARK', 'BINGET']);
    });

    it('protocol 0: POP for each item and the mark, then GET', () => {
      expect(opCounts(dumps(recursive(1), { protocol: 0 })).POP).to.equal(2);
      expect(opCounts(dumps(recursive(4), { protocol: 0 })).POP).to.equal(5);
    });

    it('loads back with the cycle, at every protocol', () => {
      for (const protocol of ALL) {
        for (const n of [1, 2, 3, 4, 5]) {
          const t = loads(dumps(recursive(n), { protocol })) as any;
          expect(Object.isFrozen(t)).to.equal(true);
          expect(t[0][0]).to.equal(t);
        }
      }
    });

    it('a frozen array that contains itself directly cannot be a Python tuple: PicklingError, not a crash', () => {
      const t: unknown[] = [];
      t.push(t);
      Object.freeze(t);
      const s = new Set<unknown>();
      s.add(s);
      Object.freeze(s);
      for (const protocol of ALL) {
        expect(() => dumps(t, { protocol })).to.throw(PicklingError, 'contains itself');
        expect(() => dumps(s, { protocol })).to.throw(PicklingError, 'contains itself');
      }
    });
  });

  describe('extension codes (copyreg.add_extension)', () => {
    const CODES: [number, string, number[]][] = [
      [1, 'EXT1', [0x82, 0x01]],
      [0xff, 'EXT1', [0x82, 0xff]],
      [0x100, 'EXT2', [0x83, 0x00, 0x01]],
      [0xffff, 'EXT2', [0x83, 0xff, 0xff]],
      [0x10000, 'EXT4', [0x84, 0x00, 0x00, 0x01, 0x00]],
      [0x12abcdef, 'EXT4', [0x84, 0xef, 0xcd, 0xab, 0x12]],
      [0x7fffffff, 'EXT4', [0x84, 0xff, 0xff, 0xff, 0x7f]],
    ];
    for (const [code, name, bytes] of CODES) {
      it(`code ${code}: ${name} at protocols 2-5 (no memo entry), GLOBAL at 0 and 1`, () => {
        addExtension('spec_pickler', 'Ext', code);
        try {
          for (const protocol of ALL) {
            const data = dumps(PkExt, { protocol });
            if (protocol < 2) {
              expect(opNames(data)).to.deep.equal(['GLOBAL', protocol === 0 ? 'PUT' : 'BINPUT', 'STOP']);
            } else {
              expect(toHex(data)).to.include(toHex(Uint8Array.from(bytes)) + '2e');
              expect(opNames(data)).to.not.include('MEMOIZE');
              expect(opNames(data)).to.not.include('BINPUT');
            }
            expect(loads(data)).to.equal(PkExt);
            const two = loads(dumps([new PkExt(), new PkExt()], { protocol })) as PkExt[];
            expect(two[0]).to.be.instanceOf(PkExt);
            expect(two[1]).to.be.instanceOf(PkExt);
          }
        } finally {
          removeExtension('spec_pickler', 'Ext', code);
        }
      });
    }
  });

  describe('one Pickler, several dumps', () => {
    it('keeps its memo across dump() calls, as CPython does; clearMemo() starts afresh', () => {
      const p = new Pickler({ protocol: 2 });
      const shared = [1];
      const first = p.dump(shared);
      const second = p.dump(shared);
      expect(toHex(second)).to.equal('800268002e');
      expect(() => loads(second)).to.throw(UnpicklingError, 'Memo value not found at index 0');
      const u = new Unpickler(bytesOf(first, second));
      const a = u.load();
      expect(u.load()).to.equal(a);
      p.clearMemo();
      expect(p.dump(shared)).to.deep.equal(first);
    });

    it('a dump that fails leaves no memo entries behind: the next dump stands on its own', () => {
      const p = new Pickler({ protocol: 2 });
      class NotDeclared {}
      const shared = [1];
      const m = new Map<unknown, unknown>([[1, shared]]);
      expect(() => p.dump([shared, 'spec-str', m, new NotDeclared()])).to.throw();
      const again = p.dump([shared, 'spec-str', m]);
      const got = loads(again) as unknown[];
      expect(got).to.deep.equal([[1], 'spec-str', new Map([[1, [1]]])]);
      expect((got[2] as Map<unknown, unknown>).get(1)).to.equal(got[0]);
    });

    it('a string written by an earlier dump is a GET in the next one', () => {
      const p = new Pickler({ protocol: 4 });
      p.dump('spec');
      expect(opNames(p.dump(['spec']))).to.include('BINGET');
    });
  });

  describe('dispatch tables and reducerOverride', () => {
    before(() => {
      dispatchTable.set(PkDispatched, (o: PkDispatched) => [pkMake, [o.v * 10]]);
    });
    after(() => {
      dispatchTable.delete(PkDispatched);
    });

    it('the global dispatchTable applies by default', () => {
      expect(loads(dumps(new PkDispatched()))).to.deep.equal({ made: 10 });
    });

    it("a Pickler's dispatchTable replaces the global one (not merged)", () => {
      const own = new Pickler({ dispatchTable: new Map() }).dump(new PkDispatched());
      expect(loads(own)).to.be.instanceOf(PkDispatched);
      const other = new Pickler({ dispatchTable: new Map([[PkDispatched, () => [pkMake, [-1]]]]) }).dump(new PkDispatched());
      expect(loads(other)).to.deep.equal({ made: -1 });
    });

    it('a subclass may supply the table as a field or a getter, as CPython allows a class attribute', () => {
      const table: NonNullable<Pickler['dispatchTable']> = new Map([[PkDispatched, () => [pkMake, [5]]]]);
      class WithField extends Pickler {
        override dispatchTable = table;
      }
      const WithGetter = class extends Pickler {};
      Object.defineProperty(WithGetter.prototype, 'dispatchTable', { get: () => table });
      expect(loads(new WithField().dump(new PkDispatched()))).to.deep.equal({ made: 5 });
      expect(loads(new WithGetter().dump(new PkDispatched()))).to.deep.equal({ made: 5 });
    });

    it('reducerOverride comes first (functions included), and is not asked about values with opcodes of their own', () => {
      const asked: unknown[] = [];
      const reducerOverride = (o: unknown): unknown => {
        asked.push(o);
        return o instanceof PkOverridden || o instanceof PkDispatched ? [pkMake, [7]] : undefined;
      };
      const value = [1, 'a', {}, [], Object.freeze([1]), new Set([1]), new Map([[1, 2]]), new Uint8Array(1), new PkOverridden(), new PkDispatched()];
      const back = loads(dumps(value, { protocol: 4, reducerOverride })) as unknown[];
      expect(back.slice(-2)).to.deep.equal([{ made: 7 }, { made: 7 }]);
      // As in CPython: [A, make, A] — the reduce callable is asked too, once (then a memo hit).
      expect(asked).to.deep.equal([value[8], pkMake, value[9]]);
    });

    it('built-in JS types (Date, RegExp, Error, typed arrays) are written before the chain, as copy and deepcopy treat them (SPEC §4)', () => {
      const asked: unknown[] = [];
      const table = new Map<Function, (o: unknown) => unknown>([
        [Date, () => 'table'],
        [RegExp, () => 'table'],
      ]);
      const values: unknown[] = [new Date(0), /a/g, new TypeError('t'), new Float64Array([1.5])];
      const data = dumps(values, {
        dispatchTable: table as never,
        reducerOverride: (o) => (asked.push(o), NotImplemented),
      });
      expect(asked.filter((o) => values.includes(o))).to.deep.equal([]);
      const back = loads(data) as unknown[];
      expect((back[0] as Date).getTime()).to.equal(0);
      expect(String(back[1])).to.equal('/a/g');
      expect(back[2]).to.be.instanceOf(TypeError);
      expect(Array.from(back[3] as Float64Array)).to.deep.equal([1.5]);
      // An Object.create() of a built-in's prototype has no internal slot: the chain still takes it.
      const fake = Object.create(Date.prototype) as object;
      const rescued = dumps(fake, { reducerOverride: (o) => (o === fake ? [pkMake, [3]] : NotImplemented) });
      expect(loads(rescued)).to.deep.equal({ made: 3 });
    });

    it("a string reduce value must name the object itself, as CPython's save_global checks", () => {
      class PkNamedBySelf {}
      defaultRegistry.declare(PkNamedBySelf, { module: 'spec_pickler', name: 'PkNamedBySelf', isClass: true });
      const table = new Map<Function, (o: unknown) => unknown>([[PkNamedBySelf, () => 'PkNamedBySelf']]);
      expect(() => dumps(new PkNamedBySelf(), { dispatchTable: table as never })).to.throw(PicklingError, "it's not the same object as spec_pickler.PkNamedBySelf");
      table.set(PkNamedBySelf, () => 'NOPE');
      expect(() => dumps(new PkNamedBySelf(), { dispatchTable: table as never })).to.throw(PicklingError, 'attribute lookup NOPE on spec_pickler failed');
      // A name that does lead back to the object: the function itself, by reference.
      const data = dumps([pkMake], { reducerOverride: (o) => (o === pkMake ? 'pkMake' : NotImplemented) });
      expect((loads(data) as unknown[])[0]).to.equal(pkMake);
    });

    it('reducerOverride returning NotImplemented (or undefined) falls through to the usual reduction', () => {
      const data = dumps(new PkOverridden(4), { reducerOverride: () => NotImplemented });
      expect(loads(data)).to.deep.equal(new PkOverridden(4));
      expect(loads(data)).to.be.instanceOf(PkOverridden);
    });
  });

  describe('persistent ids', () => {
    class Ref {
      constructor(readonly id: unknown) {}
    }
    const persistentId = (o: unknown): unknown => (o instanceof Ref ? o.id : undefined);

    it('protocol 0: PERSID with str(pid); 1+: the pid is pickled (not asked about itself), then BINPERSID', () => {
      expect(dumps([new Ref('abc')], { protocol: 0, persistentId })).to.deep.equal(latin1('(lp0\nPabc\na.'));
      const asked: unknown[] = [];
      const pid = Object.freeze(['user', 7]);
      const data = dumps([new Ref(pid)], {
        protocol: 2,
        persistentId: (o) => {
          asked.push(o);
          return persistentId(o);
        },
      });
      expect(opNames(data)).to.deep.equal(
        ['PROTO', 'EMPTY_LIST', 'BINPUT', 'BINUNICODE', 'BINPUT', 'BININT1', 'TUPLE2', 'BINPUT', 'BINPERSID', 'APPEND', 'STOP'],
      );
      expect(asked.includes(pid)).to.equal(false);
      const seen: unknown[] = [];
      expect(loads(data, { persistentLoad: (p) => (seen.push(p), 'resolved') })).to.deep.equal(['resolved']);
      expect(seen).to.deep.equal([['user', 7]]);
    });

    it('protocol 0 refuses a pid that is not one line of ASCII', () => {
      expect(() => dumps(new Ref('é'), { protocol: 0, persistentId })).to.throw(PicklingError, 'ASCII');
      expect(() => dumps(new Ref('a\nb'), { protocol: 0, persistentId })).to.throw(PicklingError);
      expect(loads(dumps(new Ref(12), { protocol: 0, persistentId }), { persistentLoad: (p) => p })).to.equal('12');
    });
  });

  describe('protocol 5 buffers', () => {
    const ro = (): PickleBuffer => new PickleBuffer(latin1('abc'), true);

    it('no bufferCallback, or a truthy result: in-band (bytes / BYTEARRAY8) and memoized', () => {
      for (const bufferCallback of [null, () => true, () => 1]) {
        const pb = ro();
        const data = dumps([pb, pb, new PickleBuffer(latin1('de'), false)], { protocol: 5, bufferCallback });
        expect(opNames(data)).to.deep.equal(['PROTO', 'FRAME', 'EMPTY_LIST', 'MEMOIZE', 'MARK', 'SHORT_BINBYTES', 'MEMOIZE', 'BINGET', 'BYTEARRAY8', 'MEMOIZE', 'APPENDS', 'STOP']);
        const back = loads(data) as unknown[];
        expect(back[0]).to.deep.equal(latin1('abc'));
        expect(back[1]).to.equal(back[0]);
        expect(back[2]).to.be.instanceOf(ArrayBuffer);
      }
    });

    it('a falsy result: NEXT_BUFFER (+ READONLY_BUFFER when read-only), once per occurrence, never memoized', () => {
      for (const falsy of [false, 0, null, undefined, '']) {
        const seen: PickleBuffer[] = [];
        const pb = ro();
        const data = dumps([pb, pb], { protocol: 5, bufferCallback: (b) => (seen.push(b), falsy) });
        expect(seen).to.deep.equal([pb, pb]);
        expect(opNames(data)).to.deep.equal(['PROTO', 'FRAME', 'EMPTY_LIST', 'MEMOIZE', 'MARK', 'NEXT_BUFFER', 'READONLY_BUFFER', 'NEXT_BUFFER', 'READONLY_BUFFER', 'APPENDS', 'STOP']);
        const buffers = [latin1('x'), latin1('y')];
        const back = loads(data, { buffers }) as unknown[];
        expect(back[0]).to.equal(buffers[0]);
        expect(back[1]).to.equal(buffers[1]);
      }
    });

    it('a PickleBuffer below protocol 5 is a PicklingError', () => {
      for (const protocol of [0, 1, 2, 3, 4]) {
        expect(() => dumps(ro(), { protocol })).to.throw(PicklingError, 'PickleBuffer can only pickled with protocol >= 5');
      }
    });
  });

  describe('what cannot be pickled', () => {
    it('an instance of an undeclared class, an undeclared function or a local symbol: PicklingError', () => {
      for (const protocol of ALL) {
        expect(() => dumps(new PkUndeclared(), { protocol })).to.throw(PicklingError, 'PkUndeclared');
        expect(() => dumps([() => 1], { protocol })).to.throw(PicklingError);
        expect(() => dumps(Symbol('local'), { protocol })).to.throw(PicklingError);
      }
    });

    it('a reduce value of the wrong shape: PicklingError with CPython wording', () => {
      @reducible({ module: 'spec_pickler', name: 'BadReduce' })
      class PkBadReduce {
        constructor(readonly rv: unknown) {}
        __reduce__(): unknown {
          return this.rv;
        }
      }
      expect(() => dumps(new PkBadReduce([pkMake]))).to.throw(PicklingError, '2 through 6 elements');
      expect(() => dumps(new PkBadReduce(42))).to.throw(PicklingError, 'must return a string or tuple');
      expect(() => dumps(new PkBadReduce([1, []]))).to.throw(PicklingError, 'must be callable');
    });
  });

  describe('the reduce protocol', () => {
    it('a state setter (6th item) is written as CPython writes it and called on load', () => {
      const obj = Object.assign(new PkWithSetter(), { v: 21 });
      for (const protocol of ALL) {
        setterCalls.length = 0;
        const data = dumps(obj, { protocol });
        const names = opNames(data);
        expect(names.slice(-4), `protocol ${protocol}`).to.deep.equal(['TUPLE2', 'REDUCE', 'POP', 'STOP']);
        expect(names).to.not.include('BUILD');
        const back = loads(data) as PkWithSetter;
        expect(back).to.be.instanceOf(PkWithSetter);
        expect(back.v).to.equal(42);
        expect(setterCalls).to.have.length(1);
        expect(setterCalls[0]![0]).to.equal(back);
        expect(setterCalls[0]![1]).to.deep.equal({ v: 21 });
      }
    });

    it('listItems go through append (or extend, preferred); dictItems through __setitem__', () => {
      for (const protocol of ALL) {
        const a = loads(dumps(Object.assign(new PkAppender(), { items: [1, 'two', [3]] }), { protocol })) as PkAppender;
        expect(a.items).to.deep.equal([1, 'two', [3]]);
        const e = loads(dumps(Object.assign(new PkExtender(), { items: range(1500) }), { protocol })) as PkExtender;
        expect(e.items).to.deep.equal(range(1500));
        expect(e.batches).to.equal(protocol === 0 ? 1500 : 2);
        const s = new PkItemSetter();
        s.entries.set('a', 1).set(2, 'b');
        const back = loads(dumps(s, { protocol })) as PkItemSetter;
        expect([...back.entries]).to.deep.equal([['a', 1], [2, 'b']]);
      }
    });

    it('__getnewargs_ex__: NEWOBJ_EX at protocols 4-5, functools.partial(cls.__new__, …) at 2-3', () => {
      const kw = PkKw.__new__(PkKw, 1, 2, { c: 3 });
      for (const protocol of [2, 3, 4, 5]) {
        const data = dumps(kw, { protocol });
        const names = opNames(data);
        if (protocol >= 4) {
          expect(names).to.include('NEWOBJ_EX');
        } else {
          const globals = ops(data).filter((o) => o.name === 'GLOBAL').map((o) => o.arg);
          expect(globals).to.include('functools\npartial');
          expect(globals).to.include(protocol === 2 ? '__builtin__\ngetattr' : 'builtins\ngetattr');
        }
        const back = loads(data) as PkKw;
        expect(back).to.be.instanceOf(PkKw);
        expect([back.a, back.b, back.c]).to.deep.equal([1, 2, 3]);
      }
    });

    it('protocols 0-1 use copyreg._reconstructor and, as in CPython, drop the __new__ arguments', () => {
      const data = dumps(PkKw.__new__(PkKw, 1, 2, { c: 3 }), { protocol: 1 });
      expect(ops(data)[0]!.arg).to.equal('copy_reg\n_reconstructor');
      const back = loads(data) as PkKw;
      expect(back).to.be.instanceOf(PkKw);
      expect(Object.keys(back)).to.deep.equal([]);
    });

    it('the default reduction: NEWOBJ + BUILD(dict) at 2+, _reconstructor at 0-1 (CPython bytes)', () => {
      expect(toHex(dumps(new Point(1, 2), { protocol: 2 }))).to.equal(
        '8002635f5f6d61696e5f5f0a506f696e740a7100298171017d71022858010000007871034b0158010000007971044b0275622e',
      );
      expect(opNames(dumps(new Point(1, 2), { protocol: 0 })).slice(0, 2)).to.deep.equal(['GLOBAL', 'PUT']);
    });
  });

  describe('Maps with non-string keys (dict literals that load as Maps)', () => {
    it('a Map that contains itself among its first pairs is written as CPython writes the dict', () => {
      const m = new Map<unknown, unknown>();
      m.set(1, m);
      expect(toHex(dumps(m, { protocol: 2 }))).to.equal('80027d71004b016800732e');
      const back = loads(dumps(m, { protocol: 2 })) as Map<unknown, unknown>;
      expect(back.get(1)).to.equal(back);
    });

    it("a Map reached again inside its first pairs: CPython's bytes, and the loader still gives one Map", () => {
      const m = new Map<unknown, unknown>();
      m.set(1, [m]).set(2, { m });
      for (const protocol of ALL) {
        const back = loads(dumps(m, { protocol })) as Map<number, any>;
        expect(back.get(1)[0]).to.equal(back);
        expect(back.get(2).m).to.equal(back);
        expect([...back.keys()]).to.deep.equal([1, 2]);
      }
      // d = {}; d[1] = [d]; pickle.dumps(d, 2) from CPython 3.11.
      const d = new Map<unknown, unknown>();
      d.set(1, [d]);
      expect(toHex(dumps(d, { protocol: 2 }))).to.equal('80027d71004b015d7101680061732e');
    });

    it("a Map whose first key is a string and a later one is not: CPython's bytes for the dict, and key order survives", () => {
      const ab = new Map<unknown, unknown>([['a', 1], [2, 3]]);
      // pickle.dumps({'a': 1, 2: 3}, protocol) from CPython 3.11.
      expect(toHex(dumps(ab, { protocol: 0 }))).to.equal('286470300a56610a70310a49310a7349320a49330a732e');
      expect(toHex(dumps(ab, { protocol: 2 }))).to.equal('80027d71002858010000006171014b014b024b03752e');
      expect(toHex(dumps(ab, { protocol: 4 }))).to.equal('8004950f000000000000007d94288c0161944b014b024b03752e');
      // '2' is an integer-like key, which a plain object would list first: the loader reads the
      // pickle again with the dict a Map from the start when it learns that too late.
      const m = new Map<unknown, unknown>([['b', 1], ['2', 2], [3, 3], [Symbol.for('spec.s'), 4]]);
      for (const protocol of ALL) {
        const back = loads(dumps(m, { protocol })) as Map<unknown, unknown>;
        expect([...back.keys()]).to.deep.equal(['b', '2', 3, Symbol.for('spec.s')]);
      }
      // CPython's own protocol 0 pickle of {'b': 1, '0': 2, 3: 4}: one SETITEM per pair.
      const g = loads(unhex('286470300a56620a70310a49310a7356300a70320a49320a7349330a49340a732e')) as Map<unknown, unknown>;
      expect([...g.keys()]).to.deep.equal(['b', '0', 3]);
    });

    it('a Map with only string keys (and non-atom values) is builtins.dict() + SETITEMS, so it loads as a Map', () => {
      const m = new Map<unknown, unknown>([['b', [1]], ['2', 2]]);
      for (const protocol of ALL) {
        const back = loads(dumps(m, { protocol })) as Map<unknown, unknown>;
        expect(back).to.be.instanceOf(Map);
        expect([...back.keys()]).to.deep.equal(['b', '2']);
      }
    });

    it('a Map whose first key is a tuple holding the Map round-trips (Python has no such dict: tuples of dicts are unhashable)', () => {
      const m = new Map<unknown, unknown>();
      m.set(Object.freeze([m]), 1);
      for (const protocol of ALL) {
        const back = loads(dumps(m, { protocol })) as Map<unknown, unknown>;
        const [key] = [...back.keys()] as [unknown[]];
        expect(key[0]).to.equal(back);
        expect(Object.isFrozen(key)).to.equal(true);
      }
    });
  });
});

describe('Pickler: several Dates in one pickle', () => {
  it("writes CPython's bytes for a list of UTC datetimes at protocols 2-5 (shared class and tzinfo)", () => {
    // Arrange: the same values built in Python, pickled there once per protocol.
    const values = [
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
      new Date(Date.UTC(1999, 11, 31)),
      { when: new Date(Date.UTC(2020, 5, 6)) },
    ];
    const script =
      'import pickle, datetime as d, json; u = d.timezone.utc\n' +
      'v = [d.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=u), d.datetime(1999, 12, 31, tzinfo=u),' +
      " {'when': d.datetime(2020, 6, 6, tzinfo=u)}]\n" +
      'print(json.dumps([pickle.dumps(v, p).hex() for p in (2, 3, 4, 5)]))';
    const expected = JSON.parse(execFileSync('python3', ['-c', script]).toString()) as string[];
    // Act / Assert
    [2, 3, 4, 5].forEach((protocol, i) => {
      expect(toHex(dumps(values, { protocol }))).to.equal(expected[i], `protocol ${protocol}`);
    });
  });
});
