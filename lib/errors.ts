/**
 * The error classes of copyreg, mirroring CPython's `copy.Error` and `pickle.PickleError` family.
 *
 * Standard JS errors (TypeError, RangeError) are used where CPython raises the matching built-in
 * (TypeError, ValueError); these classes cover what CPython gives its own exception types.
 */

/**
 * Raised by `copy` / `deepcopy` when an object can be neither copied natively nor reduced
 * (CPython's `copy.Error`).
 */
export class CopyError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CopyError';
  }
}

/** Base class of the pickling errors (CPython's `pickle.PickleError`). */
export class PickleError extends Error {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PickleError';
  }
}

/** Raised by `dumps` / `Pickler.dump` for an object that cannot be pickled. */
export class PicklingError extends PickleError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PicklingError';
  }
}

/**
 * Raised by `loads` / `Unpickler.load` for malformed or forbidden input. The loader throws nothing
 * else on bad bytes: errors from decoding, memo lookups, or user hooks are wrapped into it, with
 * the original kept as `cause`.
 */
export class UnpicklingError extends PickleError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnpicklingError';
  }
}

/**
 * A Python type name for messages, in the form CPython prints (`'int' object`, `<class 'Point'>`).
 *
 * @param value Any JS value.
 * @returns The name of the value's class, or of its JS type when it has none.
 */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  const t = typeof value;
  if (t === 'function') {
    const name = (value as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : 'function';
  }
  if (t !== 'object') return t;
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  if (proto === null) return 'Object';
  const ctor = Object.prototype.hasOwnProperty.call(proto, 'constructor')
    ? proto.constructor
    : undefined;
  if (typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== '') {
    return ctor.name;
  }
  // Note: a generator's prototype names no class; its tag does ('Generator', 'Array Iterator').
  return Object.prototype.toString.call(value).slice(8, -1);
}

/**
 * The name of the Python type a JS value stands for in a pickle (`'int'`, `'float'`, `'str'`,
 * `'list'`, `'dict'`, `'NoneType'`, …), for messages where CPython names that type; other values
 * are named as {@link typeName} names them.
 *
 * @param value Any JS value.
 * @returns The type name.
 */
export function pyTypeName(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'NoneType';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
    default:
      if (value === null) return 'NoneType';
      if (Array.isArray(value)) return Object.isFrozen(value) ? 'tuple' : 'list';
      if (value instanceof Map) return 'dict';
      if (value instanceof Set) return Object.isFrozen(value) ? 'frozenset' : 'set';
      if (value instanceof Uint8Array) return 'bytes';
      if (value instanceof ArrayBuffer) return 'bytearray';
      if (typeof value === 'object') {
        const proto = Object.getPrototypeOf(value) as object | null;
        if (proto === Object.prototype || proto === null) return 'dict';
      }
      return typeName(value);
  }
}
