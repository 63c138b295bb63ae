/**
 * The shape of a reduce value, CPython's `(callable, args, state, listitems, dictitems,
 * state_setter)` tuple written as a JS array, and its validation. Shared by copy and the pickler.
 */
import { typeName } from './errors';

/** Anything a reduce value may name as its callable: a class (constructed with `new`) or a function. */
export type ReduceCallable =
  | ((...args: any[]) => unknown)
  | (abstract new (...args: any[]) => unknown);

/**
 * The arguments a reduce callable takes: a class's constructor parameters, a function's parameters.
 */
export type ReduceArgs<F> = F extends abstract new (...args: infer P) => unknown
  ? P
  : F extends (...args: infer P) => unknown
    ? P
    : never;

/**
 * The array form of a reduce value: `[callable, args, state?, listItems?, dictItems?, stateSetter?]`.
 *
 * `args` is checked against the callable's parameters (a class's `ConstructorParameters`), so a
 * reducer that passes the wrong arguments does not compile.
 */
export type ReduceTuple<F extends ReduceCallable = ReduceCallable> =
  | readonly [callable: F, args: Readonly<ReduceArgs<F>>]
  | readonly [callable: F, args: Readonly<ReduceArgs<F>>, state: unknown]
  | readonly [
      callable: F,
      args: Readonly<ReduceArgs<F>>,
      state: unknown,
      listItems: Iterable<unknown> | null | undefined,
    ]
  | readonly [
      callable: F,
      args: Readonly<ReduceArgs<F>>,
      state: unknown,
      listItems: Iterable<unknown> | null | undefined,
      dictItems: Iterable<readonly [unknown, unknown]> | null | undefined,
    ]
  | readonly [
      callable: F,
      args: Readonly<ReduceArgs<F>>,
      state: unknown,
      listItems: Iterable<unknown> | null | undefined,
      dictItems: Iterable<readonly [unknown, unknown]> | null | undefined,
      // Note: `never` parameters, not `any`, so that a setter typed for the class, such as
      // `(o: Point, s: State) => void`, fits: TypeScript's first overload pass compares by
      // subtype, where such a setter does not match `any` parameters, and it would then settle
      // on `reducible`'s bare-class overload (error: "Type 'void' has no call signatures").
      stateSetter: ((obj: never, state: never) => unknown) | null | undefined,
    ];

/**
 * What a reducer returns: a string (the object is the global of that name, pickled by reference
 * and returned as is by `copy`) or a {@link ReduceTuple}.
 */
export type ReduceValue<F extends ReduceCallable = ReduceCallable> = string | ReduceTuple<F>;

/** A reduction function, the value type of `dispatchTable` (CPython's `copyreg.pickle` argument). */
export type Reducer<T = any> = (obj: T) => ReduceValue<any>;

/** A reduce value unpacked into named fields (after validation). */
export interface Reduction {
  readonly func: Function;
  readonly args: readonly unknown[];
  readonly state: unknown;
  readonly listItems: Iterable<unknown> | null | undefined;
  readonly dictItems: Iterable<readonly [unknown, unknown]> | null | undefined;
  readonly stateSetter: ((obj: any, state: any) => unknown) | null | undefined;
}

/**
 * Checks the array form of a reduce value the way CPython's `save_reduce` does, and unpacks it.
 *
 * @param rv The value a reducer or hook returned (already known not to be a string).
 * @param fail Makes the error to throw (PicklingError for pickle, TypeError for copy).
 * @param maxLength 6, or 5 for `copy`, whose CPython counterpart rejects a state setter.
 * @returns The named fields.
 * @throws what `fail` makes, with CPython's wording, when the shape is wrong.
 */
export function unpackReduceValue(
  rv: unknown,
  fail: (message: string) => Error,
  maxLength = 6,
  isCallable: (f: unknown) => boolean = (f) => typeof f === 'function',
): Reduction {
  if (!Array.isArray(rv)) {
    throw fail(`__reduce__ must return a string or tuple, not ${typeName(rv)}`);
  }
  const n = rv.length;
  if (n < 2 || n > maxLength) {
    throw fail(
      maxLength === 6
        ? 'tuple returned by __reduce__ must contain 2 through 6 elements'
        : `tuple returned by __reduce__ must contain 2 through ${maxLength} elements for copy ` +
            `(a state setter is only used by pickle), got ${n}`,
    );
  }
  const func = rv[0] as unknown;
  if (!isCallable(func)) {
    throw fail('first item of the tuple returned by __reduce__ must be callable');
  }
  const args = rv[1] as unknown;
  if (!Array.isArray(args)) {
    throw fail('second item of the tuple returned by __reduce__ must be a tuple');
  }
  const listItems = rv[3] as Reduction['listItems'];
  if (listItems != null && !isIterable(listItems)) {
    throw fail(`fourth element of the tuple returned by __reduce__ must be an iterator, not ${typeName(listItems)}`);
  }
  const dictItems = rv[4] as Reduction['dictItems'];
  if (dictItems != null && !isIterable(dictItems)) {
    throw fail(`fifth element of the tuple returned by __reduce__ must be an iterator, not ${typeName(dictItems)}`);
  }
  const stateSetter = rv[5] as Reduction['stateSetter'];
  if (stateSetter != null && typeof stateSetter !== 'function') {
    throw fail(`sixth element of the tuple returned by __reduce__ must be a function, not ${typeName(stateSetter)}`);
  }
  return { func: func as Function, args, state: rv[2], listItems, dictItems, stateSetter };
}

function isIterable(x: unknown): x is Iterable<unknown> {
  return (
    x !== null &&
    (typeof x === 'object' || typeof x === 'function') &&
    typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}
