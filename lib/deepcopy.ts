/**
 * `deepcopy` with CPython's semantics and no recursion: the walk keeps its own stack of frames,
 * so a 1,000,000-deep structure copies on Node's default stack.
 *
 * The order is CPython's depth-first order. A mutable container (list, dict, Map, Set, class
 * instance reduced by default) gets its copy and a memo entry first and is filled afterwards, so
 * cycles back to it find the copy. Values whose copy can only be made from their copied parts
 * (tuples, i.e. frozen arrays; frozen plain objects; reduce values with arguments) are finished
 * after their children, and the parent waits for them. User hooks (`__deepcopy__`, reducers,
 * `__setstate__`) run at the same points as in CPython and may call `deepcopy(x, memo)` again.
 */
import {
  applyIntegrity,
  arrayExtraKeys,
  integrityOf,
  isExactBuiltin,
  isIndex,
  Kind,
  kindOf,
  makeShell,
  ownKeys,
} from './builtins';
import { CopyError, typeName } from './errors';
import { unpackReduceValue } from './reduction';
import {
  appendItems,
  callReduce,
  defineDescriptor,
  defineValue,
  newobj,
  newobjEx,
  ownStateKeys,
  reconstructor,
  reduceObject,
  setItem,
  setState,
  usesDefaultReduction,
} from './reduce';
import { defaultRegistry } from './registry';

/** A frame's result is not ready: a child frame will deliver it. */
const PENDING: unique symbol = Symbol('pending');

const F_ROOT = 0;
const F_ARRAY = 1; // exact Array: indices, then extra own properties
const F_OBJECT = 2; // own properties, then items (Map / Set / Array subclass), then integrity
const F_TUPLE = 3; // frozen array or frozen plain object: finished after its parts
const F_REDUCE = 4; // args, call, state, list items, dict items

// Phases of F_OBJECT.
const P_PROPS = 0;
const P_ITEMS = 1;

// Phases of F_REDUCE.
const R_ARGS = 0;
const R_STATE = 1;
const R_LIST = 2;
const R_DICT_KEY = 3;
const R_DICT_VALUE = 4;
const R_DICT_KEY_WAIT = 5;

/** One unit of pending work; a single shape for every kind keeps the engine's loop monomorphic. */
class Frame {
  kind: number;
  x: any;
  y: any;
  /** Index into `keys` (or args, or an array's indices). */
  i = 0;
  /** Own property keys still to copy; for F_REDUCE the copied args. */
  keys: any = undefined;
  phase = 0;
  /** Set while waiting for a child frame's result; says where the result goes. */
  waiting = false;
  slotKey: any = undefined;
  slotDesc: PropertyDescriptor | undefined = undefined;
  /** F_OBJECT: the built-in kind whose items follow the properties; F_TUPLE: a part changed. */
  itemKind = -1;
  changed = false;
  integrity = 0;
  iter: Iterator<any> | undefined = undefined;
  /** F_REDUCE: the unpacked reduction; F_OBJECT items phase: the pending key of a Map entry. */
  aux: any = undefined;

  constructor(kind: number, x: unknown, y: unknown) {
    this.kind = kind;
    this.x = x;
    this.y = y;
  }
}

function copyError(x: object): CopyError {
  return new CopyError(`un(deep)copyable object of type ${typeName(x)}`);
}

const typeError = (m: string): Error => new TypeError(m);

/** Runs one deep copy (one call of `deepcopy`); hooks that call `deepcopy` again get their own. */
class DeepCopier {
  private readonly stack: Frame[] = [];
  /** Objects whose reduce arguments are being copied: meeting one again is a cycle through args. */
  private readonly building = new Set<object>();
  private readonly table = defaultRegistry.dispatchTable;

  constructor(private readonly memo: Map<unknown, unknown>) {}

  run(x: object): unknown {
    const root = new Frame(F_ROOT, undefined, undefined);
    this.stack.push(root);
    const first = this.begin(x);
    if (first === PENDING) root.waiting = true;
    else root.y = first;
    const stack = this.stack;
    while (stack.length > 1) {
      const f = stack[stack.length - 1]!;
      if (this.step(f)) {
        stack.pop();
        const parent = stack[stack.length - 1]!;
        if (parent.waiting) {
          parent.waiting = false;
          this.deliver(parent, this.resultOf(f));
        }
      }
    }
    return root.y;
  }

  private resultOf(f: Frame): unknown {
    return f.y;
  }

