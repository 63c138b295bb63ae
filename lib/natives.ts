/**
 * The Python callables the loader implements natively for the mapped types (`builtins.set`,
 * `builtins.bytes`, `collections.OrderedDict` …), written to behave as Python's do, and the checks
 * that keep any allowed native from allocating much more than the pickle's size.
 *
 * typemap.ts registers them under their Python names.
 */
import { builtinBase, TYPED_ARRAYS } from './builtins';
import { UnpicklingError } from './errors';
import { PyGlobal, PyObject } from './pyobjects';

/**
 * Throws the loader's error.
 *
 * @param message The message.
 */
export function fail(message: string): never {
  throw new UnpicklingError(message);
}

/**
 * `x` when it has the given primitive type. Natives check their arguments with it rather than
 * let JS convert them: converting a loaded array to a primitive joins it, which a small pickle can
 * make huge (a million references to one long string).
 */
export function need<T>(x: unknown, type: 'string' | 'number' | 'boolean' | 'bigint', what: string): T {
  if (typeof x !== type) fail(`${what} must be a ${type}, not ${typeof x}`);
  return x as T;
}

/** {@link need} for an argument that may be left out. */
export function optional<T>(x: unknown, type: 'string' | 'number', what: string): T | undefined {
  return x === undefined ? undefined : need<T>(x, type, what);
}

/** The items of a Python iterable as the loader represents it (list, tuple, set, dict, str, bytes). */
export function itemsOf(x: unknown, what: string): Iterable<unknown> {
  // Note: the built-ins' own iterators, so that a subclass of the user's runs none of its code.
  if (Array.isArray(x)) return Array.prototype.values.call(x);
  if (x instanceof Set) return Set.prototype.values.call(x);
  if (x instanceof Uint8Array || typeof x === 'string') return x;
  if (x instanceof Map) return Map.prototype.keys.call(x);
  if (x !== null && typeof x === 'object' && !(x instanceof PyObject) && !(x instanceof PyGlobal)) return Object.keys(x);
  return fail(`${what}: '${typeof x}' object is not iterable`);
}

// --- Python globals needed to read the mapped types ---

/** `builtins.set()` / `set(iterable)`. */
export function pySet(items?: unknown, ...more: unknown[]): Set<unknown> {
  arity('set', more);
  return new Set(items === undefined ? [] : itemsOf(items, 'set()'));
}
/** `builtins.frozenset`: a frozen Set. */
export function pyFrozenset(items?: unknown, ...more: unknown[]): Set<unknown> {
  arity('frozenset', more);
  return Object.freeze(new Set(items === undefined ? [] : itemsOf(items, 'frozenset()')));
}
/** The [key, value] pairs of dict(x) / OrderedDict(x): a dict's entries or an iterable of pairs. */
function pairsOf(x: unknown, what: string): [unknown, unknown][] {
  if (x instanceof Map) return [...x];
  const pairs: [unknown, unknown][] = [];
  if (x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Set)) {
    for (const k of itemsOf(x, what) as string[]) pairs.push([k, (x as Record<string, unknown>)[k]]);
    return pairs;
  }
  for (const p of itemsOf(x, what)) {
    if (!Array.isArray(p) || p.length !== 2) fail(`${what}: each item must be a pair`);
    pairs.push([p[0], p[1]]);
  }
  return pairs;
}
/** `builtins.dict()` / `dict(pairs)`: a Map (keys of any type). */
export function pyDict(items?: unknown, ...more: unknown[]): Map<unknown, unknown> {
  arity('dict', more);
  return new Map(items === undefined ? [] : pairsOf(items, 'dict()'));
}
/** `collections.OrderedDict(pairs)`: a null-prototype object (keys must be primitives). */
export function pyOrderedDict(items?: unknown, ...more: unknown[]): object {
  arity('OrderedDict', more);
  const d = Object.create(null) as Record<string, unknown>;
  if (items !== undefined) {
    for (const [k, v] of pairsOf(items, 'OrderedDict()')) {
      if (typeof k === 'object' || typeof k === 'function') fail('OrderedDict() keys must be primitives here');
      d[String(k)] = v;
    }
  }
  return d;
}
/** Python's TypeError for a callable that takes one optional positional argument. */
function arity(name: string, more: readonly unknown[]): void {
  if (more.length > 0) fail(`${name} expected at most 1 argument, got ${1 + more.length}`);
}

