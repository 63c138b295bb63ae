/**
 * `deepcopy` with CPython's semantics and no depth limit.
 *
 * Two walkers share one memo. The common cases (lists, dicts, Maps, Sets, class instances with
 * the default reduction) are copied by plain recursion, which is fastest, up to a fixed depth.
 * Past that depth, and for everything else (tuples, reduce values, hooks), a walker with its own
 * stack of frames takes over, so a 1,000,000-deep structure copies on Node's default stack.
 *
 * Both follow CPython's depth-first order. A mutable container gets its copy and a memo entry
 * before its children are copied, so cycles back to it find the copy. Values whose copy can only
 * be made from their copied parts (tuples, i.e. frozen arrays; frozen plain objects; reduce values
 * with arguments) are finished after their children. User hooks (`__deepcopy__`, reducers,
 * `__setstate__`) run at the same points as in CPython and may call `deepcopy(x, memo)` again.
 */
import { inheritsSlots, isExactBuiltin, Kind, kindOf, typedArrayBase } from './builtins';
import { copyBuffer, PENDING, type RecursiveCopier } from './deepcopy-frame';
import { FrameWalker } from './deepcopy-frames';
import { type IdentityMemo, STAMP_THRESHOLD, stampAll, type StampedMemo } from './memo';
import { sliceArray, SPARSE_MIN, sparseIndices, stateKeys } from './ownkeys';
import { assignOrDefine, defineDescriptor, defineValue } from './props';
import { usesDefaultReduction } from './reduce';
import { defaultRegistry } from './registry';
import { makeShell } from './shells';

/**
 * How many nested levels the recursive walker may use before handing over to the frame walker.
 * Well below what Node's default stack allows, since the caller's own frames come on top.
 */
const MAX_RECURSION = 800;

/** Runs one deep copy; hooks that call `deepcopy` again get their own. */
class DeepCopier implements RecursiveCopier {
  private readonly table = defaultRegistry.dispatchTable;
  /** Recursion levels in use (recursive walker calls and nested frame walks). */
  private depth = 0;
  /** Per prototype, what the recursive walker does (see `classify`); lives for one copy. */
  private readonly protos = new Map<object, Plan | typeof SKIP>();
  /** For the extra properties of exact arrays (rare, so its guarded names are left lazy too). */
  private readonly arrayPlan: Plan = { kind: Kind.ARRAY, exact: true, proto: ARRAY_PROTO, guarded: undefined, uses: 0 };

  private walker: FrameWalker | undefined;
  /** The memo once it is a {@link StampedMemo} (see `remember`). */
  private stamped: StampedMemo | undefined;
  /** Whether the memo may still become stamped: it is ours, and no hook has seen it. */
  private mayStamp: boolean;

  constructor(
    public memo: IdentityMemo,
    own: boolean,
  ) {
    this.mayStamp = own;
  }

  publicMemo(): Map<unknown, unknown> {
    this.mayStamp = false;
    if (this.stamped === undefined) return this.memo as Map<unknown, unknown>;
    // Note: a hook may read the memo or pass it to deepcopy; from here on the copy uses a Map.
    const map = this.stamped.toMap();
    this.stamped.release();
    this.stamped = undefined;
    this.memo = map;
    return map;
  }

  /** Lets other walks stamp again. */
  release(): void {
    this.stamped?.release();
  }

  /** The finished copy of an object that is not in the memo. */
  copy(x: object): unknown {
    const r = this.tryRecursive(x);
    if (r !== PENDING) return r;
    this.walker ??= new FrameWalker(this.table, this);
    return this.walker.walk(x);
  }

  tryRecursive(x: object): unknown {
    return this.depth < MAX_RECURSION ? this.rec(x) : PENDING;
  }

  enter(): void {
    this.depth++;
  }

  leave(): void {
    this.depth--;
  }

  // --- The recursive walker: the common kinds, CPython's algorithm as it is. ---

