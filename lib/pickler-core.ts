/**
 * The pickler's machinery below `save()`: the output buffer, the memo (objects by identity,
 * strings by value, globals by name), the explicit task stack that replaces recursion, and the
 * batchers that write a container's items in groups of 1000 the way CPython's C pickler does.
 * pickler.ts builds the Pickler on top.
 */
import { PicklingError, typeName } from './errors';
import { OP } from './opcodes';
import { Output } from './output';
import { writeFloat, writeInt, writeStr } from './pickler-atoms';
import * as T from './pickler-tasks';
import { PickleBuffer, PyGlobal } from './pyobjects';
import type { Reduction } from './reduction';
import { HOLE_GLOBAL } from './typemap';

/**
 * How many saves of one object may be in progress before it is memoized (tuple items, reduce
 * arguments). CPython stops at its recursion limit; a frozen array containing itself would
 * otherwise never end.
 */
export const MAX_REENTRY = 1000;

/** Lists longer than this cannot be written (one byte per index would pass 2 GiB). */
export const MAX_LIST = 2 ** 31;

/** Items per MARK … APPENDS / SETITEMS / ADDITEMS batch, as in CPython. */
export const BATCHSIZE = 1000;

/** Strings up to this length are memoized by value; longer ones are written every time. */
const SHARED_STR_MAX = 64;

/** Where a container's batched items stand between tasks. */
export interface Batch {
  readonly obj: any;
  readonly keys: readonly (string | symbol)[] | readonly [unknown, unknown][] | unknown[];
  i: number;
  /** For T.ITER_BATCH: SETITEMS pairs instead of APPENDS items. */
  readonly pairs?: boolean;
  readonly iter?: Iterator<unknown>;
  /** List and object batches: where the current batch ends, once its MARK is written. */
  end?: number;
  open?: boolean;
  /** Object batches: the key at `i` is written, its value is next. */
  half?: boolean;
}

/** The PicklingError for an object made by `Object.create(proto)` with a hook and no class to name. */
export function noClassOfItsOwn(): PicklingError {
  return picklingError(
    "Can't pickle an object whose prototype has no class of its own (Object.create(proto)): declare a class, or give it a reducer",
  );
}

/**
 * @param message The message.
 * @returns A PicklingError to throw.
 */
export function picklingError(message: string): PicklingError {
  return new PicklingError(message);
}

/** The state of a pickler that `save()` works on; see Pickler for the public API. */
export abstract class PicklerCore {
  /** Protocol 5: decides per PickleBuffer between in-band and out-of-band (see Pickler). */
  abstract bufferCallback: ((buffer: PickleBuffer) => unknown) | null;

  /** Atoms are written without tasks unless a persistentId hook must see every value. */
  protected inlineAtoms = true;

  protected constructor(readonly protocol: number) {}

  protected readonly out = new Output();
  protected memo = new Map<unknown, number>();
  protected strMemo = new Map<string, number>();
  /** Globals by name: CPython memoizes a class by identity, and one name is one class. */
  protected globalMemo = new Map<string, number>();
  protected memoSize = 0;
  /** Objects whose save is in progress and not yet memoized (tuples, reductions), innermost last. */
  protected readonly pending: unknown[] = [];
  /**
   * Sets being written as `set([items])` (protocols < 4), whose items may lead back to them, with
   * how many of their saves are in progress.
   */
  protected readonly pendingSets = new Map<object, number>();
  protected readonly tasks: number[] = [];
  protected readonly vals: unknown[] = [];
  protected readonly auxs: unknown[] = [];

  protected push(task: number, val: unknown, aux?: unknown): void {
    this.tasks.push(task);
    this.vals.push(val);
    this.auxs.push(aux);
  }

  protected frameBoundary(): void {
    if (this.protocol >= 4) this.out.frameBoundary();
  }

  /** Writes a PUT for the next memo index and returns that index. */
  protected putMemo(): number {
    const idx = this.memoSize++;
    const out = this.out;
    if (this.protocol >= 4) {
      out.byte(OP.MEMOIZE);
    } else if (this.protocol >= 1) {
      if (idx < 256) out.byte2(OP.BINPUT, idx);
      else {
        out.byte(OP.LONG_BINPUT);
        out.u32(idx);
      }
    } else {
      out.ascii(`p${idx}\n`);
    }
    return idx;
  }

