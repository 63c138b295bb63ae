/**
 * The default reductions: `reduceObject`'s lookup (dispatch table, `__reduce_ex__`, `__reduce__`,
 * the default), CPython's `object.__reduce_ex__` in its protocol ≥ 2 `__newobj__` form and its
 * protocol 0/1 `_reconstructor` form, and the default state (`__getstate__`). What they produce is
 * carried out by reduce.ts, which copy and the unpickler share.
 */
import { allocate, builtinBase, classOf, Kind, kindOf } from './builtins';
import { typeName } from './errors';
import { stateKeys } from './ownkeys';
import { newobj, newobjEx, reconstructor } from './reduce';
import type { Reducer, ReduceValue } from './reduction';

type Hooked = Record<string, unknown>;

/**
 * Reduces a non-built-in object: the global `dispatchTable` (or a replacement) by exact class,
 * then `__reduce_ex__(protocol)`, then `__reduce__()`, then the default. A hook set to `null` is
 * skipped as a missing attribute would be in Python.
 *
 * @param obj The object.
 * @param protocol The pickle protocol (`copy` passes 4).
 * @param table The dispatch table to consult.
 * @param cannot Makes the error for an object whose hooks are both masked.
 * @returns The (unvalidated) reduce value.
 */
export function reduceObject(
  obj: object,
  protocol: number,
  table: ReadonlyMap<Function, Reducer>,
  cannot: () => Error,
): unknown {
  const cls = classOf(obj);
  if (cls !== undefined && table.size !== 0) {
    const reducer = table.get(cls);
    if (reducer) return reducer(obj);
  }
  const reduceEx = (obj as Hooked).__reduce_ex__;
  if (typeof reduceEx === 'function') return reduceEx.call(obj, protocol);
  if (reduceEx === undefined) return defaultReduceEx(obj, protocol);
  const reduce = (obj as Hooked).__reduce__;
  if (typeof reduce === 'function') return reduce.call(obj);
  if (reduce === undefined) return reduceEx01(obj);
  throw cannot();
}

/**
 * `object.__reduce_ex__(protocol)`: defers to an overridden `__reduce__`, else gives the
 * `__newobj__` form (protocol ≥ 2) or the `_reconstructor` form (protocol 0/1, and a Set
 * subclass at protocols 2 and 3).
 *
 * @param obj The object.
 * @param protocol The protocol.
 * @returns The reduce value.
 */
export function defaultReduceEx(obj: object, protocol: number): ReduceValue {
  const proto = Object.getPrototypeOf(obj) as Hooked | null;
  const reduce = proto === null ? undefined : proto.__reduce__;
  if (typeof reduce === 'function') return reduce.call(obj) as ReduceValue;
  if (protocol < 2) return reduceEx01(obj);
  // Note: a Set's items follow its NEWOBJ as ADDITEMS from protocol 4 (Python's set has add, not
  // append). Protocols 2 and 3 have no such opcode, so a Set subclass takes the `_reconstructor`
  // form there, which fills it through the set base (CPython's own set.__reduce__ calls the class
  // with a list instead, which would run a JS constructor).
  return protocol < 4 && kindOf(obj) === Kind.SET ? reduceEx01(obj) : reduceNewobj(obj);
}

function cannotPickle(obj: object): TypeError {
  return new TypeError(`cannot pickle '${typeName(obj)}' object`);
}

function classFor(obj: object): Function {
  const cls = classOf(obj);
  if (cls !== undefined) return cls;
  // Note: an object made by Object.create(proto), whose prototype names no class, still has a
  // prototype to allocate from; copy and deepcopy use it (a pickle cannot name it: see below).
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === null) throw cannotPickle(obj);
  let alloc = ALLOCATORS.get(proto);
  if (alloc === undefined) {
    alloc = function prototypeAllocator(): void {};
    alloc.prototype = proto;
    ALLOCATORS.set(proto, alloc);
    ALLOCATOR_SET.add(alloc);
  }
  return alloc;
}

/** Per prototype without a class of its own, the function copy allocates its objects through. */
const ALLOCATORS = new WeakMap<object, Function>();
const ALLOCATOR_SET = new WeakSet<Function>();

/**
 * Whether a reduce callable's class is one made up for a prototype that names no class (see
 * classFor): copy can use it, a pickle cannot name it.
 *
 * @param fn A function.
 * @returns True for those stand-ins.
 */
export function isPrototypeAllocator(fn: unknown): boolean {
  return typeof fn === 'function' && ALLOCATOR_SET.has(fn);
}

/**
 * The protocol ≥ 2 default reduction (CPython's `reduce_newobj`):
 * `[newobj, [cls, ...newargs], state, listItems, dictItems]`, or the `newobjEx` form when
 * `__getnewargs_ex__` gives keyword arguments.
 *
 * @param obj The object.
 * @returns The reduce value.
 * @throws {TypeError} for objects whose state cannot be read (WeakMap, Promise, …).
 */