  /** Copies `x` recursively, or returns PENDING (with nothing done) to leave it to the frames. */
  private rec(x: any): unknown {
    const proto = getPrototypeOf(x) as object | null;
    if (proto === ARRAY_PROTO) return this.recArray(x);
    let y: any;
    let plan: Plan;
    let keys: (string | symbol)[];
    if (proto === OBJECT_PROTO || proto === null) {
      if (!isExtensible(x)) return proto === OBJECT_PROTO && isFrozen(x) ? this.recFrozen(x) : PENDING;
      plan = proto === null ? NULL_PLAN : PLAIN_PLAN;
      keys = stateKeys(x, Kind.PLAIN);
      y = proto === null ? Object.create(null) : {};
    } else {
      if (typeof x === 'function') return x;
      let p = this.protos.get(proto);
      if (p === undefined) {
        p = this.classify(x, proto);
        this.protos.set(proto, p);
      }
      if (p === SKIP || !isExtensible(x) || (!p.exact && mayOwnHook(x))) return PENDING;
      plan = p;
      if (isBytes(plan.kind)) {
        // Note: no own properties for these (see stateKeys); views share their buffer's copy.
        if (plan.kind === Kind.TYPED_ARRAY && plan.exact && this.viewsWholeNewBuffer(x)) {
          // The common case, one array over a buffer of its own: one copy makes both. (Not
          // `slice`, which builds its result through x.constructor and Symbol.species.)
          y = new (typedArrayBase(x) as new (source: ArrayLike<unknown>) => Uint8Array)(x as Uint8Array);
          this.remember(x.buffer, y.buffer);
          this.remember(x, y);
          return y;
        }
        const buffer = plan.kind === Kind.ARRAY_BUFFER ? undefined : copyBuffer(this.memo, (x as DataView).buffer);
        y = makeShell(x, plan.kind, buffer);
        this.remember(x, y);
        return y;
      }
      keys = stateKeys(x, plan.kind);
      y = plan.kind === Kind.OBJECT ? Object.create(proto) : makeShell(x, plan.kind);
      if (plan.kind === Kind.REGEXP) y.lastIndex = x.lastIndex;
    }
    this.remember(x, y);
    this.depth++;
    if (keys.length > 0) this.copyProps(x, y, keys, guardOf(plan));
    if (plan.kind === Kind.MAP) {
      Map.prototype.forEach.call(x, (v: unknown, k: unknown) => y.set(this.deep(k), this.deep(v)));
    } else if (plan.kind === Kind.SET) {
      Set.prototype.forEach.call(x, (v: unknown) => y.add(this.deep(v)));
    }
    this.depth--;
    return y;
  }

  /** An exact, extensible Array: its items, then any other own properties it has. */
  private recArray(x: any[]): unknown {
    if (!isExtensible(x)) return x.length < SPARSE_MIN && isFrozen(x) ? this.recTuple(x) : PENDING;
    // Note: the length test first keeps the common short array free of calls.
    const sparse = x.length < SPARSE_MIN ? undefined : sparseIndices(x);
    const y = sparse === undefined ? (Array.prototype.slice.call(x) as unknown[]) : sliceArray(x, sparse);
    this.remember(x, y);
    this.depth++;
    // Note: a sparse array is walked by its present indices only.
    const n = sparse === undefined ? x.length : sparse.length;
    for (let j = 0; j < n; j++) {
      const i = sparse === undefined ? j : sparse[j]!;
      const v = x[i];
      if (typeof v === 'object' && v !== null) y[i] = this.deep(v);
    }
    const keys = stateKeys(x, Kind.ARRAY);
    if (keys.length > 0) this.copyProps(x, y, keys, guardOf(this.arrayPlan));
    this.depth--;
    return y;
  }

