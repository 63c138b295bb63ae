/**
 * The task kinds of the pickler's explicit stack (pickler.ts runs them; pickler-core.ts and
 * pickler-containers.ts push them), imported as `T`. A task is (kind, value, aux) on three
 * parallel arrays.
 */

/** Task: save a value. */
export const SAVE = 0;
/** Task: a persistent id itself: persistentId is not asked about it. */
export const SAVE_NOPERS = 1;
/** Task: write one opcode byte. */
export const OP = 2;
/** Task: save an array as a tuple (reduce args), whatever its frozenness. */
export const TUPLE = 3;
/** Task: after a tuple's items: TUPLE (or POPs and a GET when it got memoized meanwhile). */
export const TUPLE_END = 4;
/** Task: after a frozenset's items: FROZENSET (or POP_MARK and a GET). */
export const FROZENSET_END = 5;
/** Task: the next batch of an exact list's items. */
export const LIST_BATCH = 6;
/** Task: the next batch of a dict's pairs. */
export const DICT_BATCH = 7;
/** Task: the next batch of a set's items. */
export const SET_BATCH = 8;
/** Task: listItems / dictItems of a reduction (the generic batcher). */
export const ITER_BATCH = 9;
/** Task: after the callable and arguments: REDUCE / NEWOBJ / NEWOBJ_EX, then items and state. */
export const REDUCE_END = 10;
/** Task: after the module and name strings: STACK_GLOBAL and the memo entry. */
export const GLOBAL_END = 11;
/** Task: save a BUILD state: a plain object keeps its non-enumerable keys too. */
export const STATE = 12;
/** Task: after a state setter's arguments: TUPLE2 REDUCE POP. */
export const SETSTATE_END = 14;
/** Task: NEWOBJ and the instance's memo entry (default instances). */
export const NEWOBJ_END = 15;
/** Task: an instance's own properties as the BUILD dict. */
export const INSTANCE_STATE = 16;
/** Task: DICT and the memo entry of a Map written as MARK k v … DICT. */
export const DICT_END = 19;