  /**
   * Starts copying an object that is not in the memo. Returns its copy (a shell whose frame was
   * pushed, or a finished value), or PENDING when a frame will deliver the copy later.
   */
  private begin(x: any): unknown {
    if (typeof x === 'function') return x;
    const memo = this.memo;
    const kind = kindOf(x);
    switch (kind) {
      case Kind.PLAIN: {
        const level = integrityOf(x);
        if (level === 3) return this.push(new Frame(F_TUPLE, x, makeShell(x, kind)), PENDING);
        const y = makeShell(x, kind);
        memo.set(x, y);
        const f = new Frame(F_OBJECT, x, y);
        f.keys = ownKeys(x);
        f.integrity = level;
        return this.push(f, y);
      }
      case Kind.ARRAY: {
        if (Object.getPrototypeOf(x) !== Array.prototype) break;
        if (Object.isFrozen(x)) {
          return this.push(new Frame(F_TUPLE, x, Array.prototype.slice.call(x)), PENDING);
        }
        const y = Array.prototype.slice.call(x);
        memo.set(x, y);
        const f = new Frame(F_ARRAY, x, y);
        f.integrity = integrityOf(x);
        return this.push(f, y);
      }
      case Kind.ATOMIC:
        return x;
      case Kind.MAP:
      case Kind.SET:
      case Kind.DATE:
      case Kind.REGEXP:
      case Kind.ERROR:
      case Kind.BOXED:
      case Kind.ARRAY_BUFFER:
      case Kind.TYPED_ARRAY:
      case Kind.DATA_VIEW: {
        const proto = Object.getPrototypeOf(x) as object;
        if (!isExactBuiltin(proto)) break;
        return this.beginNative(x, kind);
      }
    }
    return this.beginInstance(x, kind);
  }

  private push(f: Frame, result: unknown): unknown {
    this.stack.push(f);
    return result;
  }

  /** A built-in (or a default-reduced subclass of one): shell first, then its parts. */
  private beginNative(x: any, kind: Kind): unknown {
    let buffer: ArrayBufferLike | undefined;
    if (kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW) {
      buffer = this.copyBuffer((x as DataView).buffer);
      const hit = this.memo.get(x);
      if (hit !== undefined) return hit;
    }
    const y = makeShell(x, kind, buffer);
    this.memo.set(x, y);
    if (kind === Kind.ARRAY_BUFFER || kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW) {
      // Note: their indices are their bytes, already copied; other own properties are not kept.
      return y;
    }
    const f = new Frame(F_OBJECT, x, y);
    f.keys = kind === Kind.PLAIN || kind === Kind.OBJECT ? ownKeys(x) : ownStateKeys(x, kind);
    if (kind === Kind.REGEXP) (y as RegExp).lastIndex = (x as RegExp).lastIndex;
    f.itemKind = kind === Kind.MAP || kind === Kind.SET || kind === Kind.ARRAY ? kind : -1;
    f.integrity = integrityOf(x);
    return this.push(f, y);
  }

  private copyBuffer(buffer: ArrayBufferLike): ArrayBufferLike {
    const hit = this.memo.get(buffer);
    if (hit !== undefined) return hit as ArrayBufferLike;
    if (kindOf(buffer) === Kind.ATOMIC) return buffer;
    const y = makeShell(buffer, Kind.ARRAY_BUFFER) as ArrayBuffer;
    this.memo.set(buffer, y);
    return y;
  }

  /** Anything else: `__deepcopy__`, then the reduce chain (with a fast path for the default). */
  private beginInstance(x: any, kind: Kind): unknown {
    const hook = x.__deepcopy__;
    if (typeof hook === 'function') {
      const y = hook.call(x, this.memo);
      if (y !== x) this.memo.set(x, y);
      return y;
    }
    if (kind !== Kind.OPAQUE && usesDefaultReduction(x, this.table)) return this.beginNative(x, kind);
    if (this.building.has(x)) {
      throw new CopyError(
        `cannot deep-copy ${typeName(x)}: its reduce arguments lead back to itself ` +
          `(CPython recurses forever here)`,
      );
    }
    const rv = reduceObject(x, 4, this.table, () => copyError(x));
    if (typeof rv === 'string') return x;
    const red = unpackReduceValue(rv, typeError, 5);
    const f = new Frame(F_REDUCE, x, undefined);
    f.aux = red;
    f.keys = new Array(red.args.length);
    f.phase = R_ARGS;
    this.building.add(x);
    return this.push(f, PENDING);
  }

