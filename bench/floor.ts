/**
 * Two reference walks that show what deepcopy's fidelity costs. They are not copiers: they know
 * plain objects, arrays, class instances (prototype kept, constructor not run), Map, Set and Date
 * only, recurse (so not the 1,000,000 chain), look up no hooks, and throw on anything else.
 *
 * - `bareWalk` copies the way the fast cloners do: own enumerable string keys read with `x[k]`,
 *   array items by index, identity kept with the same stamped memo deepcopy uses.
 * - `checkedWalk` is the same walk plus the engine calls SPEC §5 makes unavoidable and nothing
 *   else: symbol keys (`getOwnPropertySymbols` on every object and array), a descriptor per key
 *   (an accessor must be copied, never called), extensibility (frozen/sealed state), an array's
 *   keys (its extra own properties), and the own properties of Maps, Sets and Dates.
 *
 * The gap between them, printed by the copy bench beside fast-copy's time, is the price of that
 * fidelity on this engine, whatever the rest of the copier does.
 */
import { StampedMemo } from '../lib/memo';

type Walk = (x: object, memo: StampedMemo) => unknown;

function run(walk: Walk, x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  const memo = StampedMemo.acquire();
  if (memo === undefined) throw new Error('another walk holds the stamped memo');
  try {
    return walk(x, memo);
  } finally {
    memo.release();
  }
}

function child(walk: Walk, v: unknown, memo: StampedMemo): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const hit = memo.get(v);
  return hit !== undefined ? hit : walk(v, memo);
}

function refuse(x: object): never {
  throw new TypeError(`floor walks do not take ${Object.prototype.toString.call(x)}`);
}

/** A new object for `x`, or undefined for an array; the copy's items are filled in later. */
function shell(x: object, proto: object | null): object | undefined {
  if (proto === Array.prototype) return undefined;
  if (proto === Map.prototype) return new Map();
  if (proto === Set.prototype) return new Set();
  if (proto === Date.prototype) return new Date((x as Date).getTime());
  if (proto === Object.prototype) return {};
  if (proto === null || typeof x === 'function') refuse(x);
  // Note: anything else is taken for a class instance (the bench workloads hold no other
  // built-ins; the fidelity check of each copy would show it).
  return Object.create(proto) as object;
}

/** Copies an array: its items by index. */
function copyArray(walk: Walk, a: unknown[], memo: StampedMemo): unknown[] {
  const copy = a.slice();
  memo.add(a, copy);
  for (let i = 0; i < a.length; i++) copy[i] = child(walk, a[i], memo);
  return copy;
}

/** Copies a Map's or Set's items. */
function items(walk: Walk, x: object, y: object, memo: StampedMemo): void {
  if (x instanceof Map) x.forEach((v, k) => (y as Map<unknown, unknown>).set(child(walk, k, memo), child(walk, v, memo)));
  else if (x instanceof Set) x.forEach((v) => (y as Set<unknown>).add(child(walk, v, memo)));
}

const bare: Walk = (x, memo) => {
  const proto = Object.getPrototypeOf(x) as object | null;
  const y = shell(x, proto);
  if (y === undefined) return copyArray(bare, x as unknown[], memo);
  memo.add(x, y);
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) (y as Record<string, unknown>)[keys[i]!] = child(bare, o[keys[i]!], memo);
  items(bare, x, y, memo);
  return y;
};

const checked: Walk = (x, memo) => {
  if (!Object.isExtensible(x)) refuse(x);
  const proto = Object.getPrototypeOf(x) as object | null;
  const y = shell(x, proto);
  if (y === undefined) {
    const a = x as unknown[];
    const copy = copyArray(checked, a, memo);
    const names = Object.keys(a);
    if ((names.length > 0 && names.length !== a.length) || Object.getOwnPropertySymbols(a).length > 0) refuse(x);
    return copy;
  }
  memo.add(x, y);
  const keys = Object.keys(x);
  if (Object.getOwnPropertySymbols(x).length > 0) refuse(x);
  for (let i = 0; i < keys.length; i++) {
    const d = Object.getOwnPropertyDescriptor(x, keys[i]!)!;
    if (d.writable !== true || d.configurable !== true) refuse(x);
    (y as Record<string, unknown>)[keys[i]!] = child(checked, d.value, memo);
  }
  items(checked, x, y, memo);
  return y;
};

/** Copies with no fidelity checks (see the module comment). */
export function bareWalk(x: unknown): unknown {
  return run(bare, x);
}

/** {@link bareWalk} plus the checks SPEC §5 requires (see the module comment). */
export function checkedWalk(x: unknown): unknown {
  return run(checked, x);
}
