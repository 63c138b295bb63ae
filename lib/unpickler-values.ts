/**
 * Values the unpickler's machine makes that are not plain JS data: Python's `()`, a stand-in for
 * `functools.partial` (the NEWOBJ_EX form of protocols 2-3), the inert parent of a declared nested
 * name, and the signal that a load must be read again with some dicts as Maps; and how it builds
 * a DICT, a list with holes and an Error's state.
 */
import { UnpicklingError } from './errors';
import { propertyKey } from './props';
import { setItem } from './reduce';
import { HOLE } from './typemap';
import { PyGlobal, PyObject } from './pyobjects';
import { err } from './unpickler-input';

/**
 * Python's `()`: one object, as in CPython, where every empty tuple is the same singleton. Picklers
 * never memoize it, so one shared frozen empty array is the only way sharing can survive.
 */
export const EMPTY_TUPLE: readonly unknown[] = Object.freeze([]);

/** The functions PARTIAL_NATIVE made: the only functions BUILD may give state to. */
const PARTIALS = new WeakSet<Function>();

/**
 * Whether `fn` is a partial PARTIAL_NATIVE made (BUILD may give it its state).
 *
 * @param fn A function.
 * @returns True for those.
 */
export function isPartial(fn: Function): boolean {
  return PARTIALS.has(fn);
}

/** `functools.partial`, as far as pickles of NEWOBJ_EX at protocols 2-3 need it. */
export function PARTIAL_NATIVE(func: unknown, ...args: unknown[]): Function {
  let target = func;
  let bound = args;
  let keywords: Record<string, unknown> | null = null;
  const partial = function (this: unknown, ...more: unknown[]): unknown {
    // Note: with placeholders, `partial(cls.__new__, cls, *args, **kw)()` is NEWOBJ_EX of a placeholder class.
    if (target instanceof PyGlobal && target.name.endsWith('.__new__') && bound[0] instanceof PyGlobal) {
      return new PyObject(bound[0], [...bound.slice(1), ...more], 'newobj_ex', keywords ?? {});
    }
    if (typeof target !== 'function') throw err('partial() first argument must be callable');
    const all = [...bound, ...more];
    if (keywords !== null && Object.keys(keywords).length > 0) all.push(keywords);
    return (target as Function)(...all);
  };
  PARTIALS.add(partial);
  Object.defineProperty(partial, '__setstate__', {
    value(state: unknown) {
      if (!Array.isArray(state) || state.length !== 4) throw err('partial state must be a 4-tuple');
      [target, bound, keywords] = [state[0], Array.from(state[1] as unknown[]), state[2] as Record<string, unknown> | null];
    },
  });
  return partial;
}

/**
 * The parent of a declared nested name (`module.Outer` of `Outer.Inner`), which pickles below
 * protocol 4 name on the way to the member (`getattr(module.Outer, 'Inner')`). It loads as an
 * inert placeholder, and unlike one it cannot be called unless placeholders are on.
 */
export class PyParent extends PyGlobal {}

/**
 * Refuses a nested name's parent as a callable unless placeholders are on (see PyParent).
 *
 * @param x What a pickle would call or allocate.
 * @param placeholders Whether the load makes placeholders of unknown globals.
 * @throws {UnpicklingError} `global 'module.Outer' is forbidden`.
 */
export function refuseParent(x: unknown, placeholders: boolean): void {
  if (x instanceof PyParent && !placeholders) throw err(`global '${x.module}.${x.name}' is forbidden`);
}

/**
 * A dict got a non-string key after a reference to it was stored where it cannot be swapped for a
 * Map. Unpickler.load catches it and loads again, knowing which dicts to make Maps.
 */
export class MapNeeded extends UnpicklingError {}

/**
 * DICT: a plain object when every key is a string, else a Map.
 *
 * @param items Keys and values, alternating.
 * @returns The dict.
 */
export function makeDict(items: unknown[]): object {
  let strings = true;
  for (let i = 0; i < items.length; i += 2) {
    if (typeof items[i] !== 'string' && typeof items[i] !== 'symbol') strings = false;
  }
  const d: object = strings ? {} : new Map();
  for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
  return d;
}

/**
 * Items from the wire with `copyreg_js.hole` turned back into array holes.
 *
 * @param items The items.
 * @returns The same array when it has no hole marker, else a copy with holes.
 */
export function withHoles(items: unknown[]): unknown[] {
  if (!items.includes(HOLE)) return items;
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) if (items[i] !== HOLE) out[i] = items[i];
  return out;
}

/**
 * BUILD on an Error: message, stack and cause stay non-enumerable, as on a thrown Error.
 *
 * @param e The Error.
 * @param state Its state (a dict read back as a plain object, or a Map).
 */
export function buildError(e: Error, state: unknown): void {
  if (state === null || state === undefined) return;
  const entries = state instanceof Map ? [...state] : Object.entries(state as object);
  for (const [k, v] of entries) {
    const key = propertyKey(k);
    const hidden = key === 'message' || key === 'stack' || key === 'cause' || key === 'errors';
    Object.defineProperty(e, key, { value: v, writable: true, enumerable: !hidden, configurable: true });
  }
}
