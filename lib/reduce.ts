/**
 * The reduce protocol, written once and shared by `copy` and the pickler: hook lookup, the
 * default `object.__reduce_ex__` (both the protocol ≥ 2 `__newobj__` form and the protocol 0/1
 * `_reconstructor` form), the default `__getstate__`, and the steps that rebuild an object from a
 * reduction (calling the callable, applying state, list items and dict items), which copy and the
 * unpickler's REDUCE / NEWOBJ / BUILD / APPENDS / SETITEMS share.
 */
import { allocate, builtinBase, classOf, Kind, kindOf, needsNew } from './builtins';
import { typeName } from './errors';
import { stateKeys } from './ownkeys';
import { defineDescriptor, defineValue, propertyKey } from './props';
import type { Reducer, ReduceValue } from './reduction';
import { defaultRegistry, type Registry } from './registry';

/**
 * The hooks that replace the default reduction, own or inherited (Python's dunder names, kept on
 * purpose). Copy also looks for `__copy__` / `__deepcopy__`.
 */
export const REDUCE_HOOKS = [
  '__reduce_ex__',
  '__reduce__',
  '__getstate__',
  '__setstate__',
  '__getnewargs_ex__',
  '__getnewargs__',
] as const;

type Hooked = Record<string, unknown>;

/**
 * `copyreg.__newobj__`: a new instance of `cls` made without running its constructor.
 *
 * @param cls The class; when it extends a built-in (Array, Map, Date, Error, …) the built-in's
 *   internals are created, from `args`.
 * @param args Arguments for the built-in base (or for a `static __new__(cls, ...args)`).
 * @returns The new instance, with prototype `cls.prototype`.
 * @throws {TypeError} when `cls` is not a class.
 */
export function newobj<C extends abstract new (...args: any) => any>(
  cls: C,
  ...args: unknown[]
): InstanceType<C> {
  return allocate(cls, args) as InstanceType<C>;
}

/**
 * `copyreg.__newobj_ex__`: like {@link newobj}; a non-empty `kwargs` object is passed as one extra
 * trailing argument (JS has no keyword arguments).
 *
 * @param cls The class.
 * @param args Positional arguments.
 * @param kwargs Keyword arguments as a plain object.
 * @returns The new instance.
 */
export function newobjEx<C extends abstract new (...args: any) => any>(
  cls: C,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>> | null | undefined,
): InstanceType<C> {
  if (!Array.isArray(args)) throw new TypeError(`Value after * must be an iterable, not ${typeName(args)}`);
  if (kwargs !== null && kwargs !== undefined && !isKeywords(kwargs)) {
    throw new TypeError(`argument after ** must be a mapping, not ${typeName(kwargs)}`);
  }
  const extra = kwargs !== null && kwargs !== undefined && Object.keys(kwargs).length > 0;
  return allocate(cls, extra ? [...args, kwargs] : args) as InstanceType<C>;
}

/**
 * Whether `x` can be keyword arguments: a plain or null-prototype object, or a Map (a dict).
 *
 * @param x Any value.
 * @returns True for those.
 */
export function isKeywords(x: unknown): x is Readonly<Record<string, unknown>> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null || x instanceof Map;
}

/**
 * `copyreg._reconstructor`, the callable of the protocol 0/1 default reduction: an instance of
 * `cls` whose built-in part (`base`, e.g. Array or Date) is made from `state`.
 *
 * @param cls The class.
 * @param base Its nearest built-in base (`Object` for an ordinary class).
 * @param state The base's value (`null` for Object).
 * @returns The new instance.
 */
export function reconstructor(cls: Function, base: Function, state: unknown): object {
  if (base === Object || base === undefined || base === null) return allocate(cls, []);
  if (base === Array) {
    const obj = Reflect.construct(Array, [], cls) as unknown[];
    if (state != null) for (const item of state as Iterable<unknown>) obj.push(item);
    return obj;
  }
  let arg = state;
  if (base === Map && state !== null && typeof state === 'object' && !isIterable(state)) {
    // A Python dict's state arrives as a plain object when its keys are strings.
    arg = Object.entries(state);
  }
  return Reflect.construct(base, arg == null ? [] : [arg], cls) as object;
}