  /**
   * The copy of a child value `v` for frame `f`: primitives and memo hits at once; otherwise
   * `begin`. Returns PENDING (and marks `f` waiting) when the copy comes later.
   */
  private child(f: Frame, v: any): unknown {
    const hit = this.memo.get(v);
    if (hit !== undefined || this.memo.has(v)) return hit;
    const r = this.begin(v);
    if (r === PENDING) f.waiting = true;
    return r;
  }

  /** Advances a frame; returns true when it is finished. */
  private step(f: Frame): boolean {
    switch (f.kind) {
      case F_ARRAY:
        return this.stepArray(f);
      case F_OBJECT:
        return f.phase === P_PROPS ? this.stepProps(f) : this.stepItems(f);
      case F_TUPLE:
        return this.stepTuple(f);
      default:
        return this.stepReduce(f);
    }
  }

  private stepArray(f: Frame): boolean {
    const x = f.x as unknown[];
    const y = f.y as unknown[];
    const depth = this.stack.length;
    if (f.keys === undefined) {
      const n = x.length;
      while (f.i < n) {
        const i = f.i++;
        const v = x[i];
        if (typeof v !== 'object' || v === null) continue;
        const c = this.child(f, v);
        if (f.waiting) {
          f.slotKey = i;
          return false;
        }
        y[i] = c;
        if (this.stack.length !== depth) return false;
      }
      f.keys = arrayExtraKeys(x);
      f.i = 0;
    }
    if (!this.copyProps(f, depth)) return false;
    applyIntegrity(y, f.integrity);
    return true;
  }

  /** Copies `f.keys` from `f.x` onto `f.y`; returns false when it must wait for a child. */
  private copyProps(f: Frame, depth: number): boolean {
    const keys = f.keys as (string | symbol)[];
    const x = f.x as object;
    const y = f.y as object;
    while (f.i < keys.length) {
      const key = keys[f.i++]!;
      const desc = Object.getOwnPropertyDescriptor(x, key);
      if (desc === undefined) continue;
      if (!('value' in desc)) {
        Object.defineProperty(y, key, desc);
        continue;
      }
      const v = desc.value as unknown;
      if (typeof v === 'object' && v !== null) {
        const c = this.child(f, v);
        if (f.waiting) {
          f.slotKey = key;
          f.slotDesc = desc;
          return false;
        }
        desc.value = c;
        putProp(y, key, desc);
        if (this.stack.length !== depth) return false;
      } else {
        putProp(y, key, desc);
      }
    }
    return true;
  }

  private stepProps(f: Frame): boolean {
    if (!this.copyProps(f, this.stack.length)) return false;
    if (f.itemKind >= 0) {
      f.phase = P_ITEMS;
      f.iter =
        f.itemKind === Kind.MAP
          ? Map.prototype.entries.call(f.x)
          : f.itemKind === Kind.SET
            ? Set.prototype.values.call(f.x)
            : Array.prototype.values.call(f.x);
      return this.stepItems(f);
    }
    applyIntegrity(f.y, f.integrity);
    return true;
  }

  /** Items of a Map, Set or Array subclass, re-added through the copy's own set / add / push. */
  private stepItems(f: Frame): boolean {
    const depth = this.stack.length;
    const iter = f.iter!;
    const y = f.y;
    for (;;) {
      if (f.aux !== undefined) {
        // A Map entry whose key is copied and whose value is still to come.
        const entry = f.aux as [unknown, unknown];
        const v = entry[1];
        const c = typeof v === 'object' && v !== null ? this.child(f, v) : v;
        if (f.waiting) {
          f.slotKey = 'mapValue';
          return false;
        }
        y.set(entry[0], c);
        f.aux = undefined;
        if (this.stack.length !== depth) return false;
        continue;
      }
      const next = iter.next();
      if (next.done) break;
      if (f.itemKind === Kind.MAP) {
        const [k, v] = next.value as [unknown, unknown];
        const kc = typeof k === 'object' && k !== null ? this.child(f, k) : k;
        f.aux = [kc, v];
        if (f.waiting) {
          f.slotKey = 'mapKey';
          return false;
        }
        if (this.stack.length !== depth) return false;
        continue;
      }
      const v = next.value;
      const c = typeof v === 'object' && v !== null ? this.child(f, v) : v;
      if (f.waiting) {
        f.slotKey = 'item';
        return false;
      }
      if (f.itemKind === Kind.SET) y.add(c);
      else y.push(c);
      if (this.stack.length !== depth) return false;
    }
    applyIntegrity(y, f.integrity);
    return true;
  }

