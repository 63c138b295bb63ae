/**
 * What copyreg knows about JavaScript's built-in types: which built-in a value is (or extends),
 * how to allocate an instance of a class without running its constructor, and whether a callable
 * must be invoked with `new`. Shared by copy, the reduce protocol and the pickler.
 */
import { typeName } from './errors';

/** The built-in family a value belongs to; a subclass instance has its base's kind. */
export const Kind = {
  /** A plain object: prototype `Object.prototype` or `null` (Python's dict). */
  PLAIN: 0,
  ARRAY: 1,
  MAP: 2,
  SET: 3,
  DATE: 4,
  REGEXP: 5,
  ERROR: 6,
  ARRAY_BUFFER: 7,
  TYPED_ARRAY: 8,
  DATA_VIEW: 9,
  /** `new Number(1)`, `new String('a')`, `new Boolean(true)`, `Object(1n)`, `Object(Symbol())`. */
  BOXED: 10,
  /** Values that are their own copy: SharedArrayBuffer, WeakRef. */
  ATOMIC: 11,
  /** Values whose state cannot be read: WeakMap, WeakSet, Promise, generators, FinalizationRegistry. */
  OPAQUE: 12,
  /** Any other object, typically a class instance whose only built-in base is Object. */
  OBJECT: 13,
} as const;
/** One of the {@link Kind} values. */
export type Kind = (typeof Kind)[keyof typeof Kind];

const TypedArrayProto = Object.getPrototypeOf(Int8Array.prototype) as object;
const GeneratorProto = Object.getPrototypeOf(function* () {}.prototype) as object;
const AsyncGeneratorProto = Object.getPrototypeOf(async function* () {}.prototype) as object;
const IteratorProto = Object.getPrototypeOf(GeneratorProto) as object;

// Note: keyed by prototype object. The kind depends on the chain above that prototype, which
// only changes if someone calls Object.setPrototypeOf on a prototype; that is not supported. An
// object made by Object.create(P) from a built-in's prototype has no internal slots; when it
// classifies as OBJECT (P of an Array subclass), that kind is not recorded for P, whose real
// instances would inherit it. (One of Map.prototype classifies by `instanceof`, as a Map.)
const kindCache = new WeakMap<object, Kind>();

/**
 * Classifies an object by its nearest built-in base.
 *
 * @param x Any object (not a function).
 * @returns Its {@link Kind}.
 */
export function kindOf(x: object): Kind {
  const proto = Object.getPrototypeOf(x) as object | null;
  if (proto === Object.prototype || proto === null) return Kind.PLAIN;
  if (proto === Array.prototype) return Kind.ARRAY;
  let kind = kindCache.get(proto);
  if (kind === undefined) {
    kind = classify(x);
    if (kind !== Kind.OBJECT || !inheritsSlots(x)) kindCache.set(proto, kind);
  }
  return kind;
}

/**
 * Whether `x` inherits from a built-in whose instances have internal slots (a Map, an Array…):
 * then its prototype does not decide its kind (an `Object.create(P)` of one lacks the slots).
 *
 * @param x An object.
 * @returns True when a slotted built-in's prototype is on its chain.
 */
export function inheritsSlots(x: object): boolean {
  return SLOTTED_PROTOS.some((p) => p.isPrototypeOf(x));
}

function classify(x: object): Kind {
  if (Array.isArray(x)) return Kind.ARRAY;
  if (ArrayBuffer.isView(x)) return x instanceof DataView ? Kind.DATA_VIEW : Kind.TYPED_ARRAY;
  if (x instanceof Map) return Kind.MAP;
  if (x instanceof Set) return Kind.SET;
  if (x instanceof Date) return Kind.DATE;
  if (x instanceof RegExp) return Kind.REGEXP;
  if (x instanceof Error) return Kind.ERROR;
  if (x instanceof ArrayBuffer) return Kind.ARRAY_BUFFER;
  if (
    x instanceof Number ||
    x instanceof String ||
    x instanceof Boolean ||
    x instanceof BigInt ||
    x instanceof Symbol
  ) {
    return Kind.BOXED;
  }
  if (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer) return Kind.ATOMIC;
  const foreign = foreignKind(x);
  if (foreign !== undefined) return foreign;
  if (typeof WeakRef === 'function' && x instanceof WeakRef) return Kind.ATOMIC;
  if (
    x instanceof WeakMap ||
    x instanceof WeakSet ||
    x instanceof Promise ||
    (typeof FinalizationRegistry === 'function' && x instanceof FinalizationRegistry) ||
    GeneratorProto.isPrototypeOf(x) ||
    AsyncGeneratorProto.isPrototypeOf(x) ||
    IteratorProto.isPrototypeOf(x)
  ) {
    return Kind.OPAQUE;
  }
  return Kind.OBJECT;
}