function isIterable(x: object): boolean {
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/**
 * Whether a reduce callable only allocates (`newobj`, `newobjEx`, `_reconstructor`): its object
 * can be memoized before its state, and gets the original's integrity level once filled.
 *
 * @param func The callable.
 * @returns True for the allocating callables.
 */
export function isDefaultAllocation(func: Function): boolean {
  return func === newobj || func === newobjEx || func === reconstructor;
}

/**
 * Invokes a reduce callable: a declared static factory with its class as `this`, a class with
 * `new`, any other function with a plain call.
 *
 * @param func The callable.
 * @param args Its arguments.
 * @param registry Where static factories are declared.
 * @returns What it returned.
 */
export function callReduce(
  func: Function,
  args: readonly unknown[],
  registry: Registry = defaultRegistry,
): unknown {
  const thisArg = registry.thisFor(func);
  if (thisArg !== undefined) return func.apply(thisArg, args);
  if (needsNew(func)) return Reflect.construct(func, args);
  try {
    return func(...args);
  } catch (e) {
    // A bound class or a Proxy of one does not show `class` in its source text; the engine
    // refuses the call before any of its code runs, so constructing it instead is the same call.
    if (e instanceof TypeError && /\bnew\b/.test(e.message) && isConstructor(func)) return Reflect.construct(func, args);
    throw e;
  }
}

/** Whether `fn` can be called with `new` (without calling it). */
function isConstructor(fn: Function): boolean {
  try {
    Reflect.construct(String, [], fn);
    return true;
  } catch {
    return false;
  }
}

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
 * Whether a non-built-in object would be reduced by the default reduction with its default state
 * and no special arguments: then copy and the pickler may take their fast path.
 *
 * @param obj The object.
 * @param table The dispatch table in force.
 * @returns True when no hook, reducer or state method applies.
 */
export function usesDefaultReduction(obj: object, table: ReadonlyMap<Function, Reducer>): boolean {
  if (hasReduceHook(obj)) return false;
  const cls = classOf(obj);
  // Note: a class's own `static __new__` must allocate its copies too, as copy's __newobj__ calls it.
  if (cls !== undefined && typeof (cls as { __new__?: unknown }).__new__ === 'function') return false;
  return table.size === 0 || !table.has(cls as Function);
}

/**
 * Whether `obj` itself owns one of `names` (enumerable or not): an instance's own hook counts
 * even when its class has none, as Python's `getattr` finds an instance attribute.
 *
 * @param obj The object.
 * @param names Hook names.
 * @returns True when one is an own property.
 */
export function ownsHook(obj: object, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) if (Object.hasOwn(obj, names[i]!)) return true;
  return false;
}

/**
 * Whether `obj` has one of {@link REDUCE_HOOKS}, own or inherited.
 *
 * @param obj The object (a prototype answers for instances that own no hook).
 * @returns True when a hook is defined.
 */
