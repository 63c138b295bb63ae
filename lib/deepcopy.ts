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
import { isExactBuiltin, Kind, kindOf, makeShell, stateKeys } from './builtins';
import { FrameWalker, PENDING, type RecursiveCopier } from './deepcopy-frames';
import { putProp, usesDefaultReduction } from './reduce';
import { defaultRegistry } from './registry';

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
  private readonly protos = new Map<object, number>();

  private walker: FrameWalker | undefined;

  constructor(private readonly memo: Map<unknown, unknown>) {}

  /** The finished copy of an object that is not in the memo. */
  copy(x: object): unknown {
    const r = this.tryRecursive(x);
    if (r !== PENDING) return r;
    this.walker ??= new FrameWalker(this.memo, this.table, this);
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
    const proto = Object.getPrototypeOf(x) as object | null;
    let y: any;
    let kind: Kind;
    let keys: (string | symbol)[];
    if (proto === Array.prototype) {
      if (!Object.isExtensible(x)) return PENDING;
      kind = Kind.ARRAY;
      y = Array.prototype.slice.call(x);
      this.memo.set(x, y);
      this.depth++;
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (typeof v === 'object' && v !== null) y[i] = this.memo.get(v) ?? this.copy(v);
      }
      keys = stateKeys(x, kind);
    } else if (proto === Object.prototype || proto === null) {
      if (!Object.isExtensible(x)) return PENDING;
      kind = Kind.PLAIN;
      keys = stateKeys(x, kind);
      y = proto === null ? Object.create(null) : {};
      this.memo.set(x, y);
      this.depth++;
    } else {
      if (typeof x === 'function') return x;
      let info = this.protos.get(proto);
      if (info === undefined) {
        info = this.classify(x, proto);
        this.protos.set(proto, info);
      }
      if (info < 0 || !Object.isExtensible(x)) return PENDING;
      kind = (info & KIND_MASK) as Kind;
      keys = stateKeys(x, kind);
      if ((info & EXACT) === 0 && hasHookKey(keys)) return PENDING;
      y = makeShell(x, kind);
      this.memo.set(x, y);
      if (kind === Kind.REGEXP) y.lastIndex = x.lastIndex;
      this.depth++;
    }
    const plain = kind === Kind.PLAIN;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const desc = Object.getOwnPropertyDescriptor(x, key);
      if (desc === undefined) continue;
      if ('value' in desc) {
        const v = desc.value as unknown;
        if (typeof v === 'object' && v !== null) desc.value = this.memo.get(v) ?? this.copy(v);
        putProp(y, key, desc, plain);
      } else {
        Object.defineProperty(y, key, desc);
      }
    }
    if (kind === Kind.MAP) {
      Map.prototype.forEach.call(x, (v: unknown, k: unknown) => y.set(this.deep(k), this.deep(v)));
    } else if (kind === Kind.SET) {
      Set.prototype.forEach.call(x, (v: unknown) => y.add(this.deep(v)));
    }
    this.depth--;
    return y;
  }

  /**
   * What the recursive walker may do with objects of one prototype: -1 when they are left to the
   * frames, else their kind, with EXACT set for a built-in's own prototype (no hooks apply).
   */
  private classify(x: any, proto: object): number {
    const kind = kindOf(x);
    const recursive = kind === Kind.OBJECT || kind === Kind.MAP || kind === Kind.SET || isLeaf(kind);
    if (!recursive) return -1;
    if (isExactBuiltin(proto)) return kind | EXACT;
    if (x.__deepcopy__ !== undefined || !usesDefaultReduction(x, this.table)) return -1;
    return kind;
  }

  private deep(v: unknown): unknown {
    if (typeof v !== 'object' || v === null) return v;
    return this.memo.get(v) ?? this.copy(v);
  }
}

const KIND_MASK = 0xff;
const EXACT = 0x100;

/** The hook names an instance could own that change how it is copied. */
const OWN_HOOKS = new Set<string | symbol>([
  '__deepcopy__',
  '__reduce_ex__',
  '__reduce__',
  '__getstate__',
  '__setstate__',
  '__getnewargs__',
  '__getnewargs_ex__',
]);

/** Whether an instance owns a hook (rare: hooks live on prototypes), checked on its own keys. */
function hasHookKey(keys: (string | symbol)[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (typeof k === 'string' && k.charCodeAt(0) === 95 && OWN_HOOKS.has(k)) return true;
  }
  return false;
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
 *   entry for `x` itself is returned as is.
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
  return new DeepCopier(memo ?? new Map()).copy(x) as T;
}