  /** A tuple (frozen array) or frozen plain object: CPython's `_deepcopy_tuple`. */
  private stepTuple(f: Frame): boolean {
    const x = f.x as any;
    const depth = this.stack.length;
    if (f.keys === undefined) {
      f.keys = Array.isArray(x) ? arrayStateKeys(x) : ownKeys(x);
    }
    const keys = f.keys as (string | symbol)[];
    while (f.i < keys.length) {
      const key = keys[f.i++]!;
      const desc = Object.getOwnPropertyDescriptor(x, key)!;
      if (!('value' in desc)) {
        if (!Array.isArray(x)) Object.defineProperty(f.y, key, desc);
        continue;
      }
      const v = desc.value as unknown;
      if (typeof v !== 'object' || v === null) {
        if (!Array.isArray(x)) putProp(f.y, key, desc);
        continue;
      }
      const c = this.child(f, v);
      if (f.waiting) {
        f.slotKey = key;
        f.slotDesc = desc;
        return false;
      }
      this.putTuplePart(f, key, desc, c);
      if (this.stack.length !== depth) return false;
    }
    // Note: the parts may have led back here through a mutable object, which then copied the
    // tuple already; that copy is the one to use.
    if (this.memo.has(x)) {
      f.y = this.memo.get(x);
    } else if (!f.changed) {
      f.y = x;
    } else {
      Object.freeze(f.y);
      this.memo.set(x, f.y);
    }
    return true;
  }

  private putTuplePart(f: Frame, key: string | symbol, desc: PropertyDescriptor, c: unknown): void {
    if (c !== desc.value) f.changed = true;
    if (Array.isArray(f.x) && typeof key === 'string' && isIndex(key)) {
      (f.y as unknown[])[Number(key)] = c;
    } else {
      desc.value = c;
      putProp(f.y, key, desc);
    }
  }

  /** CPython's `_reconstruct` for a reduce value: args, call, state, list items, dict items. */
  private stepReduce(f: Frame): boolean {
    const red = f.aux as ReturnType<typeof unpackReduceValue>;
    const depth = this.stack.length;
    if (f.phase === R_ARGS) {
      const args = red.args;
      const out = f.keys as unknown[];
      while (f.i < args.length) {
        const i = f.i++;
        const v = args[i];
        if (typeof v !== 'object' || v === null) {
          out[i] = v;
          continue;
        }
        const c = this.child(f, v);
        if (f.waiting) {
          f.slotKey = i;
          return false;
        }
        out[i] = c;
        if (this.stack.length !== depth) return false;
      }
      const y = callReduce(red.func, out);
      this.building.delete(f.x);
      this.memo.set(f.x, y);
      f.y = y;
      f.phase = R_STATE;
      const state = red.state;
      if (state !== null && state !== undefined) {
        const c = typeof state === 'object' ? this.child(f, state) : state;
        if (f.waiting) return false;
        f.aux = { ...red, state: c };
        if (this.stack.length !== depth) return false;
      }
    }
    if (f.phase === R_STATE) {
      const r = f.aux as typeof red;
      if (r.state !== null && r.state !== undefined) {
        setState(f.y, r.state, typeError);
        if (isDefaultAllocation(r.func) && (f.y as { __setstate__?: unknown }).__setstate__ === undefined) {
          applyIntegrity(f.y, integrityOf(f.x));
        }
      }
      f.phase = R_LIST;
      f.iter = r.listItems != null ? r.listItems[Symbol.iterator]() : undefined;
    }
    if (f.phase === R_LIST) {
      const iter = f.iter;
      if (iter !== undefined) {
        for (;;) {
          const next = iter.next();
          if (next.done) break;
          const v = next.value;
          const c = typeof v === 'object' && v !== null ? this.child(f, v) : v;
          if (f.waiting) {
            f.slotKey = 'item';
            return false;
          }
          appendItems(f.y, [c], typeError);
          if (this.stack.length !== depth) return false;
        }
      }
      const r = f.aux as typeof red;
      f.phase = R_DICT_KEY;
      f.iter = r.dictItems != null ? r.dictItems[Symbol.iterator]() : undefined;
    }
    const iter = f.iter;
    if (iter === undefined) return true;
    for (;;) {
      if (f.phase === R_DICT_KEY) {
        const next = iter.next();
        if (next.done) return true;
        const pair = next.value as unknown;
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError(`dict items must be [key, value] pairs, not ${typeName(pair)}`);
        }
        f.aux = pair[1];
        f.phase = R_DICT_VALUE;
        const k = pair[0] as unknown;
        const kc = typeof k === 'object' && k !== null ? this.child(f, k) : k;
        if (f.waiting) {
          f.phase = R_DICT_KEY_WAIT;
          return false;
        }
        f.slotKey = kc;
        if (this.stack.length !== depth) return false;
      }
      const v = f.aux as unknown;
      const c = typeof v === 'object' && v !== null ? this.child(f, v) : v;
      if (f.waiting) return false;
      setItem(f.y, f.slotKey, c);
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
      case F_ARRAY:
        if (typeof f.slotKey === 'number') (f.y as unknown[])[f.slotKey] = value;
        else this.deliverProp(f, value);
        return;
      case F_OBJECT:
        if (f.phase === P_PROPS) this.deliverProp(f, value);
        else if (f.slotKey === 'mapKey') (f.aux as unknown[])[0] = value;
        else if (f.slotKey === 'mapValue') {
          f.y.set((f.aux as unknown[])[0], value);
          f.aux = undefined;
        } else if (f.itemKind === Kind.SET) f.y.add(value);
        else f.y.push(value);
        return;
      case F_TUPLE:
        this.putTuplePart(f, f.slotKey, f.slotDesc!, value);
        return;
      default:
        this.deliverReduce(f, value);
    }
  }

  private deliverProp(f: Frame, value: unknown): void {
    const desc = f.slotDesc!;
    desc.value = value;
    putProp(f.y, f.slotKey, desc);
  }

  private deliverReduce(f: Frame, value: unknown): void {
    switch (f.phase) {
      case R_ARGS:
        (f.keys as unknown[])[f.slotKey as number] = value;
        return;
      case R_STATE:
        f.aux = { ...(f.aux as object), state: value };
        return;
      case R_LIST:
        appendItems(f.y, [value], typeError);
        return;
      case R_DICT_KEY_WAIT:
        f.slotKey = value;
        f.phase = R_DICT_VALUE;
        return;
      case R_DICT_VALUE:
        setItem(f.y, f.slotKey, value);
        f.phase = R_DICT_KEY;
        return;
    }
  }
}