/** `builtins.list`: Python's `list()` / `list(iterable)`, where JS's `Array(n)` would make n holes. */
export function pyList(...args: unknown[]): unknown[] {
  if (args.length > 1) fail(`list expected at most 1 argument, got ${args.length}`);
  return args.length === 0 ? [] : Array.from(itemsOf(args[0], 'list()'));
}
/** `builtins.object`: Python's `object()`, which takes no arguments. */
export function pyObject(...args: unknown[]): object {
  if (args.length > 0) fail('object() takes no arguments');
  return {};
}
function toBytes(x: unknown, encoding?: unknown): Uint8Array {
  if (x === undefined) return new Uint8Array(0);
  if (typeof x === 'number' && !(Number.isSafeInteger(x) && x >= 0)) fail('negative count');
  // Python 2.7 writes bytearray(u'…', 'latin-1').
  if (typeof x === 'string' && encoding !== undefined) return pyEncode(x, encoding);
  if (x instanceof Uint8Array) return x.slice();
  if (x instanceof ArrayBuffer) return new Uint8Array(x.slice(0));
  if (Array.isArray(x)) {
    return Uint8Array.from(x, (v) => (typeof v === 'number' && v >= 0 && v < 256 && Number.isInteger(v) ? v : fail('bytes must be in range(0, 256)')));
  }
  if (typeof x === 'number') return new Uint8Array(x);
  return fail(`cannot make bytes from ${typeof x}`);
}
/** `builtins.bytes()`, `bytes(n)`, `bytes(list)`, `bytes(str, encoding)`: a Uint8Array. */
export function pyBytes(x?: unknown, encoding?: unknown): Uint8Array {
  return toBytes(x, encoding);
}
/** `builtins.bytearray(...)`: an ArrayBuffer (the mapped type of bytearray). */
export function pyBytearray(x?: unknown, encoding?: unknown): ArrayBuffer {
  const b = toBytes(x, encoding);
  return b.buffer.byteLength === b.length ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer);
}
/** `_codecs.encode(text, 'latin-1')`, as Python 2-era pickles of bytes use it; other encodings are refused. */
export function pyEncode(text: unknown, encoding: unknown, errors?: unknown, ...more: unknown[]): Uint8Array {
  if (more.length > 0) fail(`encode expected at most 3 arguments, got ${3 + more.length}`);
  if (typeof encoding !== 'string') fail('_codecs.encode: the encoding must be a str');
  if (errors !== undefined && errors !== 'strict') fail("_codecs.encode: only errors='strict' is allowed");
  const enc = encoding.toLowerCase().replace(/[-_]/g, '');
  if (typeof text !== 'string' || (enc !== 'latin1' && enc !== 'iso88591')) {
    fail(`_codecs.encode is only allowed for latin-1 text, not ${String(encoding)}`);
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) fail(`_codecs.encode: character U+${c.toString(16)} is not latin-1`);
    out[i] = c;
  }
  return out;
}

/** Natives whose first argument, when a number, is a count to allocate; the bytes per unit. */
const SIZED = new Map<unknown, number>([
  [pyBytes, 1],
  [pyBytearray, 1],
]);

/**
 * Registers a native whose first argument, when a number, is a count of `unit` bytes to allocate.
 *
 * @param fn The native.
 * @param unit Bytes per count.
 */
export function allocatesPerUnit(fn: unknown, unit: number): void {
  SIZED.set(fn, unit);
}

/** How the loader calls natives whose JS function does not behave as the Python callable. */
const CALL_AS = new Map<unknown, Function>([
  [Array, pyList],
  [Object, pyObject],
]);
/** Natives that copy the iterable they are given. */
const COPYING = new Set<unknown>([pyList, pySet, pyFrozenset, pyDict, pyOrderedDict, pyEncode]);

/**
 * Registers a native that copies the iterable it is given as first argument.
 *
 * @param fn The native.
 */
export function copiesItems(fn: unknown): void {
  COPYING.add(fn);
}
/**
 * How the loader calls an allow-listed native: the function to call instead of `fn` (JS's `Array`
 * and `Object` do not behave as Python's `list` and `object`), or `fn` itself.
 *
 * @param fn The callable a global resolved to.
 * @returns The callable to use.
 */
export function callableFor(fn: Function): Function {
  return CALL_AS.get(fn) ?? fn;
}

/**
 * Roughly how many bytes or items calling an allow-listed native with `args` allocates, so the
 * loader can keep the total for one pickle proportional to the pickle's size: a numeric size
 * argument (`bytes(n)`, `Float64Array(n)`), or the size of the iterable the native copies.
 *
 * @param fn The callable.
 * @param args Its arguments.
 * @returns The cost; 0 for callables that are not natives.
 */
export function nativeCost(fn: unknown, args: readonly unknown[]): number {
  const x = args[0];
  const unit = SIZED.get(fn);
  if (typeof x === 'number') {
    if (unit !== undefined) return Math.max(0, x) * unit;
    if (typeof fn !== 'function') return 0;
    // A class extending a typed array or ArrayBuffer, allocated with a length.
    const base = builtinBase(fn) as { BYTES_PER_ELEMENT?: number };
    if ((TYPED_ARRAYS as readonly unknown[]).includes(base)) return Math.max(0, x) * base.BYTES_PER_ELEMENT!;
    return base === ArrayBuffer ? Math.max(0, x) : 0;
  }
  if (unit === undefined && !COPYING.has(fn)) return 0;
  // A view over a buffer (buffer, offset, length) shares it: nothing is copied.
  if (x instanceof ArrayBuffer && args.length > 1) return 0;
  return copySize(x);
}

/**
 * What `cls.__new__(cls)` gives for a native Python type (`set.__new__(set)` is an empty set),
 * or undefined when `fn` is not one.
 *
 * @param fn The callable a global resolved to.
 * @returns A new empty value of that type, or undefined.
 */
export function newEmpty(fn: unknown): unknown {
  if (fn === pySet || fn === pyFrozenset || fn === pyBytes || fn === pyBytearray) return (fn as () => unknown)();
  if (fn === pyDict) return {};
  return undefined;
}


/**
 * How many items copying `x` as an iterable or a dict makes (string length, list length, set or
 * Map size, a plain object's keys), for the loader's allowance.
 *
 * @param x The value to be copied.
 * @returns The count; 0 for anything else.
 */
export function copySize(x: unknown): number {
  if (typeof x === 'string') return x.length;
  if (x instanceof Uint8Array || Array.isArray(x)) return x.length;
  if (x instanceof ArrayBuffer) return x.byteLength;
  if (x instanceof Map || x instanceof Set) return x.size;
  // A dict read back as a plain object: its keys are what is copied.
  if (typeof x === 'object' && x !== null && !(x instanceof PyObject) && !(x instanceof PyGlobal)) return Object.keys(x).length;
  return 0;
}