/**
 * The kind of a built-in from another realm (a `vm` context, an iframe), which `instanceof` does
 * not see: its tag names the built-in and a brand check (a method that reads the internal slot)
 * confirms it, so an object that only claims the tag is not taken for one.
 */
function foreignKind(x: object): Kind | undefined {
  const tag = Object.prototype.toString.call(x);
  const check = BRAND_CHECKS.get(tag);
  if (check === undefined) return undefined;
  try {
    check[1].call(x);
    return check[0];
  } catch {
    return undefined;
  }
}

const getter = (proto: object, name: string): Function => Object.getOwnPropertyDescriptor(proto, name)!.get!;

/** Per `Object.prototype.toString` tag: the kind and a call that throws unless `this` has the slot. */
const BRAND_CHECKS = new Map<string, [Kind, Function]>([
  ['[object Map]', [Kind.MAP, getter(Map.prototype, 'size')]],
  ['[object Set]', [Kind.SET, getter(Set.prototype, 'size')]],
  ['[object Date]', [Kind.DATE, Date.prototype.getTime]],
  ['[object RegExp]', [Kind.REGEXP, getter(RegExp.prototype, 'source')]],
  // Note: no method checks an Error's slot; the tag comes from it unless a Symbol.toStringTag says so.
  ['[object Error]', [Kind.ERROR, function (this: { [Symbol.toStringTag]?: unknown }): void {
    if (this[Symbol.toStringTag] !== undefined) throw new TypeError('not an Error');
  }]],
  ['[object ArrayBuffer]', [Kind.ARRAY_BUFFER, getter(ArrayBuffer.prototype, 'byteLength')]],
  ['[object Number]', [Kind.BOXED, Number.prototype.valueOf]],
  ['[object String]', [Kind.BOXED, String.prototype.valueOf]],
  ['[object Boolean]', [Kind.BOXED, Boolean.prototype.valueOf]],
  ['[object BigInt]', [Kind.BOXED, BigInt.prototype.valueOf]],
  ['[object Symbol]', [Kind.BOXED, Symbol.prototype.valueOf]],
]);

/** The built-in prototypes whose instances carry internal slots (see inheritsSlots). */
const SLOTTED_PROTOS: readonly object[] = [
  Array.prototype, Map.prototype, Set.prototype, Date.prototype, RegExp.prototype, Error.prototype,
  ArrayBuffer.prototype, TypedArrayProto, DataView.prototype, Number.prototype, String.prototype,
  Boolean.prototype, BigInt.prototype, Symbol.prototype, WeakMap.prototype, WeakSet.prototype,
  Promise.prototype,
];

/**
 * The exact class of an object, Python's `type(x)`: the `constructor` its prototype owns.
 *
 * @param x Any object.
 * @returns The class, or `undefined` for a null-prototype object or a prototype without its own
 *   `constructor` (then no dispatch-table entry can match, as for a spoofed `__class__`).
 */
export function classOf(x: object): Function | undefined {
  const proto = Object.getPrototypeOf(x) as { constructor?: unknown } | null;
  if (proto === null || !Object.prototype.hasOwnProperty.call(proto, 'constructor')) return undefined;
  const ctor = proto.constructor;
  return typeof ctor === 'function' && ctor.prototype === proto ? ctor : undefined;
}

/** The typed array constructors, each a possible built-in base. */
export const TYPED_ARRAYS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** The built-in constructors a class may extend and whose internal slots `newobj` must create. */
const BUILTIN_BASES = new Set<Function>(
  ([
    Object,
    Array,
    Map,
    Set,
    Date,
    RegExp,
    Error,
    EvalError,
    RangeError,
    ReferenceError,
    SyntaxError,
    TypeError,
    URIError,
    typeof AggregateError === 'function' ? AggregateError : undefined,
    ArrayBuffer,
    typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined,
    DataView,
    ...TYPED_ARRAYS,
    Number,
    String,
    Boolean,
    Promise,
    WeakMap,
    WeakSet,
    typeof WeakRef === 'function' ? WeakRef : undefined,
  ] as unknown[]).filter((f): f is Function => typeof f === 'function'),
);

