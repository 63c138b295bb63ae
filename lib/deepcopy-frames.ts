/**
 * deepcopy's frame walker: CPython's deepcopy algorithm run on an explicit stack of frames
 * instead of the call stack, so it has no depth limit. deepcopy.ts uses it past a fixed recursion
 * depth and for the values its recursive walker leaves alone (tuples, reduce values, hooks).
 *
 * The order is CPython's depth-first order. A mutable container gets its copy and a memo entry
 * before its children are copied, so cycles back to it find the copy. Values whose copy can only
 * be made from their copied parts (tuples, i.e. frozen arrays; frozen plain objects; reduce values
 * with arguments) are finished after their children, and the parent waits for them.
 */
import { isExactBuiltin, Kind, kindOf } from './builtins';
import { CopyError, typeName } from './errors';
import {
  arrayItems,
  arrayPartKeys,
  copyBuffer,
  F_OBJECT,
  F_REDUCE,
  F_ROOT,
  F_TUPLE,
  Frame,
  HOLE,
  P_INDICES,
  P_ITEMS,
  P_MAP_KEY_WAIT,
  P_MAP_VALUE,
  P_PROPS,
  PENDING,
  R_ARGS,
  R_DICT_KEY,
  R_DICT_VALUE,
  R_LIST,
  R_STATE,
  type RecursiveCopier,
  typeError,
} from './deepcopy-frame';
import { isIndex, sliceArray, sparseIndices, stateKeys } from './ownkeys';
import { putProp } from './props';
import { type Reducer, unpackReduceValue } from './reduction';
import {
  appendItems,
  callReduce,
  isDefaultAllocation,
  setItem,
  setState,
  usesDefaultReduction,
} from './reduce';
import { reduceObject } from './reduce-default';
import { applyIntegrity, integrityOf, makeShell } from './shells';

/**
 * How many copies of one object may be under construction at once through its reduce arguments
 * before the copy is refused (CPython would recurse until its recursion limit).
 */
const MAX_REENTRY = 64;

/** The frame walker of one deep copy. */
export class FrameWalker {
  private readonly stack: Frame[] = [];
  private readonly pool: Frame[] = [];
  /** Objects whose reduce arguments are being copied: meeting one again is a cycle through args. */
  private readonly building = new Map<object, number>();
  /**
   * Tuples (frozen arrays, frozen plain objects) whose parts are being copied. Unlike a Python
   * tuple, a frozen JS object can contain itself with no mutable object in between; meeting one
   * again must reuse its copy rather than start another.
   */
  private readonly tuples = new Map<object, Frame>();

  constructor(
    private readonly table: ReadonlyMap<Function, Reducer>,
    private readonly host: RecursiveCopier,
  ) {}

  /** Copies `x` with frames on this walker's stack, above whatever is already there. */
  walk(x: object): unknown {
    const stack = this.stack;
    const base = stack.length;
    const root = this.frame(F_ROOT, undefined, undefined);
    stack.push(root);
    this.host.enter();
    const first = this.begin(x);
    if (first === PENDING) root.waiting = true;
    else root.y = first;
    while (stack.length > base + 1) {
      const f = stack[stack.length - 1]!;
      if (this.step(f)) {
        stack.pop();
        const parent = stack[stack.length - 1]!;
        if (parent.waiting) {
          parent.waiting = false;
          this.deliver(parent, f.y);
        }
        this.release(f);
      }
    }
    stack.pop();
    this.host.leave();
    const y = root.y as unknown;
    this.release(root);
    return y;
  }

  private frame(kind: number, x: unknown, y: unknown): Frame {
    const f = this.pool.pop() ?? new Frame();
    f.kind = kind;
    f.x = x;
    f.y = y;
    return f;
  }

  private release(f: Frame): void {
    f.x = f.y = f.keys = f.indices = f.slot = f.slotDesc = f.iter = f.red = f.args = f.pendingValue = undefined;
    f.phase = f.i = f.integrity = 0;
    f.itemKind = -1;
    f.waiting = f.changed = false;
    this.pool.push(f);
  }

  /**
   * Starts copying an object that is not in the memo. Returns its copy (finished, or a shell whose
   * frame was pushed), or PENDING when a frame will deliver the copy later.
   */
  private begin(x: any): unknown {
    if (typeof x === 'function') return x;
    const r = this.host.tryRecursive(x);
    if (r !== PENDING) return r;
    const kind = kindOf(x);
    switch (kind) {
      case Kind.PLAIN: {
        const level = integrityOf(x);
        if (level === 3) return this.beginTuple(x, makeShell(x, kind));
        return this.beginObject(x, kind, makeShell(x, kind), level);
      }
      case Kind.ARRAY: {
        if (Object.getPrototypeOf(x) !== Array.prototype) break;
        const sparse = sparseIndices(x);
        const y = sliceArray(x, sparse);
        if (Object.isFrozen(x)) return this.beginTuple(x, y);
        return this.beginObject(x, kind, y, integrityOf(x), sparse);
      }
      case Kind.ATOMIC:
        return x;
      case Kind.OPAQUE:
      case Kind.OBJECT:
        break;
      default:
        if (isExactBuiltin(Object.getPrototypeOf(x) as object)) return this.beginNative(x, kind);
    }
    return this.beginInstance(x, kind);
  }

