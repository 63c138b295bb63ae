/**
 * `copy` (shallow) and `replace`, with the semantics of CPython 3.13's `copy` module. The deep
 * counterpart lives in deepcopy.ts; both use the reduce protocol of reduce.ts.
 */
import { allocate, classOf, isExactBuiltin, Kind, kindOf, needsNew, ownNew, typedArrayBase } from './builtins';
import { CopyError, typeName } from './errors';
import { sliceArray, sparseIndices, stateKeys } from './ownkeys';
import { defineDescriptor, defineValue } from './props';
import { unpackReduceValue } from './reduction';
import {
  appendItems,
  callReduce,
  hasReduceHook,
  isDefaultAllocation,
  setItem,
  setState,
  usesDefaultReduction,
} from './reduce';
import { reduceObject } from './reduce-default';
import { defaultRegistry } from './registry';
import { applyIntegrity, constructLike, integrityOf, makeShell } from './shells';

const typeError = (m: string): Error => new TypeError(m);

/**
 * Shallow copy with the semantics of CPython's `copy.copy`: a new container holding the same
 * values. Tuples (frozen arrays), frozen plain objects, primitives, functions and classes are
 * returned as they are.
 *
 * Lookup order for other objects: `__copy__()` on the class → `dispatchTable` (exact class) →
 * `__reduce_ex__(4)` → `__reduce__()` → the default reduction (same prototype, constructor not
 * run, own properties shared).
 *
 * @param x The value.
 * @returns The copy.
 * @throws {CopyError} when an object's reduce hooks are masked with `null`.
 * @throws {TypeError} for objects whose state cannot be read (WeakMap, Promise, generators).
 * @example
 * ```ts
 * const a = [[1], [2]];
 * const b = copy(a); // b !== a, b[0] === a[0]
 * ```
 */
export function copy<T>(x: T): T {
  if (typeof x !== 'object' || x === null) return x;
  const obj = x as object;
  const kind = kindOf(obj);
  switch (kind) {
    case Kind.PLAIN:
      if (Object.isFrozen(obj)) return x;
      return copyOwn(obj, makeShell(obj, kind), stateKeys(obj, kind)) as T;
    case Kind.ARRAY:
      if (Object.getPrototypeOf(obj) !== Array.prototype) break;
      if (Object.isFrozen(obj)) return x;
      return copyOwn(obj, sliceArray(obj as unknown[], sparseIndices(obj as unknown[])), stateKeys(obj, kind)) as T;
    case Kind.ATOMIC:
      return x;
    case Kind.OPAQUE:
      break;
    default:
      if (!isExactBuiltin(Object.getPrototypeOf(obj) as object)) break;
      return copyNative(obj, kind) as T;
  }
  return copyInstance(obj, kind) as T;
}

/** A built-in value, or a default-reduced class instance: shell plus shared own properties. */
function copyNative(x: object, kind: Kind): object {
  if (kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW) {
    // A shallow copy owns its bytes: a new buffer holding just the viewed range.
    const bytes = viewedBytes(x as ArrayBufferView);
    const y = kind === Kind.TYPED_ARRAY ? constructLike(typedArrayBase(x), [bytes], x) : constructLike(DataView, [bytes], x);
    applyIntegrity(y, integrityOf(x));
    return y;
  }
  const y = makeShell(x, kind);
  if (kind === Kind.ARRAY_BUFFER) {
    applyIntegrity(y, integrityOf(x));
    return y;
  }
  if (kind === Kind.REGEXP) (y as RegExp).lastIndex = (x as RegExp).lastIndex;
  copyOwn(x, y, stateKeys(x, kind), false);
  if (kind === Kind.MAP) {
    for (const [k, v] of Map.prototype.entries.call(x as Map<unknown, unknown>)) {
      (y as Map<unknown, unknown>).set(k, v);
    }
  } else if (kind === Kind.SET) {
    for (const v of Set.prototype.values.call(x as Set<unknown>)) (y as Set<unknown>).add(v);
  } else if (kind === Kind.ARRAY) {
    // Items go through push (a subclass may override it, as a Python list subclass may override
    // append); a hole only grows the length, so that it stays a hole.
    const a = x as unknown[];
    const b = y as unknown[];
    for (let i = 0; i < a.length; i++) {
      if (i in a) b.push(a[i]);
      else b.length++;
    }
  }
  applyIntegrity(y, integrityOf(x));
  return y;
}

/** Copies own properties (descriptors kept, values shared) and the integrity level. */
function copyOwn(x: object, y: object, keys: (string | symbol)[], integrity = true): object {
  for (const key of keys) {
    const desc = Object.getOwnPropertyDescriptor(x, key);
    if (desc === undefined) continue;
    if ('value' in desc && desc.writable && desc.enumerable && desc.configurable) {
      defineValue(y, key, desc.value);
    } else {
      defineDescriptor(y, key, desc);
    }
  }
  if (integrity) applyIntegrity(y, integrityOf(x));
  return y;
}

/** Like {@link copyOwn} for a frozen original: the copies of its properties stay changeable. */
function copyThawed(x: object, y: object, keys: (string | symbol)[]): object {
  for (const key of keys) {
    const desc = Object.getOwnPropertyDescriptor(x, key);
    if (desc === undefined) continue;
    if ('value' in desc) desc.writable = true;
    desc.configurable = true;
    defineDescriptor(y, key, desc);
  }
  return y;
}