/** Built-ins that only work with `new` (calling Date or Number without it converts instead). */
const NEW_ONLY = new Set<Function>(
  [...BUILTIN_BASES].filter(
    (f) => f !== Object && f !== Array && f !== Number && f !== String && f !== Boolean,
  ),
);

/**
 * The nearest built-in constructor a class extends (Python's "first non-heap base").
 *
 * @param cls A class.
 * @returns The built-in constructor, `Object` when the class extends no other built-in.
 */
export function builtinBase(cls: Function): Function {
  let c: unknown = cls;
  while (typeof c === 'function') {
    if (BUILTIN_BASES.has(c)) return c;
    c = Object.getPrototypeOf(c);
  }
  return Object;
}

/**
 * Creates an instance of `cls` without running its constructor (CPython's `cls.__new__(cls, *args)`).
 *
 * The prototype is `cls.prototype`; when `cls` extends a built-in such as Array, Map, Date or
 * Error, the built-in's internal slots are created by constructing that built-in with `args` and
 * `cls` as `new.target`, so the subclass constructor and its field initialisers do not run. A class
 * may define `static __new__(cls, ...args)` to allocate itself.
 *
 * @param cls The class.
 * @param args Arguments for the built-in base (e.g. the time value for a Date subclass).
 * @returns The new, uninitialised instance.
 * @throws {TypeError} if `cls` is not a class.
 */
export function allocate(cls: Function, args: readonly unknown[]): object {
  if (typeof cls !== 'function') {
    throw new TypeError(`newobj() argument must be a class, not ${typeName(cls)}`);
  }
  const custom = ownNew(cls);
  if (custom !== undefined) return custom.call(cls, cls, ...args) as object;
  const proto = cls.prototype as unknown;
  if (proto === null || (typeof proto !== 'object' && typeof proto !== 'function')) {
    throw new TypeError(`newobj() argument must be a class, not ${typeName(cls)}`);
  }
  const base = builtinBase(cls);
  if (base === Object) return Object.create(proto as object) as object;
  // Python's list, dict and set ignore __new__'s arguments too: the items come afterwards.
  if (ITEM_BASES.has(base)) {
    const obj = Reflect.construct(base, [], cls) as object;
    // Note: but a tuple subclass's items are its one argument (tuple.__new__(cls, items)).
    if (base === Array && args.length === 1 && Array.isArray(args[0])) {
      const items = args[0] as unknown[];
      for (let i = 0; i < items.length; i++) (obj as unknown[]).push(items[i]);
    }
    return obj;
  }
  // AggregateError insists on an iterable of errors; the state supplies the real ones.
  if (base === AGGREGATE_ERROR && args.length === 0) return withoutStackTrace(() => Reflect.construct(base, [[]], cls) as object);
  // Note: only an Error is made without a stack; other bases may run user code on their arguments.
  if (base === Error || base.prototype instanceof Error) return withoutStackTrace(() => Reflect.construct(base, args, cls) as object);
  return Reflect.construct(base, args, cls) as object;
}

/**
 * Runs `make` with the engine's stack capture off (V8's `Error.stackTraceLimit`). An Error that
 * copy, deepcopy or the loader makes gets the original's stack as state, or none; capturing one
 * for it, then formatting it when `stack` is redefined, took 20 µs an Error.
 *
 * @param make Makes the object (an Error or anything else).
 * @returns What `make` returns.
 */
export function withoutStackTrace<T>(make: () => T): T {
  const E = Error as { stackTraceLimit?: unknown };
  const limit = E.stackTraceLimit;
  // Note: hardened environments freeze Error; their limit stays as it is.
  if (typeof limit !== 'number' || !Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable) return make();
  E.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    E.stackTraceLimit = limit;
  }
}

/**
 * A class's own allocator, `static __new__(cls, ...args)`, which {@link allocate} calls instead of
 * making the instance itself.
 *
 * @param cls A class, or anything.
 * @returns The allocator, or undefined.
 */