  /** `indices`: a sparse array's present indices (see sparseIndices), the only ones its walk visits. */
  private beginObject(x: any, kind: Kind, y: any, integrity: number, indices?: number[]): unknown {
    this.host.memo.set(x, y);
    const f = this.frame(F_OBJECT, x, y);
    f.integrity = integrity;
    if (kind === Kind.ARRAY && Array.isArray(y) && Object.getPrototypeOf(x) === Array.prototype) {
      f.phase = P_INDICES;
      f.indices = indices;
    } else {
      f.phase = P_PROPS;
      f.keys = stateKeys(x, kind);
      f.itemKind = kind === Kind.MAP || kind === Kind.SET || kind === Kind.ARRAY ? kind : -1;
    }
    this.stack.push(f);
    return y;
  }

  private beginTuple(x: any, y: any): unknown {
    const outer = this.tuples.get(x);
    if (outer !== undefined) {
      // A cycle through tuples alone: the copy contains its own (not yet frozen) copy.
      outer.changed = true;
      return outer.y;
    }
    const f = this.frame(F_TUPLE, x, y);
    f.keys = Array.isArray(x) ? arrayPartKeys(x) : stateKeys(x, Kind.PLAIN);
    this.tuples.set(x, f);
    this.stack.push(f);
    return PENDING;
  }

  /** A built-in (or a default-reduced subclass of one): shell first, then its parts. */
  private beginNative(x: any, kind: Kind): unknown {
    let buffer: ArrayBufferLike | undefined;
    if (kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW) {
      buffer = copyBuffer(this.host.memo, (x as DataView).buffer);
    }
    const y = makeShell(x, kind, buffer);
    if (kind === Kind.REGEXP) (y as RegExp).lastIndex = (x as RegExp).lastIndex;
    if (kind === Kind.ARRAY_BUFFER || kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW) {
      this.host.memo.set(x, y);
      applyIntegrity(y, integrityOf(x));
      return y;
    }
    return this.beginObject(x, kind, y, integrityOf(x));
  }

  /** Anything else: `__deepcopy__`, then the reduce chain (with a fast path for the default). */
  private beginInstance(x: any, kind: Kind): unknown {
    const hook = x.__deepcopy__;
    if (typeof hook === 'function') {
      const y = hook.call(x, this.host.publicMemo());
      if (y !== x) this.host.memo.set(x, y);
      return y;
    }
    if (kind !== Kind.OPAQUE && usesDefaultReduction(x, this.table)) return this.beginNative(x, kind);
    // Note: as in CPython, copying the arguments may reach x again and make a second copy of it
    // (a parent whose children point back at it: the children's list is memoized by then, so
    // this ends). Only arguments that lead back to x through reductions alone never end.
    const entered = this.building.get(x) ?? 0;
    if (entered >= MAX_REENTRY) {
      throw new CopyError(
        `cannot deep-copy ${typeName(x)}: its reduce arguments lead back to itself ` +
          `(CPython recurses until its recursion limit here)`,
      );
    }
    const rv = reduceObject(x, 4, this.table, () => {
      return new CopyError(`un(deep)copyable object of type ${typeName(x)}`);
    });
    if (typeof rv === 'string') return x;
    const f = this.frame(F_REDUCE, x, undefined);
    f.red = unpackReduceValue(rv, typeError, 5);
    f.args = new Array(f.red.args.length);
    f.phase = R_ARGS;
    this.building.set(x, entered + 1);
    this.stack.push(f);
    return PENDING;
  }

  /**
   * The copy of a child value for frame `f`: primitives and memo hits at once, else `begin`.
   * Marks `f` waiting when the copy comes later.
   */
  private child(f: Frame, v: unknown): unknown {
    if (typeof v !== 'object' || v === null) return v;
    const hit = this.host.memo.get(v);
    if (hit !== undefined) return hit;
    const r = this.begin(v);
    if (r === PENDING) f.waiting = true;
    return r;
  }

  /** Advances a frame; returns true when it is finished. */
  private step(f: Frame): boolean {
    switch (f.kind) {
      case F_OBJECT:
        return this.stepObject(f);
      case F_TUPLE:
        return this.stepTuple(f);
      default:
        return this.stepReduce(f);
    }
  }

