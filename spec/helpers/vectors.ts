/**
 * The CPython pickle fixtures and the JS side of each golden vector: the classes of CPython's
 * generator (`__main__.Point` & co., registered here once for the whole suite), the JS value each
 * vector stands for, the vectors that cannot be produced in the dumps direction (with the reason),
 * byte helpers, and a graph comparison shared by the golden and round-trip specs.
 */
import { expect } from 'chai';

import { PickleBuffer, PyGlobal, PyObject, reducible } from '../../lib/index';
import { OPCODE_BY_BYTE } from '../../lib/opcodes';
import { nativeGlobal } from '../../lib/typemap';

// --- Fixtures ---

/** One row of spec/fixtures/cpython-pickle-vectors.json. */
export interface Vector {
  readonly name: string;
  readonly python_expr: string;
  readonly protocol: number;
  /** Lowercase hex of `pickle.dumps(x, protocol)`, or null when CPython refuses to pickle it. */
  readonly hex: string | null;
  readonly loads_repr: string;
  readonly setup?: string;
  readonly dumps_kwargs?: Readonly<Record<string, unknown>>;
  readonly buffers_hex?: readonly string[];
  readonly pickler?: string;
  readonly dumps_exception?: string;
}

/** One row of spec/fixtures/cpython-bad-pickles.json. */
export interface BadPickle {
  readonly name: string;
  readonly hex: string;
  /** What CPython's C unpickler raises; null when it accepts the input. */
  readonly python_exception: string | null;
  readonly python_exception_message?: string;
  readonly result_repr?: string;
  readonly source: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VECTORS: readonly Vector[] = require('../fixtures/cpython-pickle-vectors.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const BAD_PICKLES: readonly BadPickle[] = require('../fixtures/cpython-bad-pickles.json');

/** Bytes from lowercase hex. */
export function unhex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes from a string of latin-1 characters (handy for writing opcodes by hand). */
export function latin1(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

/** Concatenates byte strings (latin-1 text or byte arrays). */
export function bytesOf(...parts: (string | Uint8Array | readonly number[])[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? latin1(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** One opcode of a pickle: its name, where it starts and ends, and its numeric argument if any. */
export interface Op {
  readonly name: string;
  readonly pos: number;
  readonly end: number;
  /** The argument of fixed-size int opcodes, the length of counted ones, the text of line ones. */
  readonly arg?: number | string;
}

/** The opcodes of a pickle up to and including STOP (a plain walk: frames are not entered). */
export function ops(data: Uint8Array): Op[] {
  const out: Op[] = [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  const line = (at: number): number => {
    const nl = data.indexOf(0x0a, at);
    if (nl < 0) throw new Error(`no newline after ${at}`);
    return nl + 1;
  };
  for (;;) {
    const info = OPCODE_BY_BYTE[data[pos]!];
    if (info === undefined) throw new Error(`unknown opcode ${data[pos]} at ${pos}`);
    const at = pos + 1;
    let end = at;
    let arg: number | string | undefined;
    switch (info.arg) {
      case 'none':
        break;
      case 'uint1':
        arg = data[at]!;
        end = at + 1;
        break;
      case 'uint2':
        arg = dv.getUint16(at, true);
        end = at + 2;
        break;
      case 'int4':
        arg = dv.getInt32(at, true);
        end = at + 4;
        break;
      case 'uint4':
        arg = dv.getUint32(at, true);
        end = at + 4;
        break;
      case 'uint8':
        arg = Number(dv.getBigUint64(at, true));
        end = at + 8;
        break;
      case 'float8':
        end = at + 8;
        break;
      case 'stringnl_noescape_pair':
        end = line(line(at));
        arg = Buffer.from(data.subarray(at, end - 1)).toString('latin1');
        break;
      case 'string1':
      case 'bytes1':
      case 'unicodestring1':
      case 'long1':
        arg = data[at]!;
        end = at + 1 + arg;
        break;
      case 'string4':
      case 'bytes4':
      case 'unicodestring4':
      case 'long4':
        arg = dv.getUint32(at, true);
        end = at + 4 + arg;
        break;
      case 'bytes8':
      case 'unicodestring8':
      case 'bytearray8':
        arg = Number(dv.getBigUint64(at, true));
        end = at + 8 + arg;
        break;
      default:
        end = line(at);
        arg = Buffer.from(data.subarray(at, end - 1)).toString('latin1');
    }
    out.push({ name: info.name, pos, end, arg });
    if (info.name === 'STOP') return out;
    pos = end;
  }
}

/** The opcode names of a pickle, in order. */
export function opNames(data: Uint8Array): string[] {
  return ops(data).map((o) => o.name);
}

/** How many times each opcode occurs. */
export function opCounts(data: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of ops(data)) counts[o.name] = (counts[o.name] ?? 0) + 1;
  return counts;
}

/** The pickle with every FRAME opcode (and its 8-byte length) removed. */
export function stripFrames(data: Uint8Array): Uint8Array {
  const frames = ops(data).filter((o) => o.name === 'FRAME');
  const out: number[] = [];
  let from = 0;
  for (const f of frames) {
    for (let i = from; i < f.pos; i++) out.push(data[i]!);
    from = f.end;
  }
  for (let i = from; i < data.length; i++) out.push(data[i]!);
  return Uint8Array.from(out);
}

// --- CPython's generator classes (gen_pickle_vectors.py defines them in __main__) ---

/** `Point(x, y)` sets `self.x`, `self.y`: state is the instance dict. */
@reducible({ module: '__main__', name: 'Point' })
export class Point {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
}

/** `__getstate__` returns `('state', v)`; `__setstate__` reads it back. */
@reducible({ module: '__main__', name: 'WithState' })
export class WithState {
  v: number;
  constructor(v: number) {
    this.v = v;
  }
  __getstate__(): unknown {
    return Object.freeze(['state', this.v]);
  }
  __setstate__(state: readonly [string, number]): void {
    this.v = state[1];
  }
}

/** `__slots__ = ('a', 'b')`: state `(None, {'a': a, 'b': b})`, slots assigned on load. */
@reducible({ module: '__main__', name: 'Slotted' })
export class Slotted {
  a: number;
  b: number;
  constructor(a: number, b: number) {
    this.a = a;
    this.b = b;
  }
  __getstate__(): unknown {
    return Object.freeze([null, { a: this.a, b: this.b }]);
  }
}

/** A keyword-only `__new__(cls, *, a)` with `__getnewargs_ex__`; no instance state. */
@reducible({ module: '__main__', name: 'KwOnly' })
export class KwOnly {
  declare a?: number;
  /** `cls.__new__(cls, **kwargs)`: JS passes the keyword arguments as one trailing object. */
  static __new__(cls: typeof KwOnly, kwargs?: { a?: number }): KwOnly {
    const o = Object.create(cls.prototype) as KwOnly;
    if (kwargs !== undefined) o.a = kwargs.a;
    return o;
  }
  static of(a: number): KwOnly {
    return KwOnly.__new__(KwOnly, { a });
  }
  __getstate__(): null {
    return null;
  }
  __getnewargs_ex__(): [unknown[], Record<string, unknown>] {
    return [[], { a: this.a }];
  }
}

/** `PersRef(pid)`: written as a persistent id by `PersPickler`; never pickled by value. */
export class PersRef {
  constructor(readonly pid: string) {}
}

/** The Pickler option CPython's `PersPickler.persistent_id` stands for. */
export function persistentId(obj: unknown): unknown {
  return obj instanceof PersRef ? obj.pid : undefined;
}

// --- The JS value of each vector ---

const G = (module: string, name: string): PyGlobal => new PyGlobal(module, name);
const tuple = <T>(...items: T[]): readonly T[] => Object.freeze(items);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const filled = (n: number, b: number): Uint8Array => new Uint8Array(n).fill(b);

/** `(lambda t: (t[0].append(t), t)[1])(([], *rest))`: a tuple reachable from a list it holds. */
function recursiveTuple(...rest: number[]): readonly unknown[] {
  const list: unknown[] = [];
  const t = Object.freeze([list, ...rest]);
  list.push(t);
  return t;
}

/** How one vector maps to JS. */
export interface GoldenEntry {
  /** The JS value whose `dumps` must equal CPython's bytes. */
  readonly value: () => unknown;
  /** What `loads` of CPython's bytes gives, when it is not `value()` (e.g. Python-only types). */
  readonly loaded?: (protocol: number) => unknown;
  /**
   * The Python-only global the pickle names: `loads` refuses it (UnpicklingError naming it) unless
   * `placeholders: true`, which gives `loaded`/`value` as PyGlobal/PyObject.
   */
  readonly forbidden?: string;
  /** Identity facts about the loaded value that a structural comparison cannot state alone. */
  readonly identity?: (x: any) => void;
}

/** A KwOnly as protocols 0/1 load it: `copyreg._reconstructor` drops the keyword argument. */
function kwOnlyWithoutA(): KwOnly {
  return Object.create(KwOnly.prototype) as KwOnly;
}

/** Every vector name → its JS counterpart. */
export const GOLDEN: Readonly<Record<string, GoldenEntry>> = {
  none: { value: () => null },
  true: { value: () => true },
  false: { value: () => false },
  int_0: { value: () => 0 },
  int_1: { value: () => 1 },
  int_255: { value: () => 255 },
  int_256: { value: () => 256 },
  int_65535: { value: () => 65535 },
  int_65536: { value: () => 65536 },
  int_neg1: { value: () => -1 },
  int_neg256: { value: () => -256 },
  int_2p31m1: { value: () => 2 ** 31 - 1 },
  int_neg2p31: { value: () => -(2 ** 31) },
  int_2p31: { value: () => 2 ** 31 },
  int_neg2p31m1: { value: () => -(2 ** 31) - 1 },
  int_2p63: { value: () => 2n ** 63n },
  int_2p64: { value: () => 2n ** 64n },
  int_neg2p100: { value: () => -(2n ** 100n) },
  int_neg2p63: { value: () => -(2n ** 63n) },
  int_2p2048: { value: () => 2n ** 2048n },
  float_1_5: { value: () => 1.5 },
  float_neg0: { value: () => -0 },
  float_nan: { value: () => NaN },
  float_inf: { value: () => Infinity },
  float_neginf: { value: () => -Infinity },
  float_1e16: { value: () => 1e16 },
  float_0_1: { value: () => 0.1 },
  complex_1_2j: {
    value: () => new PyObject(G('builtins', 'complex'), tuple(1.0, 2.0)),
    forbidden: 'builtins.complex',
  },
  ellipsis: { value: () => G('builtins', 'Ellipsis'), forbidden: 'builtins.Ellipsis' },
  notimplemented: { value: () => G('builtins', 'NotImplemented'), forbidden: 'builtins.NotImplemented' },
  type_nonetype: { value: () => new PyObject(G('builtins', 'type'), tuple(null)), forbidden: 'builtins.type' },
  type_int: { value: () => G('builtins', 'int'), forbidden: 'builtins.int' },
  builtin_len: { value: () => G('builtins', 'len'), forbidden: 'builtins.len' },
  str_empty: { value: () => '' },
  str_abc: { value: () => 'abc' },
  str_300: { value: () => 'a'.repeat(300) },
  str_255: { value: () => 'b'.repeat(255) },
  str_nonascii_astral: { value: () => 'h\xe9llo \u20ac \u{1f600}' },
  str_escapes: { value: () => 'a\\b\nc\rd\x00e\x1af' },
  str_lone_surrogate: { value: () => '\ud800' },
  bytes_empty: { value: () => new Uint8Array(0) },
  bytes_xyz: { value: () => bytes(0x78, 0x79, 0x7a) },
  bytes_high: { value: () => bytes(0, 0x80, 0xff) },
  bytes_256: { value: () => Uint8Array.from(range(256)) },
  bytearray_empty: { value: () => new ArrayBuffer(0) },
  bytearray_abc: { value: () => bytes(0x61, 0x62, 0x63).buffer },
  list_empty: { value: () => [] },
  list_1: { value: () => [1] },
  list_1_2: { value: () => [1, 2] },
  list_nested: { value: () => [[1], [2, [3]]] },
  list_2500: { value: () => range(2500) },
  list_1001: { value: () => range(1001) },
  list_same_str_twice: { value: () => ['abc', 'abc'] },
  list_equal_distinct_str: { value: () => ['12', '12'] },
  list_same_float_twice: { value: () => [1.5, 1.5] },
  list_selfref: {
    value: () => {
      const l: unknown[] = [];
      l.push(l);
      return l;
    },
    identity: (x) => expect(x[0]).to.equal(x),
  },
  list_shared_sub: {
    value: () => {
      const s = [1, 2];
      return [s, s];
    },
    identity: (x) => expect(x[0]).to.equal(x[1]),
  },
  list_two_points: {
    value: () => [new Point(1, 2), new Point(3, 4)],
    identity: (x) => expect(x[0]).to.not.equal(x[1]),
  },
  list_two_dicts_same_key: { value: () => [{ a: 1 }, { a: 2 }] },
  tuple_empty: { value: () => tuple() },
  tuple_1: { value: () => tuple(1) },
  tuple_2: { value: () => tuple(1, 2) },
  tuple_3: { value: () => tuple(1, 2, 3) },
  tuple_4: { value: () => tuple(1, 2, 3, 4) },
  tuple_nested_empty: { value: () => tuple(tuple()) },
  tuple_recursive: {
    value: () => recursiveTuple(),
    identity: (x) => expect(x[0][0]).to.equal(x),
  },
  tuple_recursive_4: {
    value: () => recursiveTuple(1, 2, 3),
    identity: (x) => expect(x[0][0]).to.equal(x),
  },
  dict_empty: { value: () => ({}) },
  dict_a1: { value: () => ({ a: 1 }) },
  dict_2: { value: () => ({ a: 1, b: [1, 2] }) },
  dict_int_keys: { value: () => new Map<unknown, unknown>([[1, null], [2, tuple(3)]]) },
  dict_1001: { value: () => new Map(range(1001).map((i) => [i, i])) },
  set_empty: { value: () => new Set() },
  set_1_2: { value: () => new Set([1, 2]) },
  frozenset_empty: { value: () => Object.freeze(new Set()) },
  frozenset_1_2: { value: () => Object.freeze(new Set([1, 2])) },
  point_instance: { value: () => new Point(1, 2) },
  slotted_instance: { value: () => new Slotted(1, 2) },
  withstate_instance: { value: () => new WithState(7) },
  kwonly_instance: {
    value: () => KwOnly.of(5),
    loaded: (protocol) => (protocol < 2 ? kwOnlyWithoutA() : KwOnly.of(5)),
  },
  ordereddict: { value: () => Object.assign(Object.create(null), { a: 1, b: 2 }) },
  datetime_datetime: {
    value: () => new PyObject(G('datetime', 'datetime'), [bytes(7, 0xe8, 1, 2, 3, 4, 5, 0x0a, 0x5b, 0xf5)]),
    // Note: naive, and milliseconds only: 678901 µs loads as 678 ms, the time read as UTC.
    loaded: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
  },
  datetime_date: {
    value: () => new PyObject(G('datetime', 'date'), [bytes(7, 0xe8, 1, 2)]),
    loaded: () => new Date(Date.UTC(2024, 0, 2)),
  },
  datetime_tz: { value: () => new Date(Date.UTC(2024, 0, 2)) },
  range_5: { value: () => new PyObject(G('builtins', 'range'), tuple(1, 5, 1)), forbidden: 'builtins.range' },
  bytes_70000: { value: () => filled(70000, 0x78) },
  str_70000: { value: () => 'y'.repeat(70000) },
  bytearray_70000: { value: () => filled(70000, 0x7a).buffer },
  list_70_bytes_1000: { value: () => range(70).map((i) => filled(1000, i)) },
  list_mixed_big: { value: () => [1, filled(70000, 0x78), 'abc', filled(10, 0x79)] },
  fix_imports_false_int: { value: () => G('builtins', 'int'), forbidden: 'builtins.int' },
  fix_imports_false_bytes: { value: () => bytes(0x78, 0x79, 0x7a) },
  pb_bytes_inband: {
    value: () => new PickleBuffer(bytes(0x61, 0x62, 0x63), true),
    loaded: () => bytes(0x61, 0x62, 0x63),
  },
  pb_bytes_out_of_band: {
    value: () => new PickleBuffer(bytes(0x61, 0x62, 0x63), true),
    loaded: () => bytes(0x61, 0x62, 0x63),
  },
  pb_bytearray_inband: {
    value: () => new PickleBuffer(bytes(0x61, 0x62, 0x63), false),
    loaded: () => bytes(0x61, 0x62, 0x63).buffer,
  },
  pb_bytearray_out_of_band: {
    value: () => new PickleBuffer(bytes(0x61, 0x62, 0x63), false),
    loaded: () => bytes(0x61, 0x62, 0x63),
  },
  pb_list_out_of_band: {
    value: () => [new PickleBuffer(bytes(0x61, 0x62), true), new PickleBuffer(bytes(0x63, 0x64), false)],
    loaded: () => [bytes(0x61, 0x62), bytes(0x63, 0x64)],
  },
  persistent_id: { value: () => [new PersRef('abc'), 1] },
  ext_code_0xf0: {
    value: () => G('collections', 'OrderedDict'),
    loaded: () => nativeGlobal('collections', 'OrderedDict')!.value,
  },
  ext_code_0x1234: {
    value: () => G('collections', 'OrderedDict'),
    loaded: () => nativeGlobal('collections', 'OrderedDict')!.value,
  },
  ext_code_0x12345: {
    value: () => G('collections', 'OrderedDict'),
    loaded: () => nativeGlobal('collections', 'OrderedDict')!.value,
  },
};

/** Why a vector is not checked in the dumps direction (it is still checked in the loads direction). */
export interface DumpsExclusion {
  /** The protocols excluded; all of the vector's protocols when absent. */
  readonly protocols?: readonly number[];
  readonly reason: string;
}

/**
 * The vectors `dumps` cannot reproduce: only Python object identity or Python-only types make
 * these bytes. Every other vector is reproduced byte for byte. (Copied into the README.)
 */
export const DUMPS_EXCLUSIONS: Readonly<Record<string, DumpsExclusion>> = {
  list_equal_distinct_str: {
    reason:
      'two equal but distinct str objects are written twice; JS strings have no identity, so ' +
      "copyreg writes the second '12' as a memo GET (the bytes of list_same_str_twice)",
  },
  complex_1_2j: {
    reason:
      'complex(1.0, 2.0) carries the floats 1.0 and 2.0, which load as the JS numbers 1 and 2; ' +
      'a JS number with an integral value is written as a Python int',
  },
  datetime_datetime: {
    reason:
      'a naive datetime with microseconds: a JS Date is always written as a UTC-aware datetime ' +
      'with millisecond precision',
  },
  datetime_date: { reason: 'datetime.date has no JS counterpart; it loads as a Date at 00:00 UTC' },
  slotted_instance: {
    protocols: [0, 1],
    reason:
      "CPython refuses (TypeError: a class that defines __slots__ without defining __getstate__ " +
      'cannot be pickled), so there are no bytes to match',
  },
};

/** Whether a vector is checked in the dumps direction. */
export function dumpsExcluded(v: Vector): DumpsExclusion | undefined {
  const x = DUMPS_EXCLUSIONS[v.name];
  if (x === undefined) return undefined;
  return x.protocols === undefined || x.protocols.includes(v.protocol) ? x : undefined;
}

// --- Comparing object graphs ---

/** A short description of a value for failure messages. */
function kindName(x: unknown): string {
  if (typeof x !== 'object' || x === null) return typeof x;
  return Object.prototype.toString.call(x);
}

/** The parts of an object in a fixed order: [label, value] pairs (Map keys are parts too). */
function parts(x: object): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (x instanceof Map) {
    let i = 0;
    for (const [k, v] of x) {
      out.push([`key ${i}`, k], [`value ${i}`, v]);
      i++;
    }
  } else if (x instanceof Set) {
    let i = 0;
    for (const v of x) out.push([`item ${i++}`, v]);
  }
  if (ArrayBuffer.isView(x)) return out;
  for (const k of Reflect.ownKeys(x)) {
    if (Array.isArray(x) && k === 'length') continue;
    // Note: a stack is where an Error was made; the loaded one keeps the original's text.
    const desc = Object.getOwnPropertyDescriptor(x, k)!;
    out.push([String(k), 'value' in desc ? desc.value : desc.get]);
  }
  return out;
}

function bytesOfView(x: ArrayBuffer | ArrayBufferView): string {
  return x instanceof ArrayBuffer ? toHex(new Uint8Array(x)) : toHex(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
}

/**
 * Asserts that `actual` is the same object graph as `expected`: walking both in parallel,
 * primitives (and functions) are equal by Object.is, objects have the same prototype, kind,
 * frozenness, own keys (in order), Map/Set contents (in order), bytes, time, and regexp source;
 * and the pairing expected → actual is a bijection, so sharing and cycles match exactly.
 *
 * @param actual The value to check.
 * @param expected The reference value.
 * @param distinct When true, `actual` may not share any object with `expected` (a copy).
 */
export function expectSameGraph(actual: unknown, expected: unknown, distinct = false): void {
  const forward = new Map<object, object>();
  const backward = new Map<object, object>();
  const work: [unknown, unknown, string][] = [[expected, actual, '$']];
  while (work.length > 0) {
    const [a, b, path] = work.pop()!;
    if (typeof a !== 'object' || a === null) {
      if (!Object.is(a, b)) {
        expect.fail(`${path}: expected ${describe(a)}, got ${describe(b)}`);
      }
      continue;
    }
    if (typeof b !== 'object' || b === null) expect.fail(`${path}: expected ${kindName(a)}, got ${describe(b)}`);
    const seen = forward.get(a);
    if (seen !== undefined) {
      if (seen !== b) expect.fail(`${path}: sharing not preserved`);
      continue;
    }
    if (backward.has(b)) expect.fail(`${path}: two distinct objects became one`);
    forward.set(a, b);
    backward.set(b, a);
    if (Object.getPrototypeOf(b) !== Object.getPrototypeOf(a)) {
      expect.fail(`${path}: prototype of ${kindName(b)} differs from ${kindName(a)}'s`);
    }
    expect(kindName(b), `${path}: kind`).to.equal(kindName(a));
    expect(Object.isFrozen(b), `${path}: frozen`).to.equal(Object.isFrozen(a));
    if (a instanceof Date) expect(Object.is((b as Date).getTime(), a.getTime()), `${path}: time`).to.equal(true);
    if (a instanceof RegExp) {
      expect([(b as RegExp).source, (b as RegExp).flags], `${path}: regexp`).to.deep.equal([a.source, a.flags]);
    }
    if (a instanceof ArrayBuffer || ArrayBuffer.isView(a)) {
      expect(bytesOfView(b as ArrayBuffer), `${path}: bytes`).to.equal(bytesOfView(a));
      if (ArrayBuffer.isView(a) && !(a instanceof DataView)) {
        work.push([a.buffer, (b as ArrayBufferView).buffer, `${path}.buffer`]);
      }
    }
    if (Array.isArray(a)) expect((b as unknown[]).length, `${path}: length`).to.equal(a.length);
    const pa = parts(a);
    const pb = parts(b);
    expect(pb.map((p) => p[0]), `${path}: keys`).to.deep.equal(pa.map((p) => p[0]));
    pa.forEach(([label, v], i) => work.push([v, pb[i]![1], `${path}.${label}`]));
  }
  if (distinct) {
    for (const b of backward.keys()) {
      if (forward.has(b)) expect.fail('the result shares an object with the original');
    }
  }
}

function describe(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x);
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'symbol' || typeof x === 'function') return String(x).slice(0, 40);
  if (Object.is(x, -0)) return '-0';
  return typeof x === 'object' && x !== null ? kindName(x) : String(x);
}