function isDefaultAllocation(func: Function): boolean {
  return func === newobj || func === newobjEx || func === reconstructor;
}

function arrayStateKeys(x: unknown[]): (string | symbol)[] {
  const keys: (string | symbol)[] = [];
  for (let i = 0; i < x.length; i++) if (i in x) keys.push(String(i));
  return keys.concat(arrayExtraKeys(x));
}

/** Defines a copied property with the original's attributes, without running setters. */
function putProp(y: object, key: string | symbol, desc: PropertyDescriptor): void {
  if (desc.writable && desc.enumerable && desc.configurable) defineValue(y, key, desc.value);
  else defineDescriptor(y, key, desc);
}

/**
 * Deep copy with the semantics of CPython's `copy.deepcopy`, for every JS built-in type, keeping
 * shared references and cycles, and with no depth limit.
 *
 * Lookup order for other objects: `__deepcopy__(memo)` → `dispatchTable` (exact class) →
 * `__reduce_ex__(4)` → `__reduce__()` → the default reduction (a new object with the same
 * prototype, constructor not run, own properties copied, frozen/sealed state kept).
 *
 * @param x The value.
 * @param memo Original → copy; the same Map is passed to `__deepcopy__(memo)` hooks. A pre-seeded
 *   entry is used as is.
 * @returns The copy. Primitives, functions, classes, symbols and tuples (frozen arrays) of
 *   immutables are returned as they are.
 * @throws {CopyError} when an object's reduce hooks are masked with `null`.
 * @throws {TypeError} for objects whose state cannot be read (WeakMap, Promise, generators).
 * @example
 * ```ts
 * const a = { list: [1, 2] }; a.self = a;
 * const b = deepcopy(a); // b.self === b, b.list !== a.list
 * ```
 */
export function deepcopy<T>(x: T, memo?: Map<unknown, unknown>): T {
  if (typeof x !== 'object' || x === null) return x;
  if (memo !== undefined) {
    const hit = memo.get(x);
    if (hit !== undefined || memo.has(x)) return hit as T;
  }
  return new DeepCopier(memo ?? new Map()).run(x) as T;
}
