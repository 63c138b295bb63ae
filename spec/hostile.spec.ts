// Hostile input: loads must throw UnpicklingError and nothing else, never hang, never allocate
// much beyond the input, never call anything that was not declared, and never change a
// prototype. The CPython corpus of malformed pickles, truncation at every offset, dangerous
// globals through every opcode that names one, huge declared lengths, deep nesting, and
// prototype-pollution keys.
import { expect } from 'chai';

import {
  addExtension,
  clearExtensionCache,
  constructor,
  defaultRegistry,
  dumps,
  loads,
  PickleBuffer,
  PyGlobal,
  PyObject,
  reducible,
  removeExtension,
  UnpicklingError,
  type UnpicklerOptions,
} from '../lib/index';
import {
  BAD_PICKLES,
  bytesOf,
  expectSameGraph,
  latin1,
  Point,
  unhex,
  VECTORS,
} from './helpers/vectors';

/** Runs `fn` and returns what it threw (failing the test when it returns normally). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return expect.fail('expected an exception');
}

/** Asserts that loading `data` throws an UnpicklingError, and returns it. */
function rejects(data: Uint8Array, options?: UnpicklerOptions): UnpicklingError {
  const e = thrown(() => loads(data, options));
  if (!(e instanceof UnpicklingError)) expect.fail(`expected UnpicklingError, got ${String(e)}`);
  return e;
}

// --- Declared callables the pickles below may call ---

const spyCalls: unknown[][] = [];
/** A declared function: the proof that the allowed route really calls. */
function hostileSpecSpy(...args: unknown[]): string {
  spyCalls.push(args);
  return 'spied';
}
constructor(hostileSpecSpy);

@reducible({ module: 'spec_hostile', name: 'Node' })
class HostileNode {
  child?: HostileNode;
}

@reducible({ module: 'spec_hostile', name: 'Bag' })
class HostileBag {}

@reducible({ module: 'spec_hostile', name: 'Fragile' })
class HostileFragile {
  __setstate__(_state: unknown): void {
    throw new RangeError('boom in __setstate__');
  }
}

@reducible({ module: 'spec_hostile', name: 'Grumpy' })
class HostileGrumpy {
  constructor(arg?: unknown) {
    if (arg === 'refuse') throw new TypeError('refused in the constructor');
  }
  append(_x: unknown): void {
    throw new Error('no appending');
  }
}

@reducible({ module: 'spec_hostile', name: 'Stack' })
class HostileStack extends Array {}

@reducible({ module: 'spec_hostile', name: 'When' })
class HostileWhen extends Date {}

@reducible({ module: 'spec_hostile', name: 'SpySet' })
class HostileSpySet extends Set<unknown> {
  override add(x: unknown): this {
    spyCalls.push(['SpySet.add', x]);
    return super.add(x);
  }
}

/** Spies under `__main__` names, for pickles found by fuzzing (kept as found). */
function spyfn(...a: unknown[]): unknown[] {
  spyCalls.push(['spyfn', ...a]);
  return a;
}
constructor(spyfn);
@reducible({ module: '__main__', name: 'SpySet' })
class MainSpySet extends Set<unknown> {
  override add(x: unknown): this {
    spyCalls.push(['__main__.SpySet.add', x]);
    return super.add(x);
  }
}
@reducible({ module: '__main__', name: 'SpyList' })
class MainSpyList extends Array<unknown> {
  override [Symbol.iterator](): ArrayIterator<unknown> {
    spyCalls.push(['__main__.SpyList.iter']);
    return super[Symbol.iterator]();
  }
}
@reducible({ module: '__main__', name: 'NewSpy' })
class MainNewSpy {
  static __new__(cls: typeof MainNewSpy): MainNewSpy {
    spyCalls.push(['NewSpy.__new__']);
    return Object.create(cls.prototype) as MainNewSpy;
  }
}
void [MainSpySet, MainSpyList, MainNewSpy];

@reducible({ module: 'spec_hostile', name: 'SpyList' })
class HostileSpyList extends Array<unknown> {
  override push(...x: unknown[]): number {
    spyCalls.push(['SpyList.push', ...x]);
    return super.push(...x);
  }
}

// --- The CPython corpus ---

/**
 * Inputs CPython accepts, and the value each gives here. Protocol 0's text LONG without a trailing
 * L is our bigint marker (CPython never writes it), so `L10\n` loads as the bigint 10n.
 */
const ACCEPTED: Readonly<Record<string, () => unknown>> = {
  int_octal_leading_zero: () => 8,
  frame_opcode_crosses_frame_end: () => 1,
  frame_nested_before_end: () => null,
  ok_extra_stack_items_ignored: () => 1,
  ok_trailing_bytes_ignored: () => null,
  ok_unclosed_mark_before_stop: () => null,
  ok_int_01_is_true: () => true,
  ok_int_00_is_false: () => false,
  ok_int_hex_literal: () => 16,
  ok_long_without_L: () => 10n,
  ok_float_nan_text: () => NaN,
  ok_proto_repeated: () => null,
  ok_proto_0_header: () => null,
  ok_frame_empty: () => null,
  ok_frame_exact_boundary: () => 5,
  ok_lone_surrogate_surrogatepass: () => '\ud800',
  ok_memo_put_overwrite: () => Object.freeze([2, 2]),
  ok_binput_sparse_index: () => Object.freeze([1, 1]),
  ok_long_binput_large_index: () => Object.freeze([1, 1]),
  ok_pop_on_mark: () => null,
  ok_string_python2: () => 'abc',
  ok_binstring_python2: () => 'abc',
  ok_readonly_buffer_on_bytes: () => latin1('abc'),
  // A read-only memoryview of the bytearray: JS has no read-only views, so a Uint8Array over it.
  ok_readonly_buffer_on_bytearray: () => latin1('abc'),
  ok_tuple_from_mark: () => Object.freeze([1, 2]),
  ok_empty_list_appends_noop: () => [],
  ok_inst_classic: () => ({}),
  ok_obj_classic: () => ({}),
  ok_dup: () => {
    const l: unknown[] = [];
    return Object.freeze([l, l]);
  },
  odd_int_plus1_is_true_in_c: () => true,
  odd_int_minus0_is_false_in_c: () => false,
  ok_int_leading_space: () => 5,
  ok_int_underscores: () => 1000,
  ok_long_underscores: () => 1000,
  odd_int_leading_zeros: () => 1,
};