export function reduceNewobj(obj: object): ReduceValue {
  const kind = kindOf(obj);
  if (kind === Kind.OPAQUE || kind === Kind.ARRAY_BUFFER) throw cannotPickle(obj);
  const cls = classFor(obj);
  const proto = Object.getPrototypeOf(obj) as Hooked;
  let args: readonly unknown[] | undefined;
  let kwargs: Record<string, unknown> | undefined;
  const getnewargsEx = proto.__getnewargs_ex__;
  if (typeof getnewargsEx === 'function') {
    const r = getnewargsEx.call(obj) as unknown;
    if (!Array.isArray(r)) {
      throw new TypeError(`__getnewargs_ex__ should return a tuple, not '${typeName(r)}'`);
    }
    if (r.length !== 2) {
      throw new TypeError(`__getnewargs_ex__ should return a tuple of length 2, not ${r.length}`);
    }
    if (!Array.isArray(r[0])) {
      throw new TypeError(
        `first item of the tuple returned by __getnewargs_ex__ must be a tuple, not '${typeName(r[0])}'`,
      );
    }
    if (r[1] === null || typeof r[1] !== 'object' || Array.isArray(r[1])) {
      throw new TypeError(
        `second item of the tuple returned by __getnewargs_ex__ must be a dict, not '${typeName(r[1])}'`,
      );
    }
    args = r[0] as unknown[];
    kwargs = r[1] as Record<string, unknown>;
  } else if (typeof proto.__getnewargs__ === 'function') {
    const r = (proto.__getnewargs__ as Function).call(obj) as unknown;
    if (!Array.isArray(r)) {
      throw new TypeError(`__getnewargs__ should return a tuple, not '${typeName(r)}'`);
    }
    args = r;
  } else {
    args = builtinNewArgs(obj, kind);
  }
  const state = getState(obj, kind);
  const listItems =
    kind === Kind.ARRAY
      ? Array.prototype.values.call(obj as unknown[])
      : kind === Kind.SET
        ? Set.prototype.values.call(obj as Set<unknown>)
        : null;
  const dictItems = kind === Kind.MAP ? Map.prototype.entries.call(obj as Map<unknown, unknown>) : null;
  if (kwargs !== undefined && Object.keys(kwargs).length > 0) {
    return [newobjEx, [cls, args, kwargs], state, listItems, dictItems] as ReduceValue;
  }
  return [newobj, [cls, ...args], state, listItems, dictItems] as ReduceValue;
}

/** The arguments that recreate a built-in base's internal value (Python's `int.__getnewargs__`). */
function builtinNewArgs(obj: object, kind: Kind): readonly unknown[] {
  switch (kind) {
    case Kind.DATE:
      return [Date.prototype.getTime.call(obj)];
    case Kind.REGEXP: {
      const re = obj as RegExp;
      return [re.source, re.flags];
    }
    case Kind.BOXED:
      return [(obj as { valueOf(): unknown }).valueOf()];
    case Kind.ERROR:
      // Note: Python's BaseException.__new__ keeps its arguments as `args`; the message is that.
      return obj instanceof AggregateError || !Object.prototype.hasOwnProperty.call(obj, 'message')
        ? []
        : [(obj as Error).message];
    case Kind.TYPED_ARRAY: {
      const ta = obj as Uint8Array;
      return [ta.buffer, ta.byteOffset, ta.length];
    }
    case Kind.DATA_VIEW: {
      const dv = obj as DataView;
      return [dv.buffer, dv.byteOffset, dv.byteLength];
    }
    default:
      return [];
  }
}

/**
 * The protocol 0/1 default reduction (CPython's `copyreg._reduce_ex`):
 * `[reconstructor, [cls, base, baseState], state]`, the state left out when it is falsy.
 *
 * @param obj The object.
 * @returns The reduce value.
 */
export function reduceEx01(obj: object): ReduceValue {
  const kind = kindOf(obj);
  if (kind === Kind.OPAQUE || kind === Kind.ARRAY_BUFFER) throw cannotPickle(obj);
  const cls = classFor(obj);
  const base = builtinBase(cls);
  const baseState = base === Object ? null : baseValue(obj, kind);
  const state = getState(obj, kind);
  const rv: unknown[] = [reconstructor, [cls, base, baseState]];
  if (state) rv.push(state);
  return rv as unknown as ReduceValue;
}

/**
 * `dict(obj)`, the `_reconstructor` base value of a Map subclass: a Map the pickler writes as a
 * dict literal whatever its keys, as CPython writes that dict (a plain Map of string keys is
 * written as `dict()` plus items, so that it loads as a Map).
 */
export class DictState extends Map<unknown, unknown> {}

/** What `_reconstructor` rebuilds a built-in base from: CPython's `base(obj)`, e.g. `list(obj)`. */
function baseValue(obj: object, kind: Kind): unknown {
  switch (kind) {
    case Kind.ARRAY:
      return Array.from(obj as unknown[]);
    case Kind.SET:
      return Array.from(obj as Set<unknown>);
    case Kind.MAP:
      return new DictState(Map.prototype.entries.call(obj));
    case Kind.REGEXP:
      return new RegExp(obj as RegExp);
    case Kind.TYPED_ARRAY:
      return Array.from(obj as Uint8Array);
    default: {
      const args = builtinNewArgs(obj, kind);
      return args.length > 0 ? args[0] : null;
    }
  }
}

/**
 * The object's state: `obj.__getstate__()` when it defines one, else the default state.
 *
 * @param obj The object.
 * @param kind Its built-in kind.
 * @returns The state.
 */
export function getState(obj: object, kind: Kind = kindOf(obj)): unknown {
  const getstate = (obj as Hooked).__getstate__;
  if (typeof getstate === 'function') return getstate.call(obj);
  return defaultState(obj, kind);
}

/**
 * The default state: a null-prototype snapshot of the object's own enumerable properties (see
 * `stateKeys`), with the same property descriptors (accessors stay accessors and are not
 * called); `null` when there are none.
 *
 * @param obj The object.
 * @param kind Its built-in kind.
 * @returns The snapshot, or `null`.
 */
export function defaultState(obj: object, kind: Kind = kindOf(obj)): object | null {
  const keys = stateKeys(obj, kind);
  if (keys.length === 0) return null;
  // Note: a plain object (not null-prototype) so that pickle writes it as a dict; keys are
  // defined, so a `__proto__` key stays an own property.
  const state = {};
  for (const key of keys) {
    Object.defineProperty(state, key, Object.getOwnPropertyDescriptor(obj, key)!);
  }
  return state;
}
