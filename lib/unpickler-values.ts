/**
 * Values the unpickler's machine makes that are not plain JS data: Python's `()`, a stand-in for
 * `functools.partial` (the NEWOBJ_EX form of protocols 2-3), the inert parent of a declared nested
 * name, and the signal that a load must be read again with some dicts as Maps.
 */
import { UnpicklingError } from './errors';
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
