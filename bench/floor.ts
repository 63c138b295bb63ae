/**
 * Two reference walks that show what deepcopy's fidelity costs on JSON-like data. They are not
 * copiers: they know plain objects and arrays only and throw on anything else.
 *
 * - `bareWalk` copies the way the fast cloners do: own enumerable string keys read with `x[k]`,
 *   array items by index, identity kept with the same stamped memo deepcopy uses.
 * - `checkedWalk` is the same walk plus the engine calls SPEC §5 makes unavoidable and nothing
 *   else: symbol keys (`getOwnPropertySymbols` on every object and array), a descriptor per key
 *   (an accessor must be copied, never called), extensibility (frozen/sealed state), and an
 *   array's keys (its extra own properties).
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
  throw new TypeError(`floor walks take plain objects and arrays only, not ${Object.prototype.toString.call(x)}`);
}

const bare: Walk = (x, memo) => {
  const proto = Object.getPrototypeOf(x) as object | null;
  if (proto === Array.prototype) {
    const a = x as unknown[];
    const y = a.slice();
    memo.add(x, y);
    for (let i = 0; i < a.length; i++) y[i] = child(bare, a[i], memo);
    return y;
  }
  if (proto !== Object.prototype) refuse(x);
  const o = x as Record<string, unknown>;
  const y: Record<string, unknown> = {};
  memo.add(x, y);
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) y[keys[i]!] = child(bare, o[keys[i]!], memo);
  return y;
};

const checked: Walk = (x, memo) => {
  const proto = Object.getPrototypeOf(x) as object | null;
  if (!Object.isExtensible(x)) refuse(x);
  if (proto === Array.prototype) {
    const a = x as unknown[];
    const y = a.slice();
    memo.add(x, y);
    for (let i = 0; i < a.length; i++) y[i] = child(checked, a[i], memo);
    const names = Object.keys(a);
    if ((names.length > 0 && names.length !== a.length) || Object.getOwnPropertySymbols(a).length > 0) refuse(x);
    return y;
  }
  if (proto !== Object.prototype) refuse(x);
  const y: Record<string, unknown> = {};
  memo.add(x, y);
  const keys = Object.keys(x);
  if (Object.getOwnPropertySymbols(x).length > 0) refuse(x);
  for (let i = 0; i < keys.length; i++) {
    const d = Object.getOwnPropertyDescriptor(x, keys[i]!)!;
    if (d.writable !== true || d.configurable !== true) refuse(x);
    y[keys[i]!] = child(checked, d.value, memo);
  }
  return y;
};

/** Copies plain objects and arrays with no fidelity checks (see the module comment). */
export function bareWalk(x: unknown): unknown {
  return run(bare, x);
}

/** {@link bareWalk} plus the checks SPEC §5 requires (see the module comment). */
export function checkedWalk(x: unknown): unknown {
  return run(checked, x);
}