  /**
   * A tuple (a frozen exact Array) with no other own properties, as CPython's `_deepcopy_tuple`:
   * its items copied first, the tuple itself when none changed, else a frozen copy, unless the
   * items led back to it and copied it already. (Through the frames, a frozen array cost eight
   * times fast-copy's time: V8 slices a frozen array slowly, and each index was a descriptor.)
   */
  private recTuple(x: unknown[]): unknown {
    if (stateKeys(x, Kind.ARRAY).length > 0) return PENDING;
    const n = x.length;
    let y: unknown[] | undefined;
    this.depth++;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (typeof v !== 'object' || v === null) continue;
      const c = this.deep(v);
      if (c === v) continue;
      y ??= itemsWithHoles(x);
      y[i] = c;
    }
    this.depth--;
    return this.finishTuple(x, y);
  }

  /**
   * A frozen plain object, CPython's frozendict in JS: as {@link recTuple}. An accessor among its
   * properties leaves it to the frames, which copy accessors as they are.
   */
  private recFrozen(x: Record<string | symbol, unknown>): unknown {
    const keys = stateKeys(x, Kind.PLAIN);
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const desc = getOwnPropertyDescriptor(x, keys[i]!);
      if (desc === undefined || !('value' in desc)) return PENDING;
      values[i] = desc.value;
    }
    let changed = false;
    this.depth++;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'object' || v === null) continue;
      const c = this.deep(v);
      if (c !== v) {
        values[i] = c;
        changed = true;
      }
    }
    this.depth--;
    if (!changed) return this.finishTuple(x, undefined);
    const y: Record<string | symbol, unknown> = {};
    // Note: a frozen object's attributes are all alike once frozen, so assignment makes them.
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === '__proto__') defineValue(y, key, values[i]);
      else assignOrDefine(y, key, values[i]);
    }
    return this.finishTuple(x, y);
  }

  /** The end of a tuple's copy: the copy its items made of it, else `x` unchanged, else `y` frozen. */
  private finishTuple(x: object, y: object | undefined): unknown {
    const hit = this.memo.get(x);
    if (hit !== undefined) return hit;
    if (y === undefined) return x;
    Object.freeze(y);
    this.memo.set(x, y);
    return y;
  }

  /**
   * Copies the listed own properties of `x` onto `y`, values deep-copied, attributes and
   * accessors kept, no setter run. `guarded`: the names `y`'s prototype chain does not let an
   * assignment define (see Plan); undefined to check each name on the chain instead.
   */
  private copyProps(x: object, y: any, keys: (string | symbol)[], guarded: Plan['guarded']): void {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const desc = getOwnPropertyDescriptor(x, key);
      if (desc === undefined) continue;
      if (desc.writable === true && desc.enumerable === true && desc.configurable === true) {
        let v = desc.value as unknown;
        if (typeof v === 'object' && v !== null) v = this.deep(v);
        // Note: assignment makes the same own property as defineProperty, unless the chain has a
        // setter or a read-only property of that name (the plan lists those names).
        if (guarded !== undefined && (guarded === null ? key !== '__proto__' : !guarded.has(key))) assignOrDefine(y, key, v);
        else defineValue(y, key, v);
      } else {
        if ('value' in desc) {
          const v = desc.value as unknown;
          if (typeof v === 'object' && v !== null) desc.value = this.deep(v);
        }
        defineDescriptor(y, key, desc);
      }
    }
  }

  /**
   * What the recursive walker does with objects of one prototype: SKIP when they are left to the
   * frames, else a plan with their kind.
   */
  private classify(x: any, proto: object): Plan | typeof SKIP {
    const kind = kindOf(x);
    const recursive = kind === Kind.OBJECT || kind === Kind.MAP || kind === Kind.SET || isLeaf(kind) || isBytes(kind);
    // Note: an Object.create() of a built-in subclass's prototype says nothing of its real instances.
    if (!recursive || (kind === Kind.OBJECT && inheritsSlots(x))) return SKIP;
    if (isExactBuiltin(proto)) return { kind, exact: true, proto, guarded: undefined, uses: 0 };
    // Note: the prototype answers for every instance; hooks an instance owns are checked in rec.
    // A reducer, a reduce hook or a class's own `static __new__` means the reduce path.
    if ((proto as { __deepcopy__?: unknown }).__deepcopy__ !== undefined || !usesDefaultReduction(x, this.table)) return SKIP;
    return { kind, exact: false, proto, guarded: undefined, uses: 0 };
  }

  /**
   * Whether a typed array is the only view this copy has met of a plain, fixed-length, extensible
   * ArrayBuffer that it spans whole.
   */
  private viewsWholeNewBuffer(x: Uint8Array): boolean {
    const buffer = x.buffer as ArrayBuffer & { resizable?: boolean };
    return (
      x.byteOffset === 0 &&
      x.byteLength === buffer.byteLength &&
      getPrototypeOf(buffer) === ArrayBuffer.prototype &&
      buffer.resizable !== true &&
      isExtensible(buffer) &&
      this.memo.get(buffer) === undefined
    );
  }

  /** Records the copy of an object the caller has just seen to be extensible. */
  private remember(x: object, y: unknown): void {
    if (this.stamped !== undefined) {
      this.stamped.add(x, y);
      return;
    }
    const map = this.memo as Map<unknown, unknown>;
    map.set(x, y);
    if (this.mayStamp && map.size > STAMP_THRESHOLD) {
      this.mayStamp = false;
      this.stamped = stampAll(map);
      if (this.stamped !== undefined) this.memo = this.stamped;
    }
  }

  private deep(v: unknown): unknown {
    if (typeof v !== 'object' || v === null) return v;
    // Note: a memo entry of null counts (CPython honours None); undefined reads as no entry.
    const hit = this.memo.get(v);
    return hit !== undefined ? hit : this.copy(v);
  }
}