  private stepObject(f: Frame): boolean {
    const depth = this.stack.length;
    const x = f.x;
    const y = f.y;
    if (f.phase === P_INDICES) {
      const indices = f.indices;
      const n = indices === undefined ? (x as unknown[]).length : indices.length;
      while (f.i < n) {
        const i = indices === undefined ? f.i++ : indices[f.i++]!;
        const v = x[i] as unknown;
        if (typeof v !== 'object' || v === null) continue;
        const c = this.child(f, v);
        if (f.waiting) {
          f.slot = i;
          return false;
        }
        y[i] = c;
        if (this.stack.length !== depth) return false;
      }
      f.phase = P_PROPS;
      f.keys = stateKeys(x, Kind.ARRAY);
      f.i = 0;
    }
    if (f.phase === P_PROPS) {
      if (!this.copyProps(f, depth)) return false;
      if (f.itemKind < 0) {
        applyIntegrity(y, f.integrity);
        return true;
      }
      f.phase = P_ITEMS;
      f.iter =
        f.itemKind === Kind.MAP
          ? Map.prototype.entries.call(x)
          : f.itemKind === Kind.SET
            ? Set.prototype.values.call(x)
            : arrayItems(x);
    }
    for (;;) {
      if (f.phase === P_MAP_VALUE) {
        const c = this.child(f, f.pendingValue);
        if (f.waiting) return false;
        y.set(f.slot, c);
        f.phase = P_ITEMS;
        if (this.stack.length !== depth) return false;
      }
      const next = f.iter!.next();
      if (next.done) break;
      if (f.itemKind === Kind.MAP) {
        const [k, v] = next.value as [unknown, unknown];
        f.pendingValue = v;
        const c = this.child(f, k);
        if (f.waiting) {
          f.phase = P_MAP_KEY_WAIT;
          return false;
        }
        f.slot = c;
        f.phase = P_MAP_VALUE;
        if (this.stack.length !== depth) return false;
        continue;
      }
      const c = this.child(f, next.value);
      if (f.waiting) return false;
      this.addItem(f, c);
      if (this.stack.length !== depth) return false;
    }
    applyIntegrity(y, f.integrity);
    return true;
  }

  private addItem(f: Frame, c: unknown): void {
    if (f.itemKind === Kind.SET) f.y.add(c);
    else if (c === HOLE) f.y.length++;
    else f.y.push(c);
  }

  /** Copies the remaining `f.keys` of `f.x` onto `f.y`; false when it must wait for a child. */
  private copyProps(f: Frame, depth: number): boolean {
    const keys = f.keys!;
    const x = f.x as object;
    const plain = f.kind === F_OBJECT && Object.getPrototypeOf(f.y) === Object.prototype;
    while (f.i < keys.length) {
      const key = keys[f.i++]!;
      const desc = Object.getOwnPropertyDescriptor(x, key);
      if (desc === undefined) continue;
      if (!('value' in desc)) {
        Object.defineProperty(f.y, key, desc);
        continue;
      }
      const c = this.child(f, desc.value);
      if (f.waiting) {
        f.slot = key;
        f.slotDesc = desc;
        return false;
      }
      desc.value = c;
      putProp(f.y, key, desc, plain);
      if (this.stack.length !== depth) return false;
    }
    return true;
  }

  /** A tuple (frozen array) or frozen plain object: CPython's `_deepcopy_tuple`. */
  private stepTuple(f: Frame): boolean {
    const depth = this.stack.length;
    const x = f.x;
    const keys = f.keys!;
    while (f.i < keys.length) {
      const key = keys[f.i++]!;
      const desc = Object.getOwnPropertyDescriptor(x, key)!;
      if (!('value' in desc)) {
        Object.defineProperty(f.y, key, desc);
        continue;
      }
      const c = this.child(f, desc.value);
      if (f.waiting) {
        f.slot = key;
        f.slotDesc = desc;
        return false;
      }
      this.putPart(f, key, desc, c);
      if (this.stack.length !== depth) return false;
    }
    this.tuples.delete(x);
    // Note: the parts may have led back here through a mutable object, which then copied the
    // tuple already; that copy is the one to use.
    const hit = this.host.memo.get(x);
    if (hit !== undefined) {
      f.y = hit;
    } else if (!f.changed) {
      f.y = x;
    } else {
      Object.freeze(f.y);
      this.host.memo.set(x, f.y);
    }
    return true;
  }

  private putPart(f: Frame, key: string | symbol, desc: PropertyDescriptor, c: unknown): void {
    if (c !== desc.value) f.changed = true;
    if (Array.isArray(f.y) && typeof key === 'string' && isIndex(key)) {
      (f.y as unknown[])[Number(key)] = c;
    } else {
      desc.value = c;
      putProp(f.y, key, desc, false);
    }
  }