export function hasReduceHook(obj: object): boolean {
  for (let i = 0; i < REDUCE_HOOKS.length; i++) {
    if ((obj as Hooked)[REDUCE_HOOKS[i]!] !== undefined) return true;
  }
  return false;
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

/** What `_reconstructor` rebuilds a built-in base from: CPython's `base(obj)`, e.g. `list(obj)`. */
function baseValue(obj: object, kind: Kind): unknown {
  switch (kind) {
    case Kind.ARRAY:
      return Array.from(obj as unknown[]);
    case Kind.SET:
      return Array.from(obj as Set<unknown>);
    case Kind.MAP:
      return Array.from(obj as Map<unknown, unknown>);
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

/**
 * Applies a state to an object, as BUILD and `copy._reconstruct` do: `stateSetter(obj, state)`
 * when given, else `obj.__setstate__(state)`, else the state's own properties become own
 * properties of `obj` (setters are not run, prototypes never change). A frozen array of two
 * items is CPython's `(state, slotstate)` pair; the slot part is assigned, running setters.
 *
 * @param obj The object being rebuilt.
 * @param state The state (not null or undefined).
 * @param fail Makes the error for a state that is not a mapping.
 * @param stateSetter The 6th item of the reduce value, if any.
 */
export function setState(
  obj: object,
  state: unknown,
  fail: (message: string) => Error,
  stateSetter?: ((obj: any, state: any) => unknown) | null,
): void {
  if (typeof stateSetter === 'function') {
    stateSetter(obj, state);
    return;
  }
  const setstate = (obj as Hooked).__setstate__;
  if (typeof setstate === 'function') {
    setstate.call(obj, state);
    return;
  }
  let slotState: unknown = null;
  if (Array.isArray(state) && state.length === 2 && Object.isFrozen(state)) {
    slotState = state[1];
    state = state[0];
  }
  if (state !== null && state !== undefined) applyMapping(obj, state, fail, false);
  if (slotState !== null && slotState !== undefined) applyMapping(obj, slotState, fail, true);
}

function applyMapping(obj: object, state: unknown, fail: (m: string) => Error, assign: boolean): void {
  if (state instanceof Map) {
    for (const [k, v] of state) {
      const key = propertyKey(k);
      if (assign && key !== '__proto__') (obj as Record<string | symbol, unknown>)[key] = v;
      else defineValue(obj, key, v);
    }
    return;
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw fail('state is not a dictionary');
  }
  for (const key of Reflect.ownKeys(state)) {
    const desc = Object.getOwnPropertyDescriptor(state, key)!;
    // Note: slot state goes through setters, as setattr does, but never through __proto__'s.
    if (assign && key !== '__proto__') {
      (obj as Record<string | symbol, unknown>)[key] = desc.get ? desc.get.call(state) : desc.value;
    } else if (assign) {
      defineValue(obj, key, desc.get ? desc.get.call(state) : desc.value);
    } else {
      defineDescriptor(obj, key, desc);
    }
  }
}

/**
 * Appends list items as CPython's APPENDS and `_reconstruct` do: `push` on an Array, `add` on a
 * Set, else the object's own `extend` or `append`.
 *
 * @param obj The target.
 * @param items The items.
 * @param fail Makes the error when the object can take none.
 */
export function appendItems(obj: object, items: Iterable<unknown>, fail: (m: string) => Error): void {
  const o = obj as Hooked;
  if (Array.isArray(obj) && typeof o.extend !== 'function' && typeof o.append !== 'function') {
    for (const item of items) (obj as unknown[]).push(item);
  } else if (obj instanceof Set && typeof o.append !== 'function') {
    for (const item of items) (obj as Set<unknown>).add(item);
  } else if (typeof o.extend === 'function') {
    o.extend(Array.from(items));
  } else if (typeof o.append === 'function') {
    for (const item of items) (o.append as Function).call(obj, item);
  } else {
    throw fail(`'${typeName(obj)}' object has no attribute 'append'`);
  }
}

/**
 * Sets one dict item as SETITEMS and `_reconstruct` do: `set` on a Map, `__setitem__` when the
 * object has one, an existing index of an Array (as Python's list does), else a property
 * assignment (setters run; a `__proto__` key is defined as an own property).
 *
 * @param obj The target.
 * @param key The key.
 * @param value The value.
 */
export function setItem(obj: object, key: unknown, value: unknown): void {
  if (obj instanceof Map) {
    obj.set(key, value);
    return;
  }
  const setitem = (obj as Hooked).__setitem__;
  if (typeof setitem === 'function') {
    setitem.call(obj, key, value);
    return;
  }
  if (Array.isArray(obj)) {
    // Python's list.__setitem__: an existing index (negative counts from the end), nothing else;
    // a pickle could otherwise make a "list" of length 2^32-1 in a few bytes.
    let i = typeof key === 'bigint' ? Number(key) : key;
    if (typeof i !== 'number' || !Number.isInteger(i)) {
      throw new TypeError(`list indices must be integers or slices, not ${typeName(key)}`);
    }
    if (i < 0) i += obj.length;
    if (i < 0 || i >= obj.length) throw new RangeError('list assignment index out of range');
    obj[i] = value;
    return;
  }
  const k = propertyKey(key);
  // Python's obj[key] = value is an assignment (setters run), but Object.prototype's __proto__
  // setter would change the prototype: that key is defined as an own property instead.
  if (k === '__proto__') defineValue(obj, k, value);
  else (obj as Record<string | symbol, unknown>)[k] = value;
}
