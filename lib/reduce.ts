/**
 * The reduce protocol's shared steps, written once for `copy` and the pickler: the hooks and how
 * they are found, the allocating callables (`__newobj__`, `__newobj_ex__`, `_reconstructor`), and
 * the steps that rebuild an object from a reduction (calling the callable, applying state, list
 * items and dict items), which copy and the unpickler's REDUCE / NEWOBJ / BUILD / APPENDS /
 * SETITEMS share. The default reductions themselves are in reduce-default.ts.
 */
import { allocate, classOf, needsNew, ownNew } from './builtins';
import { typeName } from './errors';
import { defineDescriptor, defineValue, propertyKey } from './props';
import type { Reducer } from './reduction';
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
  if (ownNew(cls) !== undefined) return false;
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