export function ownNew(cls: unknown): Function | undefined {
  const custom = typeof cls === 'function' ? (cls as { __new__?: unknown }).__new__ : undefined;
  return typeof custom === 'function' ? custom : undefined;
}

/** Built-in bases whose instances get their items after allocation, as list or dict items. */
const ITEM_BASES = new Set<Function>([Array, Map, Set, WeakMap, WeakSet]);

/**
 * Why arguments from a pickle may not go to the built-in base of `cls` (see {@link allocate}), or
 * undefined when they may: a base converts object arguments to primitives, and converting a
 * loaded array joins it, which a small pickle can make huge.
 *
 * @param cls The class (or built-in) being allocated.
 * @param args The arguments.
 * @returns The reason, or undefined.
 */
export function unsafeBaseArgs(cls: Function, args: readonly unknown[]): string | undefined {
  const base = builtinBase(cls);
  if (base === Object || ITEM_BASES.has(base)) return undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a !== 'object' || a === null || a instanceof ArrayBuffer) continue;
    if (i === 0 && base === AGGREGATE_ERROR && Array.isArray(a)) continue;
    return `${base.name} arguments must be primitives or ArrayBuffers, not ${typeName(a)}`;
  }
  return undefined;
}

const AGGREGATE_ERROR: unknown = typeof AggregateError === 'function' ? AggregateError : undefined;

const classCache = new WeakMap<Function, boolean>();

/**
 * Whether a reduce callable must be invoked with `new`: ES classes and the built-in constructors
 * that refuse a plain call.
 *
 * @param fn A function.
 * @returns True for classes.
 */
export function needsNew(fn: Function): boolean {
  let known = classCache.get(fn);
  if (known === undefined) {
    known =
      NEW_ONLY.has(fn) || /^class\b/.test(Function.prototype.toString.call(fn));
    classCache.set(fn, known);
  }
  return known;
}

/**
 * Records that `fn` is a class (for transpiled classes whose source text does not say so).
 *
 * @param fn The class.
 */
export function markClass(fn: Function): void {
  classCache.set(fn, true);
}


/** Any typed array instance. */
export type TypedArray = InstanceType<(typeof TYPED_ARRAYS)[number]>;

const typedArrayTag = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag)!
  .get as (this: object) => string | undefined;
const TYPED_ARRAY_BY_NAME = new Map<string, (typeof TYPED_ARRAYS)[number]>(
  TYPED_ARRAYS.map((c) => [c.name, c]),
);

/**
 * The built-in typed-array constructor of a typed array, even for subclasses such as Node's Buffer.
 * Uses the internal brand, so an overridden `constructor` property cannot mislead it.
 *
 * @param x A typed array.
 * @returns E.g. `Uint8Array`.
 */
export function typedArrayBase(x: object): (typeof TYPED_ARRAYS)[number] {
  return TYPED_ARRAY_BY_NAME.get(typedArrayTag.call(x) ?? '') ?? Uint8Array;
}



/**
 * Whether a prototype is a built-in's own prototype (an exact Map, Date, Uint8Array, …).
 *
 * @param proto A prototype object.
 * @returns True for the prototypes of the built-in constructors copy handles natively.
 */
export function isExactBuiltin(proto: object): boolean {
  const ctor = (proto as { constructor?: Function }).constructor;
  return (
    ctor !== undefined &&
    ctor.prototype === proto &&
    (proto === Map.prototype ||
      proto === Set.prototype ||
      proto === Date.prototype ||
      proto === RegExp.prototype ||
      proto === ArrayBuffer.prototype ||
      proto === DataView.prototype ||
      ERROR_PROTOS.has(proto) ||
      BOXED_PROTOS.has(proto) ||
      TYPED_PROTOS.has(proto))
  );
}

const ERROR_PROTOS = new Set<object>(
  [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map(
    (c) => c.prototype,
  ),
);
if (typeof AggregateError === 'function') ERROR_PROTOS.add(AggregateError.prototype);
const BOXED_PROTOS = new Set<object>([
  Number.prototype,
  String.prototype,
  Boolean.prototype,
  BigInt.prototype,
  Symbol.prototype,
]);
const TYPED_PROTOS = new Set<object>(
  TYPED_ARRAYS.map((c) => c.prototype),
);