/** A new buffer holding just the range a typed array or DataView views. */
function viewedBytes(v: ArrayBufferView): ArrayBufferLike {
  return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength);
}

function copyInstance(x: object, kind: Kind): unknown {
  const proto = Object.getPrototypeOf(x) as { __copy__?: unknown } | null;
  const copier = proto === null ? undefined : proto.__copy__;
  if (typeof copier === 'function') return copier.call(x);
  const table = defaultRegistry.dispatchTable;
  if (kind !== Kind.OPAQUE && usesDefaultReduction(x, table)) return copyNative(x, kind);
  const rv = reduceObject(x, 4, table, () => new CopyError(`un(shallow)copyable object of type ${typeName(x)}`));
  if (typeof rv === 'string') return x;
  const red = unpackReduceValue(rv, typeError, 5);
  let args = red.args;
  if ((kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW) && isDefaultAllocation(red.func) && args[1] === (x as Uint8Array).buffer) {
    // As for an exact view (copyNative), the copy owns its bytes rather than sharing the buffer.
    args = [args[0], viewedBytes(x as ArrayBufferView), 0, ...args.slice(3)];
  }
  const y = callReduce(red.func, args) as object;
  if (red.state !== null && red.state !== undefined) setState(y, red.state, typeError);
  if (red.listItems != null) appendItems(y, red.listItems, typeError);
  if (red.dictItems != null) {
    for (const pair of red.dictItems) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(`dict items must be [key, value] pairs, not ${typeName(pair)}`);
      }
      setItem(y, pair[0], pair[1]);
    }
  }
  // Note: as deepcopy does, a default allocation gets the original's integrity level at the end.
  if (isDefaultAllocation(red.func) && (y as { __setstate__?: unknown }).__setstate__ === undefined) {
    applyIntegrity(y, integrityOf(x));
  }
  return y;
}

/**
 * CPython 3.13's `copy.replace`: a copy of `obj` with some fields changed. Calls
 * `obj.__replace__(changes)` when the class defines it; plain objects and class instances that
 * use the default reduction get a shallow copy with `changes` applied as own properties.
 *
 * @param obj The object.
 * @param changes The fields to change.
 * @returns The new object.
 * @throws {TypeError} `replace() does not support X objects` for anything else, and for a change
 *   that names a field a class instance does not have.
 * @example
 * ```ts
 * const moved = replace(point, { x: 3 });
 * ```
 */
export function replace<T>(obj: T, changes: Readonly<Record<string, unknown>> = {}): T {
  const o = obj as unknown;
  // Note: Python names a class's type `type`, and a function's `function`.
  const name = typeof o === 'function' ? (needsNew(o) ? 'type' : 'function') : typeName(o);
  if (typeof o !== 'object' || o === null) {
    throw new TypeError(`replace() does not support ${name} objects`);
  }
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    // Python passes changes as keyword arguments; anything but an object of them is a mistake.
    throw new TypeError(`replace() changes must be an object of field values, not ${typeName(changes)}`);
  }
  const proto = Object.getPrototypeOf(o) as { __replace__?: unknown } | null;
  const hook = proto === null ? undefined : proto.__replace__;
  if (typeof hook === 'function') return hook.call(o, changes) as T;
  // Note: a hook set to null masks the default, as a class without __replace__ has none in Python.
  if (hook === null) throw new TypeError(`replace() does not support ${name} objects`);
  const kind = kindOf(o);
  const plain = kind === Kind.PLAIN;
  const cls = plain ? undefined : classOf(o);
  // Note: a class's own `static __new__` does not stop replace (it allocates the copy); hooks and
  // reducers do.
  if (!(plain || kind === Kind.OBJECT) || (!plain && (hasReduceHook(o) || defaultRegistry.dispatchTable.has(cls!)))) {
    throw new TypeError(`replace() does not support ${name} objects`);
  }
  const level = integrityOf(o);
  const keys = stateKeys(o, kind);
  // Note: a frozen record is the namedtuple analogue, the main use of replace(). Its fields are
  // read-only only because it is frozen, so the copy is made thawed, changed, then frozen again.
  const shell = ownNew(cls) !== undefined ? allocate(cls!, []) : makeShell(o, kind);
  const y = level === 3 ? copyThawed(o, shell, keys) : copyOwn(o, shell, keys, false);
  for (const key of stateKeys(changes, Kind.PLAIN)) {
    if (!plain && !Object.prototype.hasOwnProperty.call(o, key)) {
      throw new TypeError(`replace() got an unexpected field name '${String(key)}' for ${name}`);
    }
    const desc = Object.getOwnPropertyDescriptor(y, key);
    if (desc !== undefined && !('value' in desc)) {
      throw new TypeError(`replace() cannot change accessor property '${String(key)}' of ${name}`);
    }
    if (desc !== undefined && !desc.writable && !desc.configurable) {
      throw new TypeError(`replace() cannot change read-only property '${String(key)}' of ${name}`);
    }
    if (desc === undefined || (desc.writable && desc.enumerable && desc.configurable)) {
      defineValue(y, key, (changes as Record<string | symbol, unknown>)[key]);
    } else {
      Object.defineProperty(y, key, { ...desc, value: (changes as Record<string | symbol, unknown>)[key] });
    }
  }
  applyIntegrity(y, level);
  return y as T;
}