  /** Drops the memo entries from index `start` on (those of a dump that failed). */
  protected forgetFrom(start: number): void {
    for (const [k, v] of this.memo) if (v >= start) this.memo.delete(k);
    for (const [k, v] of this.strMemo) if (v >= start) this.strMemo.delete(k);
    for (const [k, v] of this.globalMemo) if (v >= start) this.globalMemo.delete(k);
    this.memoSize = start;
  }

  protected memoize(obj: unknown): void {
    this.memo.set(obj, this.putMemo());
  }

  /**
   * After the opcode that made `obj` (REDUCE, NEWOBJ): memoize it, unless saving its class or
   * arguments led back to it and memoized it already; then that copy wins (POP, GET), as in
   * CPython's `save_reduce`.
   */
  protected memoizeMade(obj: unknown): void {
    const idx = this.memo.get(obj);
    if (idx === undefined) {
      this.memoize(obj);
      return;
    }
    this.out.byte(OP.POP);
    this.writeGet(idx);
  }

  /** The dict of an instance's BUILD state: a fresh object in CPython too, whose memo index nobody uses. */
  protected openStateDict(): void {
    this.frameBoundary();
    this.out.byte(OP.EMPTY_DICT);
    this.putMemo();
  }

  protected writeGet(idx: number): void {
    const out = this.out;
    if (this.protocol >= 1) {
      if (idx < 256) out.byte2(OP.BINGET, idx);
      else {
        out.byte(OP.LONG_BINGET);
        out.u32(idx);
      }
    } else {
      out.ascii(`g${idx}\n`);
    }
  }

  /** The C pickler's `batch_list_exact`: one item → APPEND; else MARK … APPENDS per 1000. */
  protected listBatch(b: Batch): void {
    const obj = b.obj as unknown[];
    const n = obj.length;
    const perItem = this.openBatch(b, n, true);
    const end = b.end!;
    while (b.i < end) {
      if (!this.batchValue(b, itemAt(obj, b.i++), perItem, T.LIST_BATCH, OP.APPEND)) return;
    }
    this.closeBatch(b, n, perItem, T.LIST_BATCH, OP.APPENDS);
  }

  /**
   * Starts the batch at `b.i` (its MARK) unless it is open; returns whether items go one by one
   * (lists and dicts of one item, or at protocol 0, when `single` allows it; sets never).
   */
  private openBatch(b: Batch, n: number, single: boolean): boolean {
    const perItem = single && (this.protocol === 0 || n === 1);
    if (!b.open) {
      b.end = Math.min(b.i + BATCHSIZE, n);
      if (!perItem) this.out.byte(OP.MARK);
      b.open = true;
    }
    return perItem;
  }

  /**
   * Writes one value of a batch (an atom at once, then `one` when items go one by one), or
   * suspends the batch behind a task that saves it; returns false when it suspended.
   */
  private batchValue(b: Batch, v: unknown, perItem: boolean, task: number, one: number): boolean {
    if (this.inlineAtoms && this.saveAtom(v)) {
      if (perItem) this.out.byte(one);
      return true;
    }
    // Note: an object item is saved through the task stack; the batch resumes after it.
    this.push(task, undefined, b);
    if (perItem) this.push(T.OP, one);
    this.push(T.SAVE, v);
    return false;
  }

  /**
   * Ends the open batch (`many` after a MARK) and queues the next one while items remain. A dict
   * whose last batch was full gets an empty one after it (`trailing`), as the C pickler's
   * `batch_dict_exact` writes it; lists do not.
   */
  private closeBatch(b: Batch, n: number, perItem: boolean, task: number, many: number, trailing = false): void {
    if (!perItem) this.out.byte(many);
    b.open = false;
    if (b.i < n) this.push(task, undefined, b);
    else if (trailing && !perItem && n % BATCHSIZE === 0) this.out.byte2(OP.MARK, many);
  }

  protected endTuple(obj: unknown[], n: number): void {
    const out = this.out;
    this.pending.pop();
    const idx = this.memo.get(obj);
    if (idx !== undefined) {
      // Note: saving the items saved this tuple too (a cycle through a mutable item); drop what
      // was pushed and refer to the copy already in the memo.
      if (n <= 3 && this.protocol >= 2) for (let i = 0; i < n; i++) out.byte(OP.POP);
      else if (this.protocol >= 1) out.byte(OP.POP_MARK);
      else for (let i = 0; i <= n; i++) out.byte(OP.POP);
      this.writeGet(idx);
      return;
    }
    if (n <= 3 && this.protocol >= 2) out.byte(n === 1 ? OP.TUPLE1 : n === 2 ? OP.TUPLE2 : OP.TUPLE3);
    else out.byte(OP.TUPLE);
    this.memoize(obj);
  }