  /** CPython's `_reconstruct` for a reduce value: args, call, state, list items, dict items. */
  private stepReduce(f: Frame): boolean {
    const red = f.red!;
    const depth = this.stack.length;
    if (f.phase === R_ARGS) {
      const args = f.args!;
      while (f.i < args.length) {
        const i = f.i++;
        const c = this.child(f, red.args[i]);
        if (f.waiting) {
          f.slot = i;
          return false;
        }
        args[i] = c;
        if (this.stack.length !== depth) return false;
      }
      const y = callReduce(red.func, args);
      const entered = this.building.get(f.x)!;
      if (entered > 1) this.building.set(f.x, entered - 1);
      else this.building.delete(f.x);
      this.host.memo.set(f.x, y);
      f.y = y;
      f.phase = R_STATE;
      f.pendingValue = red.state;
      if (red.state !== null && red.state !== undefined) {
        const c = this.child(f, red.state);
        if (f.waiting) return false;
        f.pendingValue = c;
        if (this.stack.length !== depth) return false;
      }
    }
    if (f.phase === R_STATE) {
      const state = f.pendingValue;
      if (state !== null && state !== undefined) setState(f.y, state, typeError);
      // Note: the original's integrity level (JS-only) is applied once the items are in too.
      if (isDefaultAllocation(red.func) && f.y.__setstate__ === undefined) f.integrity = integrityOf(f.x);
      f.phase = R_LIST;
      f.iter = red.listItems != null ? red.listItems[Symbol.iterator]() : undefined;
    }
    if (f.phase === R_LIST) {
      const iter = f.iter;
      if (iter !== undefined) {
        for (;;) {
          const next = iter.next();
          if (next.done) break;
          const c = this.child(f, next.value);
          if (f.waiting) return false;
          appendItems(f.y, [c], typeError);
          if (this.stack.length !== depth) return false;
        }
      }
      f.phase = R_DICT_KEY;
      f.iter = red.dictItems != null ? red.dictItems[Symbol.iterator]() : undefined;
    }
    const iter = f.iter;
    if (iter === undefined) return finishReduce(f);
    for (;;) {
      if (f.phase === R_DICT_KEY) {
        const next = iter.next();
        if (next.done) return finishReduce(f);
        const pair = next.value as unknown;
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError(`dict items must be [key, value] pairs, not ${typeName(pair)}`);
        }
        f.pendingValue = pair[1];
        f.phase = R_DICT_VALUE;
        f.slot = PENDING;
        const c = this.child(f, pair[0]);
        if (f.waiting) return false;
        f.slot = c;
        if (this.stack.length !== depth) return false;
      }
      const c = this.child(f, f.pendingValue);
      if (f.waiting) return false;
      setItem(f.y, f.slot, c);
      f.phase = R_DICT_KEY;
      if (this.stack.length !== depth) return false;
    }
  }

  /** Puts a child frame's result where the waiting frame `f` asked for it. */
  private deliver(f: Frame, value: unknown): void {
    switch (f.kind) {
      case F_ROOT:
        f.y = value;
        return;
      case F_OBJECT:
        if (f.phase === P_INDICES) {
          f.y[f.slot as number] = value;
        } else if (f.phase === P_PROPS) {
          f.slotDesc!.value = value;
          putProp(f.y, f.slot, f.slotDesc!, false);
        } else if (f.phase === P_MAP_KEY_WAIT) {
          f.slot = value;
          f.phase = P_MAP_VALUE;
        } else if (f.phase === P_MAP_VALUE) {
          f.y.set(f.slot, value);
          f.phase = P_ITEMS;
        } else {
          this.addItem(f, value);
        }
        return;
      case F_TUPLE:
        this.putPart(f, f.slot, f.slotDesc!, value);
        return;
      default:
        this.deliverReduce(f, value);
    }
  }

  private deliverReduce(f: Frame, value: unknown): void {
    switch (f.phase) {
      case R_ARGS:
        f.args![f.slot as number] = value;
        return;
      case R_STATE:
        f.pendingValue = value;
        return;
      case R_LIST:
        appendItems(f.y, [value], typeError);
        return;
      default:
        if (f.slot === PENDING) {
          f.slot = value;
        } else {
          setItem(f.y, f.slot, value);
          f.phase = R_DICT_KEY;
        }
    }
  }
}

/** The end of a reduce frame: the integrity level noted at the state step, now that all is in. */
function finishReduce(f: Frame): true {
  if (f.integrity !== 0) applyIntegrity(f.y, f.integrity);
  return true;
}
