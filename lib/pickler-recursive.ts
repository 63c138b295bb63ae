/**
 * The pickler's recursive fast path: plain dicts, lists and default class instances (and memo
 * hits) written by plain recursion, which is much faster than a task per value, up to a fixed
 * depth. Everything else, and everything below that depth, goes through the task machine of
 * pickler.ts, so a 1,000,000-deep structure still pickles on Node's default stack.
 *
 * The bytes are exactly those of the task machine (CPython's): the same frame boundaries, memo
 * entries and MARK batches, since both follow the C pickler's `save` order.
 */
import { Kind } from './builtins';
import { OP } from './opcodes';
import { stateKeys } from './ownkeys';
import { BATCHSIZE, itemAt, MAX_LIST } from './pickler-core';
import { PicklerContainers } from './pickler-containers';

/**
 * How many nested values the recursive path may hold open. Each level takes several stack
 * frames, and the task machine's own frames come on top, so this stays well below Node's limit.
 */
const MAX_DEPTH = 200;

/** The recursive writers; the Pickler decides which instances they may take. */
export abstract class PicklerRecursive extends PicklerContainers {
  /** Levels of recursion in use (reset by every dump). */
  protected depth = 0;

  /**
   * Writes `obj` completely if it is a memo hit, a plain dict, a list or a default instance,
   * and returns true; returns false, writing nothing, for anything else.
   */
  protected saveRec(value: unknown): boolean {
    if (this.depth >= MAX_DEPTH || !this.inlineAtoms) return false;
    if (typeof value === 'object' ? value === null : typeof value !== 'function') return false;
    const obj = value as object;
    const idx = this.memo.get(obj);
    if (idx !== undefined) {
      this.frameBoundary();
      this.writeGet(idx);
      return true;
    }
    if (typeof obj === 'function') return false;
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto === Object.prototype) {
      const keys: (string | symbol)[] = Object.keys(obj);
      const symbols = Object.getOwnPropertySymbols(obj);
      for (const s of symbols) if (Object.prototype.propertyIsEnumerable.call(obj, s)) keys.push(s);
      this.frameBoundary();
      if (this.protocol === 0) this.out.byte2(OP.MARK, OP.DICT);
      else this.out.byte(OP.EMPTY_DICT);
      this.memoize(obj);
      this.saveBatches(obj, keys, keys.length);
      return true;
    }
    if (proto === Array.prototype) {
      // Note: the general path refuses an over-long list at once.
      if (Object.isFrozen(obj) || (obj as unknown[]).length > MAX_LIST || stateKeys(obj, Kind.ARRAY).length > 0) return false;
      this.frameBoundary();
      if (this.protocol === 0) this.out.byte2(OP.MARK, OP.LIST);
      else this.out.byte(OP.EMPTY_LIST);
      this.memoize(obj);
      this.saveBatches(obj, null, (obj as unknown[]).length);
      return true;
    }
    const cls = this.defaultInstanceClass(obj, proto);
    if (cls === undefined) return false;
    const keys = stateKeys(obj, Kind.OBJECT);
    this.frameBoundary();
    this.depth++;
    this.saveNow(cls);
    this.depth--;
    this.out.byte2(OP.EMPTY_TUPLE, OP.NEWOBJ);
    this.memoizeMade(obj);
    if (keys.length > 0) {
      this.openStateDict();
      this.saveBatches(obj, keys, keys.length);
      this.out.byte(OP.BUILD);
    }
    return true;
  }

  /** Saves one value now, by recursion when it can, else through the task machine. */
  protected saveNow(v: unknown): void {
    if (this.saveAtom(v) || this.saveRec(v)) return;
    this.depth++;
    this.saveNested(v);
    this.depth--;
  }

  /**
   * The C pickler's `batch_list_exact` / `batch_dict_exact`: `n` items in MARK … APPENDS /
   * SETITEMS batches of 1000 (APPEND / SETITEM each when there is one item, or at protocol 0);
   * the list's items when `keys` is null, else the pairs of `keys`.
   */
  private saveBatches(obj: any, keys: readonly (string | symbol)[] | null, n: number): void {
    if (n === 0) return;
    const perItem = this.protocol === 0 || n === 1;
    const one = keys === null ? OP.APPEND : OP.SETITEM;
    const many = keys === null ? OP.APPENDS : OP.SETITEMS;
    const out = this.out;
    this.depth++;
    for (let start = 0; start < n; start += BATCHSIZE) {
      const end = Math.min(start + BATCHSIZE, n);
      if (!perItem) out.byte(OP.MARK);
      for (let i = start; i < end; i++) {
        if (keys === null) {
          this.saveNow(itemAt(obj as unknown[], i));
        } else {
          const k = keys[i]!;
          this.saveNow(k);
          this.saveNow(obj[k]);
        }
        if (perItem) out.byte(one);
      }
      if (!perItem) out.byte(many);
    }
    // Note: a dict's last full batch is followed by an empty one, as batch_dict_exact writes it.
    if (keys !== null && !perItem && n % BATCHSIZE === 0) out.byte2(OP.MARK, OP.SETITEMS);
    this.depth--;
  }

  /** Saves `v` through the task machine and returns when it is written. */
  protected abstract saveNested(v: unknown): void;

  /**
   * The class of an instance the default reduction writes as `cls () NEWOBJ` + BUILD, with no
   * hook, dispatch entry or reducer override in the way; undefined for anything else.
   */
  protected abstract defaultInstanceClass(obj: object, proto: object | null): Function | undefined;
}