  /**
   * The C pickler's `batch_dict_exact`: one pair → SETITEM; else MARK … SETITEMS per 1000. The
   * keys of a plain object (or an instance's state) with its values, or a Map's keys and values
   * in one flat array; atoms inline, objects through the task stack.
   */
  protected dictBatch(b: Batch): void {
    const flat = b.obj instanceof Map;
    const obj = b.obj as Record<string | symbol, unknown>;
    const keys = b.keys as readonly unknown[];
    const n = flat ? keys.length / 2 : keys.length;
    const perItem = this.openBatch(b, n, true);
    const end = b.end!;
    while (b.i < end) {
      const k = flat ? keys[2 * b.i] : keys[b.i];
      if (!b.half) {
        b.half = true;
        if (!(this.inlineAtoms && this.saveAtom(k))) {
          this.push(T.DICT_BATCH, undefined, b);
          this.push(T.SAVE, k);
          return;
        }
      }
      const v = flat ? keys[2 * b.i + 1] : obj[k as string | symbol];
      b.i++;
      b.half = false;
      if (!this.batchValue(b, v, perItem, T.DICT_BATCH, OP.SETITEM)) return;
    }
    this.closeBatch(b, n, perItem, T.DICT_BATCH, OP.SETITEMS, true);
  }

  /**
   * Writes a value that needs no task of its own (number, string, boolean, null, bigint) and
   * returns true; returns false, writing nothing, for anything else.
   */
  protected saveAtom(obj: unknown): boolean {
    const out = this.out;
    switch (typeof obj) {
      case 'number':
        if (this.protocol >= 4) out.frameBoundary();
        if (Number.isSafeInteger(obj) && !Object.is(obj, -0)) writeInt(out, this.protocol, obj);
        else writeFloat(out, this.protocol, obj);
        return true;
      case 'string': {
        if (this.protocol >= 4) out.frameBoundary();
        // Note: equal strings are shared by value (JS strings have no identity). Long ones are
        // rarely repeated and costly to hash, so they are written each time, as CPython writes
        // equal but distinct strings.
        if (obj.length > SHARED_STR_MAX) {
          writeStr(out, this.protocol, obj);
          this.putMemo();
          return true;
        }
        const idx = this.strMemo.get(obj);
        if (idx !== undefined) {
          this.writeGet(idx);
        } else {
          writeStr(out, this.protocol, obj);
          this.strMemo.set(obj, this.putMemo());
        }
        return true;
      }
      case 'boolean':
        if (this.protocol >= 4) out.frameBoundary();
        if (this.protocol >= 2) out.byte(obj ? OP.NEWTRUE : OP.NEWFALSE);
        else out.ascii(obj ? 'I01\n' : 'I00\n');
        return true;
      case 'bigint':
        if (this.protocol >= 4) out.frameBoundary();
        writeInt(out, this.protocol, obj);
        return true;
      case 'object':
        if (obj !== null) return false;
        if (this.protocol >= 4) out.frameBoundary();
        out.byte(OP.NONE);
        return true;
      default:
        return false;
    }
  }

  /**
   * Records a save in progress of an object not memoized yet (tuple items, reduce arguments). Such
   * a save can reach the object again (CPython's recursive tuples), but only a bounded number of
   * times unless it contains itself through such values alone: that would never end, so as the
   * stack of them grows (at each power of two) no object may be in it more than MAX_REENTRY times.
   */
  protected enter(obj: unknown): void {
    const n = this.pending.push(obj);
    if (n >= 2048 && (n & (n - 1)) === 0) {
      const counts = new Map<unknown, number>();
      for (const x of this.pending) {
        const c = (counts.get(x) ?? 0) + 1;
        if (c > MAX_REENTRY) {
          throw picklingError(
            `Can't pickle ${typeName(x)}: it contains itself through values written before it ` +
              '(tuple items, frozen Set items or reduce arguments); only a list, dict, set or state can lead back to it',
          );
        }
        counts.set(x, c);
      }
    }
  }

