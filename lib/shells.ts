/**
 * The shell of a copy: a new object with the original's prototype and built-in internal value
 * (time, pattern, primitive, bytes), made without running a constructor of the user's, and the
 * integrity level (frozen, sealed, not extensible) that copies take over.
 */
import { builtinBase, classOf, Kind, typedArrayBase, withoutStackTrace } from './builtins';

/**
 * Constructs a built-in with `args` so that the result has `like`'s prototype: through its class
 * as `new.target` when the prototype owns one, else by re-pointing the prototype afterwards.
 *
 * @param base The built-in constructor (Date, RegExp, Map, …).
 * @param args Its arguments.
 * @param like The object whose prototype the result gets.
 * @returns The new object.
 */
export function constructLike(base: Function, args: readonly unknown[], like: object): object {
  const proto = Object.getPrototypeOf(like) as object | null;
  if (proto === base.prototype) return Reflect.construct(base, args) as object;
  const cls = classOf(like);
  if (cls !== undefined) return Reflect.construct(base, args, cls) as object;
  const y = Reflect.construct(base, args) as object;
  Object.setPrototypeOf(y, proto);
  return y;
}

/**
 * The shell of a copy: a new object with `x`'s prototype and `x`'s built-in internal value (time,
 * pattern, primitive, bytes), but none of its own properties or items yet. Copy and deepcopy fill
 * it in afterwards, so a cycle back to `x` can already point at it.
 *
 * @param x The original.
 * @param kind Its kind.
 * @param buffer For typed arrays and DataViews: the buffer the copy views (deepcopy passes the
 *   copied buffer so that views sharing a buffer keep sharing it).
 * @returns The shell.
 */
export function makeShell(x: object, kind: Kind, buffer?: ArrayBufferLike): object {
  switch (kind) {
    case Kind.PLAIN: {
      const proto = Object.getPrototypeOf(x) as object | null;
      return proto === null ? (Object.create(null) as object) : {};
    }
    case Kind.ARRAY:
      return constructLike(Array, [], x);
    case Kind.MAP:
      return Object.getPrototypeOf(x) === Map.prototype ? new Map() : constructLike(Map, [], x);
    case Kind.SET:
      return Object.getPrototypeOf(x) === Set.prototype ? new Set() : constructLike(Set, [], x);
    case Kind.DATE: {
      const t = Date.prototype.getTime.call(x);
      return Object.getPrototypeOf(x) === Date.prototype ? new Date(t) : constructLike(Date, [t], x);
    }
    case Kind.REGEXP: {
      const re = x as RegExp;
      return constructLike(RegExp, [re.source, re.flags], x);
    }
    case Kind.ERROR: {
      const base = errorBase(x);
      // AggregateError's constructor requires its errors; the copy gets them as state.
      const args = typeof AggregateError === 'function' && base === AggregateError ? [[]] : [];
      return withoutStackTrace(() => constructLike(base, args, x));
    }
    case Kind.BOXED:
      return boxLike(x);
    case Kind.ARRAY_BUFFER:
      return copyArrayBuffer(x as ArrayBuffer);
    case Kind.TYPED_ARRAY: {
      const ta = x as Uint8Array;
      return constructLike(typedArrayBase(x), [buffer ?? ta.buffer, ta.byteOffset, ta.length], x);
    }
    case Kind.DATA_VIEW: {
      const dv = x as DataView;
      return constructLike(DataView, [buffer ?? dv.buffer, dv.byteOffset, dv.byteLength], x);
    }
    default:
      return Object.create(Object.getPrototypeOf(x) as object | null) as object;
  }
}

function errorBase(x: object): Function {
  const cls = classOf(x);
  const base = cls !== undefined ? builtinBase(cls) : Error;
  // Note: an Error from another realm extends that realm's Error, which is none of ours.
  return base === Object ? Error : base;
}

function boxLike(x: object): object {
  const v = (x as { valueOf(): unknown }).valueOf();
  // Note: BigInt and Symbol cannot be called with new; Object() boxes them.
  if (typeof v === 'bigint' || typeof v === 'symbol') {
    const y = Object(v) as object;
    Object.setPrototypeOf(y, Object.getPrototypeOf(x) as object | null);
    return y;
  }
  const base = typeof v === 'number' ? Number : typeof v === 'string' ? String : Boolean;
  return constructLike(base, [v], x);
}

/**
 * A copy of an ArrayBuffer's bytes, resizable when the original is.
 *
 * @param x The buffer.
 * @returns A new buffer with the same bytes (and the same prototype).
 */
export function copyArrayBuffer(x: ArrayBuffer): ArrayBuffer {
  const b = x as ArrayBuffer & { resizable?: boolean; maxByteLength?: number };
  let y: ArrayBuffer;
  if (b.resizable) {
    y = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(b.byteLength, {
      maxByteLength: b.maxByteLength,
    });
    new Uint8Array(y).set(new Uint8Array(b));
  } else {
    y = ArrayBuffer.prototype.slice.call(b, 0);
  }
  const proto = Object.getPrototypeOf(x) as object | null;
  if (proto !== ArrayBuffer.prototype) Object.setPrototypeOf(y, proto);
  return y;
}

/**
 * The integrity level of an object, re-applied to its copy: 3 frozen, 2 sealed, 1 not extensible,
 * 0 ordinary.
 *
 * @param x An object.
 * @returns The level.
 */
export function integrityOf(x: object): number {
  if (Object.isExtensible(x)) return 0;
  if (Object.isFrozen(x)) return 3;
  return Object.isSealed(x) ? 2 : 1;
}

/**
 * Applies an integrity level (see {@link integrityOf}).
 *
 * @param y The copy.
 * @param level The level.
 */
export function applyIntegrity(y: object, level: number): void {
  if (level === 3) Object.freeze(y);
  else if (level === 2) Object.seal(y);
  else if (level === 1) Object.preventExtensions(y);
}