/** How the recursive walker copies the objects of one prototype. */
interface Plan {
  readonly kind: Kind;
  /** A built-in's own prototype: no hooks can apply. */
  readonly exact: boolean;
  readonly proto: object | null;
  /**
   * The names that must be defined rather than assigned on a new object of this prototype
   * (setters and read-only properties on its chain); null when `__proto__` is the only one;
   * undefined until {@link guardOf} finds them worth listing.
   */
  guarded: ReadonlySet<string | symbol> | null | undefined;
  /** Objects with own properties copied with this plan before `guarded` was listed. */
  uses: number;
}

/**
 * Objects of one prototype copied before its guarded names are listed. Listing walks the whole
 * chain (for a Date, dozens of methods), which a copy of a few objects does not earn back; until
 * then each name is looked up on the new object's chain as it is written.
 */
const GUARD_AFTER = 8;

/** The plan's guarded names once enough objects have used it, else undefined (see GUARD_AFTER). */
function guardOf(plan: Plan): Plan['guarded'] {
  if (plan.guarded !== undefined) return plan.guarded;
  if (++plan.uses < GUARD_AFTER) return undefined;
  plan.guarded = guardedNames(plan.proto!);
  return plan.guarded;
}

const SKIP = 0;

const { getPrototypeOf, getOwnPropertyDescriptor, isExtensible, isFrozen } = Object;
const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const PLAIN_PLAN: Plan = { kind: Kind.PLAIN, exact: true, proto: OBJECT_PROTO, guarded: null, uses: 0 };
const NULL_PLAN: Plan = { kind: Kind.PLAIN, exact: true, proto: null, guarded: new Set(), uses: 0 };

/** A fresh array with `x`'s items, holes kept (slice is slow on a frozen array). */
function itemsWithHoles(x: unknown[]): unknown[] {
  const y = new Array<unknown>(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v !== undefined || i in x) y[i] = v;
  }
  return y;
}

/** The names on a prototype chain that an assignment would not simply define on the instance. */
function guardedNames(proto: object): ReadonlySet<string | symbol> | null {
  const names = new Set<string | symbol>();
  for (let p: object | null = proto; p !== null; p = getPrototypeOf(p) as object | null) {
    for (const key of Reflect.ownKeys(p)) {
      const d = getOwnPropertyDescriptor(p, key)!;
      if (!('value' in d) || !d.writable) names.add(key);
    }
  }
  return names.size === 1 && names.has('__proto__') ? null : names;
}

/**
 * Whether an instance of a planned prototype may own a hook that changes its copy. The chain of
 * such a prototype defines none (see classify), so `in`, which engines cache per object shape,
 * finds only the instance's own hooks, or one set to undefined on the chain, which the frames then
 * read properly (asking `Object.hasOwn` per name cost 10% of a domain-model copy). Its own
 * `__setstate__` and `__getnewargs*__` cannot change the copy: those are looked up on the new
 * object and on the class, as CPython does.
 */
function mayOwnHook(x: object): boolean {
  return '__deepcopy__' in x || '__reduce_ex__' in x || '__reduce__' in x || '__getstate__' in x;
}

/** Typed arrays, DataViews and ArrayBuffers: bytes and a view of them, no other parts. */
function isBytes(kind: Kind): boolean {
  return kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW || kind === Kind.ARRAY_BUFFER;
}

/** Kinds whose copy has no parts but its own properties (the recursive walker takes them). */
function isLeaf(kind: Kind): boolean {
  return kind === Kind.DATE || kind === Kind.REGEXP || kind === Kind.BOXED || kind === Kind.ERROR;
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
 *   entry for `x` itself is returned as is. `null` or omitted: a new memo (Python's `None`).
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
export function deepcopy<T>(x: T, memo?: Map<unknown, unknown> | null): T {
  if (typeof x !== 'object' || x === null) return x;
  // Note: Python's memo=None means no memo; null does the same here.
  if (memo === null) memo = undefined;
  if (memo !== undefined) {
    const hit = memo.get(x);
    if (hit !== undefined || memo.has(x)) return hit as T;
  }
  if (memo !== undefined) return new DeepCopier(memo, false).copy(x) as T;
  const copier = new DeepCopier(new Map(), true);
  try {
    return copier.copy(x) as T;
  } finally {
    copier.release();
  }
}