  /** `save_set`'s batches: MARK … ADDITEMS per 1000 (even for one item); atoms inline. */
  protected setBatch(b: Batch): void {
    const items = b.keys as unknown[];
    const n = items.length;
    this.openBatch(b, n, false);
    const end = b.end!;
    while (b.i < end) {
      if (!this.batchValue(b, items[b.i++], false, T.SET_BATCH, OP.ADDITEMS)) return;
    }
    this.closeBatch(b, n, false, T.SET_BATCH, OP.ADDITEMS, true);
  }

  protected endFrozen(obj: object): void {
    this.pending.pop();
    const idx = this.memo.get(obj);
    if (idx !== undefined) {
      this.out.byte(OP.POP_MARK);
      this.writeGet(idx);
      return;
    }
    this.out.byte(OP.FROZENSET);
    this.memoize(obj);
  }

  protected writeBytes(data: Uint8Array, bytearray: boolean): void {
    const out = this.out;
    const n = data.length;
    const large = out.isLarge(n);
    if (large) out.beginLarge();
    if (bytearray) {
      out.byte(OP.BYTEARRAY8);
      out.u64(n);
    } else if (n <= 0xff) {
      out.byte2(OP.SHORT_BINBYTES, n);
    } else if (n <= 0xffffffff) {
      out.byte(OP.BINBYTES);
      out.u32(n);
    } else if (this.protocol >= 4) {
      out.byte(OP.BINBYTES8);
      out.u64(n);
    } else {
      throw picklingError('cannot serialize a bytes object larger than 4 GiB');
    }
    out.bytes(data);
    if (large) out.endLarge();
  }

  /** Memoizes a global by name, and by identity for a quicker hit next time. */
  protected rememberGlobal(obj: unknown, key: string, idx: number): void {
    this.globalMemo.set(key, idx);
    if (typeof obj === 'function' || obj instanceof PyGlobal) this.memo.set(obj, idx);
  }

  /** CPython's generic `_batch_appends` / `_batch_setitems` for a reduction's items. */
  protected iterBatch(b: Batch): void {
    const iter = b.iter!;
    const batch: unknown[] = [];
    while (batch.length < BATCHSIZE) {
      const next = iter.next();
      if (next.done) break;
      batch.push(next.value);
    }
    const n = batch.length;
    if (n === 0) return;
    if (n === BATCHSIZE) this.push(T.ITER_BATCH, undefined, b);
    const p0 = this.protocol === 0;
    if (b.pairs) {
      for (const pair of batch) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw picklingError(`dict items iterator must return 2-tuples, not ${typeName(pair)}`);
        }
      }
      if (p0 || n === 1) {
        for (let i = n - 1; i >= 0; i--) {
          const [k, v] = batch[i] as [unknown, unknown];
          this.push(T.OP, OP.SETITEM);
          this.push(T.SAVE, v);
          this.push(T.SAVE, k);
        }
        return;
      }
      this.out.byte(OP.MARK);
      this.push(T.OP, OP.SETITEMS);
      for (let i = n - 1; i >= 0; i--) {
        const [k, v] = batch[i] as [unknown, unknown];
        this.push(T.SAVE, v);
        this.push(T.SAVE, k);
      }
      return;
    }
    if (p0 || n === 1) {
      for (let i = n - 1; i >= 0; i--) {
        this.push(T.OP, OP.APPEND);
        this.push(T.SAVE, batch[i]);
      }
      return;
    }
    this.out.byte(OP.MARK);
    this.push(T.OP, OP.APPENDS);
    for (let i = n - 1; i >= 0; i--) this.push(T.SAVE, batch[i]);
  }

}


/** A str that CPython would create fresh (the latin-1 text of bytes): written, never shared. */
export class FreshStr {
  constructor(readonly text: string) {}
}

/** An array's items with its holes as `copyreg_js.hole`. */
export function withHoles(obj: unknown[]): unknown[] {
  const items = new Array<unknown>(obj.length);
  for (let i = 0; i < obj.length; i++) items[i] = itemAt(obj, i);
  return items;
}

/**
 * @param obj An array.
 * @param i An index.
 * @returns The item, or the hole global where the index is missing.
 */
export function itemAt(obj: unknown[], i: number): unknown {
  const v = obj[i];
  return v === undefined && !(i in obj) ? HOLE_GLOBAL : v;
}

/** A reduction written by hand (no hook produced it). */
export function reduction(
  func: unknown,
  args: readonly unknown[],
  state: unknown,
  listItems: Iterable<unknown> | null,
  dictItems: Iterable<readonly [unknown, unknown]> | null,
): Reduction {
  return { func: func as Function, args, state, listItems, dictItems, stateSetter: null };
}