/**
 * Inputs CPython accepts only because its unpickler imports anything: `builtins.int` is not in
 * the allow-list, so these throw UnpicklingError naming the global (and load as a PyGlobal with
 * `placeholders: true`).
 */
const FORBIDDEN_HERE: Readonly<Record<string, string>> = {
  ok_stack_global_dotted_path_proto4: 'builtins.int.__name__',
  ok_global_py2_name_mapped: 'builtins.int',
};

describe('hostile input', () => {
  describe('the CPython corpus of malformed and odd pickles', () => {
    it('lists every accepted input either with its value or as forbidden here', () => {
      const accepted = BAD_PICKLES.filter((b) => b.python_exception === null).map((b) => b.name);
      expect([...accepted].sort()).to.deep.equal([...Object.keys(ACCEPTED), ...Object.keys(FORBIDDEN_HERE)].sort());
    });

    for (const b of BAD_PICKLES) {
      if (b.python_exception !== null) {
        it(`${b.name}: CPython raises ${b.python_exception}; loads throws UnpicklingError`, () => {
          rejects(unhex(b.hex));
        });
      } else if (FORBIDDEN_HERE[b.name] !== undefined) {
        const name = FORBIDDEN_HERE[b.name]!;
        it(`${b.name}: CPython gives ${b.result_repr}; here global '${name}' is forbidden`, () => {
          expect(rejects(unhex(b.hex)).message).to.include(`'${name}'`);
          const [module, ...rest] = name.split('.');
          expect(loads(unhex(b.hex), { placeholders: true })).to.deep.equal(new PyGlobal(module!, rest.join('.')));
        });
      } else {
        it(`${b.name}: CPython gives ${b.result_repr}; loads gives the same value`, () => {
          expectSameGraph(loads(unhex(b.hex)), ACCEPTED[b.name]!());
        });
      }
    }
  });

  describe('truncation at every offset', () => {
    /** Loads every proper prefix of `data`; returns the offsets that did not throw UnpicklingError. */
    function badPrefixes(data: Uint8Array, options: () => UnpicklerOptions): string[] {
      const bad: string[] = [];
      for (let n = 0; n < data.length; n++) {
        try {
          loads(data.subarray(0, n), options());
          bad.push(`${n}: loaded`);
        } catch (e) {
          if (!(e instanceof UnpicklingError)) bad.push(`${n}: ${String(e)}`);
        }
      }
      return bad;
    }

    const modest = VECTORS.filter(
      (v) => v.hex !== null && [0, 2, 4, 5].includes(v.protocol) && v.hex.length <= 6000,
    );
    for (const v of modest) {
      it(`${v.name} at protocol ${v.protocol} (${v.hex!.length / 2} bytes)`, () => {
        const options = (): UnpicklerOptions => ({
          placeholders: true,
          persistentLoad: (pid) => pid,
          buffers: (v.buffers_hex ?? []).map(unhex),
        });
        expect(badPrefixes(unhex(v.hex!), options)).to.deep.equal([]);
      });
    }

    it('of our own pickles of mixed graphs, at every protocol', () => {
      const shared = { s: 'shared', n: -1.5 };
      const map = new Map<unknown, unknown>([[1, 'one'], [2n ** 70n, [shared]]]);
      map.set(3, map);
      const value = [
        shared,
        shared,
        new Point(1, 2),
        map,
        new Set([1, 'two', Object.freeze([3])]),
        Object.assign(Object.create(null), { z: 1 }),
        new Date(Date.UTC(2020, 1, 29, 12)),
        latin1('bytes\x00\xff'),
        new Uint8Array([1, 2, 3]).buffer,
        [undefined, , 7n, -0, NaN, Infinity, '\ud800\u{1f600}'],
        /re(g)ex/giu,
        new TypeError('bad'),
        new Float64Array([1.5, -2]),
      ];
      for (const protocol of [0, 1, 2, 3, 4, 5]) {
        const data = dumps(value, { protocol });
        expect(badPrefixes(data, () => ({})), `protocol ${protocol}`).to.deep.equal([]);
      }
      const oob = dumps([new PickleBuffer(latin1('abc'), false), new PickleBuffer(latin1('de'), true)], {
        protocol: 5,
        bufferCallback: () => false,
      });
      expect(badPrefixes(oob, () => ({ buffers: [latin1('abc'), latin1('de')] }))).to.deep.equal([]);
    });
  });

  describe('dangerous globals', () => {
    const DANGEROUS: [string, string][] = [
      ['os', 'system'],
      ['builtins', 'eval'],
      ['subprocess', 'Popen'],
      ['builtins', '__import__'],
    ];
    const sbu = (s: string): string => `\x8c${String.fromCharCode(s.length)}${s}`;
    let code = 0xf1;

    /** Pickles that call `module.name('x')`, one per opcode that can name a global. */
    const ROUTES: Readonly<Record<string, (m: string, n: string) => Uint8Array>> = {
      'GLOBAL + REDUCE': (m, n) => latin1(`c${m}\n${n}\n(Vx\ntR.`),
      'STACK_GLOBAL + REDUCE': (m, n) => latin1(`\x80\x04${sbu(m)}${sbu(n)}\x93${sbu('x')}\x85R.`),
      INST: (m, n) => latin1(`(Vx\ni${m}\n${n}\n.`),
      'OBJ with GLOBAL': (m, n) => latin1(`(c${m}\n${n}\nVx\no.`),
      'OBJ with STACK_GLOBAL': (m, n) => latin1(`\x80\x04(${sbu(m)}${sbu(n)}\x93${sbu('x')}o.`),
      'NEWOBJ': (m, n) => latin1(`\x80\x02c${m}\n${n}\nVx\n\x85\x81.`),
      'EXT1 + REDUCE': (m, n) => {
        const c = code++;
        addExtension(m, n, c);
        return latin1(`\x80\x02\x82${String.fromCharCode(c)}Vx\n\x85R.`);
      },
    };

    beforeEach(() => {
      spyCalls.length = 0;
    });

    afterEach(() => {
      // Unregister every code the EXT route added.
      for (const [m, n] of [...DANGEROUS, ['__main__', 'hostileSpecSpy']] as [string, string][]) {
        for (let c = 0xf1; c < code; c++) {
          try {
            removeExtension(m, n, c);
          } catch {
            // not this pair
          }
        }
      }
      clearExtensionCache();
    });

    for (const [route, make] of Object.entries(ROUTES)) {
      it(`${route}: the declared spy is called (the route works)`, () => {
        const got = loads(make('__main__', 'hostileSpecSpy'));
        if (route === 'NEWOBJ') {
          // NEWOBJ allocates without calling, as cls.__new__(cls) does.
          expect(Object.getPrototypeOf(got)).to.equal(hostileSpecSpy.prototype);
          expect(spyCalls).to.deep.equal([]);
        } else {
          expect(got).to.equal('spied');
          expect(spyCalls).to.deep.equal([['x']]);
        }
      });

      for (const [m, n] of DANGEROUS) {
        it(`${route}: ${m}.${n} → UnpicklingError naming it, nothing called`, () => {
          expect(rejects(make(m, n)).message).to.include(`'${m}.${n}'`);
          expect(spyCalls).to.deep.equal([]);
        });
      }

      it(`${route}: os.system with placeholders: true loads as an inert PyGlobal/PyObject`, () => {
        const got = loads(make('os', 'system'), { placeholders: true });
        expect(got).to.be.instanceOf(PyObject);
        const o = got as PyObject;
        expect(o.cls).to.deep.equal(new PyGlobal('os', 'system'));
        expect(o.args).to.deep.equal(['x']);
        expect(spyCalls).to.deep.equal([]);
      });
    }

    it('a forbidden global as an argument of an allowed call is refused before the call', () => {
      const pickles = [
        latin1('c__main__\nhostileSpecSpy\n(cos\nsystem\ntR.'),
        latin1(`\x80\x04${sbu('__main__')}${sbu('hostileSpecSpy')}\x93${sbu('os')}${sbu('system')}\x93\x85R.`),
        latin1('c__main__\nhostileSpecSpy\n((Vx\nios\nsystem\ntR.'),
        latin1('c__main__\nhostileSpecSpy\n((cos\nsystem\nVx\notR.'),
      ];
      for (const p of pickles) expect(rejects(p).message).to.include("'os.system'");
      addExtension('os', 'system', 0xf0);
      try {
        expect(rejects(latin1('\x80\x02c__main__\nhostileSpecSpy\n\x82\xf0\x85R.')).message).to.include("'os.system'");
      } finally {
        removeExtension('os', 'system', 0xf0);
      }
      expect(spyCalls).to.deep.equal([]);
    });

    it('a forbidden global anywhere after a declared call is refused before that call runs', () => {
      spyCalls.length = 0;
      const sb = (t: string): string => sbu(t) + '\x94';
      const pickles = [
        // (spy('x'), os.system) through GLOBAL, and with the spy's result built first.
        latin1('(c__main__\nhostileSpecSpy\n(Vx\ntRcos\nsystem\nt.'),
        latin1('\x80\x02c__main__\nhostileSpecSpy\nVx\n\x85R]q\x00(cos\nsystem\nea.'),
        // STACK_GLOBAL names from the memo: 'os' is memoized before the spy is called, and
        // 'system' is memoized inside the spy's argument and fetched afterwards.
        latin1(`\x80\x04${sb('os')}${sb('__main__')}${sb('hostileSpecSpy')}\x93\x94${sb('system')}\x85R\x94h\x00h\x04\x93\x86.`),
        // INST, and an EXT code registered for os.system, after the call.
        latin1('(c__main__\nhostileSpecSpy\n(Vx\ntR(ios\nsystem\nt.'),
        // A persistent id hook is the user's code too.
        latin1('(Ppid\ncos\nsystem\nt.'),
      ];
      for (const p of pickles) {
        const e = rejects(p, { persistentLoad: (pid) => spyCalls.push(['pid', pid]) });
        expect(e.message).to.include("'os.system'");
      }
      const more = [
        // STACK_GLOBAL names given as Python 2 str (SHORT_BINSTRING, BINSTRING, STRING).
        latin1(`\x80\x04(c__main__\nhostileSpecSpy\nVx\n\x85RU\x02osU\x06system\x93t.`),
        latin1(`\x80\x04(c__main__\nhostileSpecSpy\nVx\n\x85RT\x02\x00\x00\x00osS'system'\n\x93t.`),
        // A PROTO opcode after the call changes how a later name reads (no Python 2 mapping from 3).
        latin1('(c__main__\nhostileSpecSpy\n(Vx\ntR\x80\x03c__builtin__\nset\nt.'),
        // A Set or Array subclass of the user's adds or pushes with its own code.
        latin1('\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00(cspec_hostile\nSpySet\n)\x81(K\x01\x90cos\nsystem\nt.'),
        latin1('(ccopy_reg\n_reconstructor\n(cspec_hostile\nSpyList\nc__builtin__\nlist\n(I1\nltRcos\nsystem\nt.'),
        // A text memo index of -0 is index 0, for the walk as for the load.
        latin1('(Vos\np-0\n(c__main__\nhostileSpecSpy\n(Vx\ntRVsystem\n\x80\x04g0\n\x8c\x06system\x93t.'),
      ];
      for (const p of more) expect(rejects(p).message).to.match(/'os\.system'|'__builtin__\.set'/);
      addExtension('os', 'system', 0xf1);
      try {
        expect(rejects(latin1('\x80\x02(c__main__\nhostileSpecSpy\nVx\n\x85R\x82\xf1t.')).message).to.include("'os.system'");
      } finally {
        removeExtension('os', 'system', 0xf1);
      }
      expect(spyCalls).to.deep.equal([]);
      // The same pickles without the forbidden global do call the spy (the check found the name).
      expect(loads(latin1('(c__main__\nhostileSpecSpy\n(Vx\ntRcos\nsystem\nt.'), { placeholders: true })).to.have.length(2);
      expect(spyCalls).to.deep.equal([['x']]);
    });

    it('pickles found by fuzzing: the walk before user code follows every way a name can be given', () => {
      spyCalls.length = 0;
      const FOUND: Record<string, string> = {
        py2StrStackGlobal: '8004635f5f6d61696e5f5f0a737079666e0a29523055026f73550673797374656d93304e2e',
        protoSwitch: '8002635f5f6d61696e5f5f0a737079666e0a2952308003635f5f6275696c74696e5f5f0a7365740a304e2e',
        negZeroGet: '80024e94635f5f6d61696e5f5f0a737079666e0a295230672d300a30636f730a73797374656d0a304e2e',
        sparseMemo: '80024e72e803000030635f5f6d61696e5f5f0a737079666e0a2952306ae803000030636f730a73797374656d0a304e2e',
        memoizeOverSparse: '80044e7205000000304e944e943030635f5f6d61696e5f5f0a737079666e0a2952308c0161948c0162948c086275696c74696e73948c026f73943030303068058c0373657493304e2e',
        additemsSetSubclass: '8004635f5f6d61696e5f5f0a5370795365740a2981284b019030636f730a73797374656d0a304e2e',
        reconstructorSetSubclass: '63636f70797265670a5f7265636f6e7374727563746f720a28635f5f6d61696e5f5f0a5370795365740a635f5f6275696c74696e5f5f0a7365740a5d4b0161745230636f730a73797374656d0a304e2e',
        reconstructorStaticNew: '63636f70795f7265670a5f7265636f6e7374727563746f720a28635f5f6d61696e5f5f0a4e65775370790a635f5f6275696c74696e5f5f0a6f626a6563740a4e745230636f730a73797374656d0a304e2e',
        setOfArraySubclass: '8002635f5f6275696c74696e5f5f0a7365740a635f5f6d61696e5f5f0a5370794c6973740a2981855230636f730a73797374656d0a304e2e',
      };
      for (const [name, hex] of Object.entries(FOUND)) {
        expect(rejects(unhex(hex)).message, name).to.match(/is forbidden/);
      }
      expect(spyCalls).to.deep.equal([]);
    });

    it('a nested list as a property key is refused, not joined into a huge string', () => {
      // builtins.ValueError() given state {[[L]*4]*4 …: None}: String(key) would take seconds.
      const e = rejects(unhex('8002636275696c74696e730a56616c75654572726f720a29527d285d94302868006800680068006c94302868016801680168016c94302868026802680268026c94302868036803680368036c94302868046804680468046c94302868056805680568056c94302868066806680668066c94302868076807680768076c94302868086808680868086c94302868096809680968096c943028680a680a680a680a6c943028680b680b680b680b6c943028680c680c680c680c6c944e75622e'));
      expect(e.message).to.include('a property name must be a str or a primitive');
    });

    it('Python 2 spellings map to the same names and are refused the same way', () => {
      expect(rejects(latin1('c__builtin__\neval\n(Vx\ntR.')).message).to.include("'builtins.eval'");
      expect(rejects(latin1('c__builtin__\n__import__\n(Vos\ntR.')).message).to.include("'builtins.__import__'");
      // From protocol 3 on nothing is mapped.
      expect(rejects(latin1('\x80\x03c__builtin__\neval\n(Vx\ntR.')).message).to.include("'__builtin__.eval'");
    });

    it('getattr reaches only __new__ and declared factories, never attributes of declared callables', () => {
      for (const attr of ['call', 'apply', 'constructor', '__proto__', '__class__', 'bind']) {
        const e = rejects(latin1(`cbuiltins\ngetattr\n(c__main__\nhostileSpecSpy\nV${attr}\ntR.`));
        expect(e.message).to.include(`'${attr}'`);
      }
      expect(rejects(latin1('c_codecs\nencode\n(Vabc\nVrot13\ntR.')).message).to.include('latin-1');
      expect(spyCalls).to.deep.equal([]);
    });

    it('an EXT code cached by an earlier load is still checked against the registry, not a stale cache', () => {
      addExtension('__main__', 'hostileSpecSpy', 0xe0);
      expect(loads(latin1('\x80\x02\x82\xe0Vx\n\x85R.'))).to.equal('spied');
      removeExtension('__main__', 'hostileSpecSpy', 0xe0);
      expect(rejects(latin1('\x80\x02\x82\xe0Vx\n\x85R.')).message).to.include('unregistered extension code 224');
    });

    it('what a load with placeholders or its own findClass resolves an EXT code to is not served to later loads', () => {
      addExtension('spec_hostile', 'Unknown', 0xe1);
      try {
        expect(loads(latin1('\x80\x02\x82\xe1.'), { placeholders: true })).to.be.instanceOf(PyGlobal);
        expect(rejects(latin1('\x80\x02\x82\xe1.')).message).to.include("global 'spec_hostile.Unknown' is forbidden");
        expect(loads(latin1('\x80\x02\x82\xe1.'), { findClass: () => 'mine' })).to.equal('mine');
        expect(rejects(latin1('\x80\x02\x82\xe1.')).message).to.include("global 'spec_hostile.Unknown' is forbidden");
      } finally {
        removeExtension('spec_hostile', 'Unknown', 0xe1);
      }
    });
  });

  describe('declared lengths far beyond the input', () => {
    const u64 = (hi: number, lo: number): number[] => [
      lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24,
      hi & 0xff, (hi >>> 8) & 0xff, (hi >>> 16) & 0xff, hi >>> 24,
    ];
    const CASES: [string, Uint8Array][] = [];
    for (const [op, name] of [[0x8e, 'BINBYTES8'], [0x8d, 'BINUNICODE8'], [0x96, 'BYTEARRAY8'], [0x95, 'FRAME']] as const) {
      CASES.push([`${name} 2^62`, bytesOf([0x80, 5, op], u64(0x40000000, 0), 'abc.')]);
      CASES.push([`${name} 2^64-1`, bytesOf([0x80, 5, op], u64(0xffffffff, 0xffffffff), 'abc.')]);
      CASES.push([`${name} 2^32`, bytesOf([0x80, 5, op], u64(1, 0), 'abc.')]);
    }
    CASES.push(['LONG4 2^31-1', bytesOf([0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0x7f], 'abc.')]);
    CASES.push(['LONG4 negative', bytesOf([0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0xff], 'abc.')]);
    CASES.push(['BINBYTES 2^32-1', bytesOf([0x80, 3, 0x42, 0xff, 0xff, 0xff, 0xff], 'abc.')]);
    CASES.push(['BINUNICODE 2^32-1', bytesOf([0x58, 0xff, 0xff, 0xff, 0xff], 'abc.')]);
    CASES.push(['BINSTRING 2^32-1', bytesOf([0x54, 0xff, 0xff, 0xff, 0xff], 'abc.')]);

    for (const [label, data] of CASES) {
      it(`${label}: UnpicklingError from the length check, nothing allocated`, () => {
        const before = process.memoryUsage().arrayBuffers;
        const e = rejects(data);
        expect(e.message).to.match(/truncated|exceeds|negative byte count/);
        // Generous: an attempt at the declared size would be gigabytes.
        expect(process.memoryUsage().arrayBuffers - before).to.be.lessThan(64 * 1024 * 1024);
      });
    }
  });

  describe('allowed natives given hostile arguments', () => {
    /** A pickle (protocol 2) that calls the global `module.name` with the argument tuple `args` (pickle text). */
    const call = (global: string, args: string): Uint8Array => latin1(`\x80\x02c${global}\n${args}R.`);
    /** MARK, n × (BININT1 0), LIST: a list of n zeros in 2n + 2 bytes. */
    const zeros = (n: number): string => '(' + 'K\x00'.repeat(n) + 'l';

    for (const [global, size] of [
      ['builtins\nbytes', 2 ** 31 - 1],
      ['builtins\nbytearray', 2 ** 31 - 1],
      ['copyreg_js\nFloat64Array', 2 ** 28],
      ['copyreg_js\nUint8Array', 2 ** 31 - 1],
    ] as const) {
      it(`${global.replace('\n', '.')}(${size}) is refused before allocating (a 20-byte pickle may not ask for GBs)`, () => {
        const before = process.memoryUsage().arrayBuffers;
        const e = rejects(call(global, `J${String.fromCharCode(size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24)}\x85`));
        expect(e.message).to.match(/would allocate more than a pickle of \d+ bytes may/);
        expect(process.memoryUsage().arrayBuffers - before).to.be.lessThan(64 * 1024 * 1024);
      });
    }

    it('small sizes are still allowed: bytes(3) is three zero bytes, as in Python', () => {
      expect(loads(call('builtins\nbytes', 'K\x03\x85'))).to.deep.equal(new Uint8Array(3));
      expect(rejects(call('builtins\nbytes', 'J\xff\xff\xff\xff\x85')).message).to.include('negative count');
    });

    it('copying one memoized list thousands of times (quadratic work) stops at the allowance', () => {
      // set(L) 20,000 times for a 50,000-item L: a billion items from a 160 KB pickle. The same
      // for a dict read back as a plain object, and for _reconstructor with a list base.
      const d = latin1(`\x80\x02cbuiltins\nset\nq\x00}q\x01(${Array.from({ length: 5000 }, (_, i) => `X\x05\x00\x00\x00k${String(i).padStart(4, '0')}N`).join('')}uq\x02` + 'h\x00h\x02\x85R0'.repeat(20_000) + 'N.');
      expect(rejects(d).message).to.include('builtins.set() would allocate more');
      const r = latin1(`ccopy_reg\n_reconstructor\nq\x00c__builtin__\nlist\nq\x01${zeros(50_000)}q\x02` + 'h\x00(h\x01h\x01h\x02tR0'.repeat(20_000) + 'N.');
      expect(rejects(r).message).to.include('copyreg._reconstructor() would allocate more');
      const n = 50_000;
      const data = latin1(`\x80\x02cbuiltins\nset\nq\x00${zeros(n)}q\x01` + 'h\x00h\x01\x85R0'.repeat(20_000) + 'N.');
      expect(rejects(data).message).to.include('builtins.set() would allocate more');
      for (const [global, name] of [['builtins\nlist', 'builtins.list'], ['copyreg_js\nAggregateError', 'copyreg_js.AggregateError']]) {
        const copies = latin1(`\x80\x02c${global}\nq\x00${zeros(n)}q\x01` + 'h\x00h\x01\x85R0'.repeat(20_000) + 'N.');
        expect(rejects(copies).message).to.include(`${name}() would allocate more`);
      }
      // A declared Array subclass takes a tuple subclass's items from NEWOBJ's one argument: counted too.
      class HostileTupSub extends Array<unknown> {}
      defaultRegistry.declare(HostileTupSub, { module: 'spec_hostile', name: 'HostileTupSub', isClass: true });
      const tuples = latin1(`\x80\x02cspec_hostile\nHostileTupSub\nq\x00${zeros(n)}q\x01` + 'h\x00h\x01\x85\x810'.repeat(20_000) + 'N.');
      expect(rejects(tuples).message).to.include('tuple.__new__() would allocate more');
      // The same list copied a few times is fine.
      const few = loads(latin1(`\x80\x02cbuiltins\nset\nq\x00${zeros(3)}q\x01` + 'h\x00h\x01\x85R'.repeat(3) + '\x87.'));
      expect(few).to.deep.equal(Object.freeze([new Set([0]), new Set([0]), new Set([0])]));
    });

    it('applying one memoized state again and again (BUILD × N) stops at the allowance', () => {
      // A 3,000-key state applied 30,000 times: 90 million property writes from a 115 KB pickle.
      const keys = Array.from({ length: 3000 }, (_, i) => `\x8c${String.fromCharCode(`k${i}`.length)}k${i}N`).join('');
      for (const target of ['}', ']']) {
        const data = latin1(`\x80\x04${target}}\x94(${keys}u0` + 'h\x00b'.repeat(30_000) + '.');
        expect(rejects(data).message, target).to.include('BUILD would set more state than a pickle of');
      }
      // A state applied a few times is fine.
      expect(loads(latin1(`\x80\x04}}\x94(${keys.slice(0, 30)}u0` + 'h\x00b'.repeat(3) + '.'))).to.be.an('object');
      // So is one state shared by thousands of objects, as CPython pickles a shared __getstate__
      // result: 6,000 objects of 100 keys from 25 KB.
      const hundred = Array.from({ length: 100 }, (_, i) => `\x8c${String.fromCharCode(`k${i}`.length)}k${i}K\x01`).join('');
      const shared = latin1(`\x80\x04](}}\x94(${hundred}ub` + '}h\x00b'.repeat(5999) + 'e.');
      const objects = loads(shared) as Record<string, number>[];
      expect(objects).to.have.length(6000);
      expect(objects[5999]!.k99).to.equal(1);
    });

    it('arguments JS would convert to a string are refused, not joined (a million references to a long string)', () => {
      // L = [S] * 100,000 where S is 64 KB: String(L) would be a 6.5 GB string.
      const big = `\x80\x02X\x00\x00\x01\x00${'x'.repeat(65536)}q\x00(` + 'h\x00'.repeat(100_000) + 'lq\x01';
      for (const global of ['copyreg_js\nString', 'copyreg_js\nDate', 'copyreg_js\nRegExp', 'copyreg_js\nSymbol.for', 'copyreg_js\nNumber', 'copyreg_js\nBigInt']) {
        const e = rejects(latin1(`${big}c${global}\nh\x01\x85R.`));
        expect(e.message, global).to.match(/must be a (string|number|bigint)/);
      }
      // An exception keeps an object argument in `args` instead of making it its message.
      const err = loads(latin1(`${big}cbuiltins\nValueError\nh\x01\x85R.`)) as Error & { args: unknown[] };
      expect(err).to.be.instanceOf(Error);
      expect(err.message).to.equal('');
      expect(err.args[0]).to.have.length(100_000);
      // A class extending Date is allocated with the base's arguments: objects are refused.
      const when = rejects(latin1(`${big}\x80\x02cspec_hostile\nWhen\nh\x01\x85\x81.`));
      expect(when.message).to.include('Date arguments must be primitives or ArrayBuffers, not Array');
    });

    it('builtins.list and builtins.object behave as in Python, not as JS Array(n) and Object(x)', () => {
      expect(rejects(call('builtins\nlist', 'J\xff\xff\xff\x7f\x85')).message).to.include("'number' object is not iterable");
      expect(rejects(call('builtins\nobject', 'K\x05\x85')).message).to.include('object() takes no arguments');
      expect(loads(call('builtins\nlist', 'K\x01K\x02\x86\x85'))).to.deep.equal([1, 2]);
      expect(loads(call('builtins\nlist', ')'))).to.deep.equal([]);
      expect(loads(call('builtins\nobject', ')'))).to.deep.equal({});
    });

    it("a class extending Array ignores __new__'s arguments, as list.__new__ does (no 2^32-1 holes)", () => {
      const stack = loads(latin1('\x80\x02cspec_hostile\nStack\nJ\xff\xff\xff\x7f\x85\x81K\x01a.')) as unknown[];
      expect(stack).to.be.instanceOf(HostileStack);
      expect([...stack]).to.deep.equal([1]);
    });
  });

  describe('long literals, in time and memory linear in their length', () => {
    it('a FLOAT of 512 KB of digits that then fails is refused at once (a backtracking pattern took minutes)', () => {
      const digits = '1'.repeat(512 * 1024);
      expect(rejects(latin1(`F${digits}x\n.`)).message).to.include('could not convert string to float');
      expect(rejects(latin1(`F${digits}.${digits}.\n.`)).message).to.include('could not convert string to float');
      expect(loads(latin1(`F${'1'.repeat(300)}.5e-290\n.`))).to.equal(Number(`${'1'.repeat(300)}.5e-290`));
    });

    it('an INT or LONG of ten million hex digits loads (a pattern overflowed the stack)', () => {
      const hex = 'f'.repeat(10_000_000);
      expect(loads(latin1(`I0x${hex}\n.`))).to.equal((1n << 40_000_000n) - 1n);
      expect(loads(latin1(`L-0x${hex}L\n.`))).to.equal(-((1n << 40_000_000n) - 1n));
    });

    it('a LONG4 of 8 MB loads as its bigint (its hex text was grown two characters at a time)', () => {
      const n = 8 * 1024 * 1024;
      const data = new Uint8Array(n + 8);
      data.set([0x80, 2, 0x8b, 0, 0, 0x80, 0]);
      data.fill(0x55, 7, 7 + n);
      data[7 + n] = 0x2e;
      expect(loads(data)).to.equal(BigInt('0x' + '55'.repeat(n)));
    });
  });

  describe('the memo', () => {
    it('LONG_BINPUT at index 2^31 and 2^32-1 costs nothing and GET finds the values', () => {
      const data = bytesOf('N', [0x72, 0, 0, 0, 0x80], '\x88', [0x72, 0xff, 0xff, 0xff, 0xff], '0', [0x6a, 0, 0, 0, 0x80], [0x6a, 0xff, 0xff, 0xff, 0xff], '\x87.');
      expect(loads(data)).to.deep.equal([null, null, true]);
    });

    it('MEMOIZE after a sparse index uses the number of entries, as CPython does', () => {
      // PUT 1000 then MEMOIZE: len(memo) == 1, so the second value is at index 1.
      const data = latin1('\x80\x04K\x07r\xe8\x03\x00\x00K\x08\x94h\x01j\xe8\x03\x00\x00\x86.');
      expect(loads(data)).to.deep.equal([8, 7]);
    });

    it('a missing memo index is an UnpicklingError naming it', () => {
      for (const [data, idx] of [
        ['h\x05.', 5],
        ['j\x05\x00\x00\x00.', 5],
        ['g5\n.', 5],
        ['Nq\x00h\x01.', 1],
        ['\x80\x04N\x94h\x01.', 1],
        ['j\xff\xff\xff\xff.', 4294967295],
      ] as [string, number][]) {
        expect(rejects(latin1(data)).message).to.equal(`Memo value not found at index ${idx}`);
      }
    });
  });

  describe('1,000,000 levels of nesting, built as pickle bytes', () => {
    const N = 1_000_000;

    /** Walks `next` from `x` and returns how many levels there were. */
    function depth(x: unknown, next: (x: any) => unknown): number {
      let n = 0;
      for (let cur: unknown = x; cur !== undefined && cur !== null; cur = next(cur)) n++;
      return n;
    }

    it('nested lists (EMPTY_LIST × N, APPEND × N-1)', () => {
      const data = new Uint8Array(2 + N + (N - 1) + 1);
      data.set([0x80, 2]);
      data.fill(0x5d, 2, 2 + N);
      data.fill(0x61, 2 + N, 2 + N + N - 1);
      data[data.length - 1] = 0x2e;
      expect(depth(loads(data), (l: unknown[]) => l[0])).to.equal(N);
    });

    it('nested dicts with a memoized key (EMPTY_DICT key × N, SETITEM × N-1)', () => {
      const head = latin1('\x80\x04\x8c\x01k\x940');
      const data = new Uint8Array(head.length + 3 * (N - 1) + 1 + (N - 1) + 1);
      data.set(head);
      let at = head.length;
      for (let i = 0; i < N - 1; i++) data.set([0x7d, 0x68, 0x00], (at += 3) - 3);
      data[at++] = 0x7d;
      data.fill(0x73, at, at + N - 1);
      data[at + N - 1] = 0x2e;
      const got = loads(data) as Record<string, unknown>;
      expect(Object.getPrototypeOf(got)).to.equal(Object.prototype);
      expect(depth(got, (d: Record<string, unknown>) => d.k)).to.equal(N);
    });

    it('nested dicts with int keys, which become Maps (EMPTY_DICT MEMOIZE 1 × N, SETITEM × N-1)', () => {
      const data = new Uint8Array(2 + 4 * (N - 1) + 2 + (N - 1) + 1);
      data.set([0x80, 4]);
      let at = 2;
      for (let i = 0; i < N - 1; i++) data.set([0x7d, 0x94, 0x4b, 0x01], (at += 4) - 4);
      data.set([0x7d, 0x94], at);
      at += 2;
      data.fill(0x73, at, at + N - 1);
      data[at + N - 1] = 0x2e;
      const got = loads(data);
      expect(got).to.be.instanceOf(Map);
      // The innermost dict has no keys: it stays a plain object.
      expect(depth(got, (m: unknown) => (m instanceof Map ? m.get(1) : undefined))).to.equal(N);
    });

    it('nested class instances (NEWOBJ + BUILD)', () => {
      const head = latin1('\x80\x02cspec_hostile\nNode\nq\x00X\x05\x00\x00\x00childq\x010');
      const level = [0x68, 0x00, 0x29, 0x81, 0x7d, 0x68, 0x01];
      const data = new Uint8Array(head.length + level.length * (N - 1) + 4 + 2 * (N - 1) + 1);
      data.set(head);
      let at = head.length;
      for (let i = 0; i < N - 1; i++, at += level.length) data.set(level, at);
      data.set([0x68, 0x00, 0x29, 0x81], at);
      at += 4;
      for (let i = 0; i < N - 1; i++, at += 2) data.set([0x73, 0x62], at);
      data[at] = 0x2e;
      const got = loads(data);
      expect(got).to.be.instanceOf(HostileNode);
      expect(depth(got, (n: HostileNode) => n.child)).to.equal(N);
    });
  });

  describe('prototype pollution: __proto__, constructor and prototype stay own data properties', () => {
    const KEYS = ['__proto__', 'constructor', 'prototype'];

    /** A plain object with the three keys as own properties holding `{ polluted: … }`. */
    function hostileObject(keys = KEYS): Record<string, unknown> {
      const o: Record<string, unknown> = {};
      for (const k of keys) {
        Object.defineProperty(o, k, { value: { polluted: k }, writable: true, enumerable: true, configurable: true });
      }
      return o;
    }

    function expectOwnData(x: object, keys = KEYS): void {
      for (const k of keys) {
        const desc = Object.getOwnPropertyDescriptor(x, k);
        expect(desc, k).to.not.equal(undefined);
        expect(desc!.value, k).to.deep.equal({ polluted: k });
        expect(desc!.enumerable, k).to.equal(true);
      }
    }

    afterEach(() => {
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.prototype).to.not.have.property('polluted');
      expect(Object.getOwnPropertyNames(Object.prototype)).to.not.include('polluted');
    });

    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      it(`dict via SETITEMS (three keys) at protocol ${protocol}`, () => {
        const got = loads(dumps(hostileObject(), { protocol })) as object;
        expect(Object.getPrototypeOf(got)).to.equal(Object.prototype);
        expectOwnData(got);
      });

      for (const key of KEYS) {
        it(`dict via SETITEM (only ${key}) at protocol ${protocol}`, () => {
          const got = loads(dumps(hostileObject([key]), { protocol })) as object;
          expect(Object.getPrototypeOf(got)).to.equal(Object.prototype);
          expectOwnData(got, [key]);
        });
      }

      it(`BUILD state of a class instance at protocol ${protocol}`, () => {
        const bag = Object.assign(new HostileBag(), { ok: 1 });
        for (const k of KEYS) {
          Object.defineProperty(bag, k, { value: { polluted: k }, writable: true, enumerable: true, configurable: true });
        }
        const got = loads(dumps(bag, { protocol })) as object;
        expect(Object.getPrototypeOf(got)).to.equal(HostileBag.prototype);
        expectOwnData(got);
      });

      it(`null-prototype object (OrderedDict) and Map at protocol ${protocol}`, () => {
        const od = Object.create(null) as Record<string, unknown>;
        for (const k of KEYS) od[k] = { polluted: k };
        const got = loads(dumps(od, { protocol })) as object;
        expect(Object.getPrototypeOf(got)).to.equal(null);
        expectOwnData(got);
        const map = loads(dumps(new Map(KEYS.map((k) => [k, { polluted: k }])), { protocol })) as Map<string, unknown>;
        expect([...map.keys()]).to.deep.equal(KEYS);
      });
    }

    /** `V<k>\n` then `{'polluted': k}` built with MARK DICT SETITEM: one key and its value. */
    const pair = (k: string): string => `V${k}\n(dVpolluted\nV${k}\ns`;

    /** The same with EMPTY_DICT: from protocol 2, MARK … DICT is a Map (only copyreg writes it). */
    const pair2 = (k: string): string => `V${k}\n}Vpolluted\nV${k}\ns`;

    it('dict via the DICT opcode (MARK k v … DICT) without a PROTO header', () => {
      const got = loads(latin1(`(${KEYS.map(pair).join('')}d.`)) as object;
      expect(Object.getPrototypeOf(got)).to.equal(Object.prototype);
      expectOwnData(got);
    });

    it('MARK k v … DICT after PROTO 2 or 5 is a Map holding the keys as keys', () => {
      for (const head of ['\x80\x02', '\x80\x05']) {
        const got = loads(latin1(`${head}(${KEYS.map(pair2).join('')}d.`)) as Map<string, unknown>;
        expect(got).to.be.instanceOf(Map);
        expect([...got.keys()]).to.deep.equal(KEYS);
        for (const k of KEYS) expect(got.get(k)).to.deep.equal({ polluted: k });
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      }
    });

    it('BUILD with (state, slotstate) whose slot part has the keys', () => {
      const slot = KEYS.map((k) => `X${String.fromCharCode(k.length)}\x00\x00\x00${k}}X\x08\x00\x00\x00pollutedX${String.fromCharCode(k.length)}\x00\x00\x00${k}s`).join('');
      const got = loads(latin1(`\x80\x02cspec_hostile\nBag\n)\x81N}(${slot}u\x86b.`)) as object;
      expect(Object.getPrototypeOf(got)).to.equal(HostileBag.prototype);
      expectOwnData(got);
    });

    it('SETITEMS on a class instance (a dictitems reduction) with the keys', () => {
      const got = loads(latin1(`\x80\x02cspec_hostile\nBag\n)\x81(${KEYS.map(pair2).join('')}u.`)) as object;
      expect(Object.getPrototypeOf(got)).to.equal(HostileBag.prototype);
      expectOwnData(got);
    });

    it('keyword arguments (NEWOBJ_EX) named __proto__ reach __new__ as own data', () => {
      const got = loads(
        latin1('\x80\x04\x8c\x08__main__\x8c\x06KwOnly\x93)}(\x8c\x09__proto__}\x8c\x08polluted\x8c\x01as\x8c\x01aK\x05u\x92.'),
      ) as { a?: number };
      expect(got.a).to.equal(5);
    });
  });

  describe('state and hooks', () => {
    it('BUILD on a class or a function is an UnpicklingError', () => {
      for (const target of ['spec_hostile\nBag', '__main__\nhostileSpecSpy', 'collections\nOrderedDict', 'copyreg\n_reconstructor']) {
        for (const state of ['}', 'N', 'K\x01']) {
          rejects(latin1(`c${target}\n${state}b.`));
        }
      }
    });

    it('an error thrown by a user __setstate__ comes out as UnpicklingError with the original as cause', () => {
      const e = rejects(latin1('\x80\x02cspec_hostile\nFragile\n)\x81}b.'));
      expect(e.cause).to.be.instanceOf(RangeError);
      expect((e.cause as Error).message).to.equal('boom in __setstate__');
      expect(e.message).to.include('boom in __setstate__');
    });

    it('errors thrown by a user constructor or append come out the same way', () => {
      const ctor = rejects(latin1('cspec_hostile\nGrumpy\n(Vrefuse\ntR.'));
      expect(ctor.cause).to.be.instanceOf(TypeError);
      const append = rejects(latin1('\x80\x02cspec_hostile\nGrumpy\n)\x81K\x01a.'));
      expect((append.cause as Error).message).to.equal('no appending');
    });

    it('placeholders never call: state, items and calls on a PyGlobal stay inert data', () => {
      spyCalls.length = 0;
      const got = loads(latin1('cos\nsystem\n(Vx\ntR(Vy\nVz\nu]K\x01ab.'), { placeholders: true }) as PyObject;
      expect(got).to.be.instanceOf(PyObject);
      expect(got.dictItems).to.deep.equal([['y', 'z']]);
      expect(got.state).to.deep.equal([1]);
      const called = loads(latin1('cos\nsystem\n(Vx\ntR(Vy\ntR.'), { placeholders: true }) as PyObject;
      expect(called.cls).to.be.instanceOf(PyObject);
      expect(spyCalls).to.deep.equal([]);
    });
  });
});
