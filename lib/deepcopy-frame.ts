/**
 * The frame record of deepcopy's frame walker (deepcopy-frames.ts): one unit of pending work,
 * its kinds and phases, and the small helpers the walker's steps share.
 */
import { Kind, kindOf } from './builtins';
import type { IdentityMemo } from './memo';
import { sparseIndices, stateKeys } from './ownkeys';
import type { Reduction } from './reduction';
import { applyIntegrity, integrityOf, makeShell } from './shells';

/** A result that is not ready: a frame will deliver it. */
export const PENDING: unique symbol = Symbol('pending');

export const F_ROOT = 0;
export const F_OBJECT = 1; // state keys, then items (Array / Map / Set), then integrity
export const F_TUPLE = 2; // frozen array or frozen plain object: finished after its parts
export const F_REDUCE = 3; // args, call, state, list items, dict items

// Phases of F_OBJECT.
export const P_INDICES = 0;
export const P_PROPS = 1;
export const P_ITEMS = 2;
export const P_MAP_KEY_WAIT = 3;
export const P_MAP_VALUE = 4;

// Phases of F_REDUCE.
export const R_ARGS = 0;
export const R_STATE = 1;
export const R_LIST = 2;
export const R_DICT_KEY = 3;
export const R_DICT_VALUE = 4;

/** One unit of pending work. A single shape for every kind keeps the loop monomorphic. */
export class Frame {
  kind = F_ROOT;
  x: any = undefined;
  y: any = undefined;
  phase = 0;
  /** Index into the indices of an array, into `keys`, or into the reduce args. */
  i = 0;
  keys: (string | symbol)[] | undefined = undefined;
  /** P_INDICES of a sparse array: the indices present (`i` counts through them), else undefined. */
  indices: number[] | undefined = undefined;
  /** Set while waiting for a child frame's result. */
  waiting = false;
  /** Where a delivered result goes: an index, a key, or a copied Map key. */
  slot: any = undefined;
  slotDesc: PropertyDescriptor | undefined = undefined;
  /** F_OBJECT: the kind whose items follow the properties (-1 for none). */
  itemKind = -1;
  /** F_TUPLE: whether any part's copy differs from the part. */
  changed = false;
  integrity = 0;
  iter: Iterator<any> | undefined = undefined;
  red: Reduction | undefined = undefined;
  args: unknown[] | undefined = undefined;
  /** A value waiting to be copied (a Map value, a dict item's value). */
  pendingValue: unknown = undefined;
}

/** Makes the TypeError for a malformed reduce value. */
export const typeError = (m: string): Error => new TypeError(m);

/** What the frame walker needs from deepcopy's recursive walker. */
export interface RecursiveCopier {
  /** The finished copy of `x` by recursion, or PENDING when it is left to the frames. */
  tryRecursive(x: object): unknown;
  /** A nested walk starts (it counts as one level of recursion). */
  enter(): void;
  leave(): void;
  /** The memo of this copy, original → copy. */
  readonly memo: IdentityMemo;
  /** The memo as the `Map` a `__deepcopy__(memo)` hook receives. */
  publicMemo(): Map<unknown, unknown>;
}

/**
 * The copy of the buffer a typed array or DataView views: one copy per buffer, so views that
 * share a buffer share its copy; a SharedArrayBuffer is shared, not copied.
 *
 * @param memo The copy's memo.
 * @param buffer The original buffer.
 * @returns Its copy.
 */
export function copyBuffer(memo: IdentityMemo, buffer: ArrayBufferLike): ArrayBufferLike {
  const hit = memo.get(buffer);
  if (hit !== undefined) return hit as ArrayBufferLike;
  if (kindOf(buffer) === Kind.ATOMIC) return buffer;
  const y = makeShell(buffer, Kind.ARRAY_BUFFER) as ArrayBuffer;
  memo.set(buffer, y);
  applyIntegrity(y, integrityOf(buffer));
  return y;
}

/** Stands for a missing index while the items of an Array subclass are copied. */
export const HOLE: unique symbol = Symbol('hole');

/** The items of an array, with HOLE where an index is missing (values() would give undefined). */
export function* arrayItems(x: unknown[]): Generator<unknown> {
  for (let i = 0; i < x.length; i++) yield i in x ? x[i] : HOLE;
}

/** The parts of a frozen array: its present indices, then its state keys. */
export function arrayPartKeys(x: unknown[]): (string | symbol)[] {
  const keys: (string | symbol)[] = [];
  const sparse = sparseIndices(x);
  if (sparse !== undefined) for (const i of sparse) keys.push(String(i));
  else for (let i = 0; i < x.length; i++) if (i in x) keys.push(String(i));
  return keys.concat(stateKeys(x, Kind.ARRAY));
}
