/**
 * The Pickler: writes what CPython's C pickler writes, for protocols 0 to 5, without recursion.
 *
 * `save()` is one loop over an explicit stack of tasks: "save this value" and the opcodes that
 * follow a container's parts (APPENDS after a batch, TUPLE after the items, REDUCE after the
 * callable and its arguments, BUILD after the state). A structure nested 1,000,000 deep pickles on
 * Node's default stack.
 *
 * Lookup order for an object, CPython's: persistent id → memo → the built-in types with opcodes
 * of their own → `reducerOverride` → the dispatch table → the mapped JS built-ins (typemap.ts) →
 * `__reduce_ex__(protocol)` → `__reduce__()` → the default reduction.
 */
import { classOf, isExactBuiltin, Kind, kindOf, stateKeys } from './builtins';
import { PicklingError, typeName } from './errors';
import { DEFAULT_PROTOCOL, HIGHEST_PROTOCOL, OP } from './opcodes';
import { Output } from './output';
import { PickleBuffer, PyGlobal, PyObject } from './pyobjects';
import { py2Name } from './pynames';
import { newobj, newobjEx, reduceObject, usesDefaultReduction } from './reduce';
import { type Reducer, type Reduction, unpackReduceValue } from './reduction';
import { defaultRegistry, type Registry } from './registry';
import {
  BYTEARRAY,
  BYTES,
  CODECS_ENCODE,
  DICT,
  FROZENSET,
  GETATTR,
  HOLE_GLOBAL,
  JS_ARRAY,
  nativeName,
  ORDERED_DICT,
  PARTIAL,
  reduceBuiltin,
  SET,
  SYMBOL_FOR,
  UNDEFINED_GLOBAL,
} from './typemap';
import { writeFloat, writeInt, writeStr } from './pickler-atoms';

/** Options of {@link Pickler} (and of `dumps`). */
export interface PicklerOptions {
  /** 0 to 5; negative means {@link HIGHEST_PROTOCOL}. Default {@link DEFAULT_PROTOCOL} (5). */
  protocol?: number;
  /** At protocol < 3, write Python 2 names (`__builtin__`, `copy_reg`). Default true. */
  fixImports?: boolean;
  /** Protocol 5: called with each PickleBuffer; a falsy result keeps it out of band. */
  bufferCallback?: ((buffer: PickleBuffer) => unknown) | null;
  /** Replaces the global dispatch table for this pickler (not merged with it). */
  dispatchTable?: ReadonlyMap<Function, Reducer>;
  /** Called first for objects without an opcode of their own; return a reduce value, or `undefined` to go on. */
  reducerOverride?: (obj: unknown) => unknown;
  /** Return an id (not null/undefined) to write a persistent reference instead of the object. */
  persistentId?: (obj: unknown) => unknown;
  /** Where classes are named and extension codes registered. Default: the default registry. */
  registry?: Registry;
}

// Task kinds of the save loop.
const T_SAVE = 0;
const T_SAVE_NOPERS = 1; // a persistent id itself: persistentId is not asked about it
const T_OP = 2; // write one opcode byte
const T_TUPLE = 3; // save an array as a tuple (reduce args), whatever its frozenness
const T_TUPLE_END = 4;
const T_FROZENSET_END = 5;
const T_LIST_BATCH = 6;
const T_DICT_BATCH = 7;
const T_SET_BATCH = 8;
const T_ITER_BATCH = 9; // listItems / dictItems of a reduction (the generic batcher)
const T_REDUCE_END = 10;
const T_GLOBAL_END = 11;
const T_STATE = 12; // save a BUILD state: a plain object keeps its non-enumerable keys too
const T_SETSTATE_END = 14;
const T_NEWOBJ_END = 15; // NEWOBJ and the instance's memo entry (default instances)
const T_INSTANCE_STATE = 16; // an instance's own properties as the BUILD dict
const T_MAP_CLOSE = 17; // a Map's first key is set: the loader has made it a Map
const T_MAP_ITEM = 18; // a key or value in a Map's first pairs (aux: the Map)

/**
 * How many saves of one object may be in progress before it is memoized (tuple items, reduce
 * arguments). CPython stops at its recursion limit; a frozen array containing itself would
 * otherwise never end.
 */
const MAX_REENTRY = 1000;

const BATCHSIZE = 1000;

interface Batch {
  readonly obj: any;
  readonly keys: readonly (string | symbol)[] | readonly [unknown, unknown][] | unknown[];
  i: number;
  /** For T_ITER_BATCH: SETITEMS pairs instead of APPENDS items. */
  readonly pairs?: boolean;
  readonly iter?: Iterator<unknown>;
}

function picklingError(message: string): PicklingError {
  return new PicklingError(message);
}

/**
 * Writes pickles. One Pickler keeps its memo across `dump` calls (as CPython's does), so a second
 * dump refers back to objects of the first; call `clearMemo()` to start afresh.
 */
export class Pickler {
  readonly protocol: number;
  readonly fixImports: boolean;
  bufferCallback: ((buffer: PickleBuffer) => unknown) | null;
  dispatchTable: ReadonlyMap<Function, Reducer> | undefined;
  readonly registry: Registry;
  /** Override (or pass as option) to reduce objects before the dispatch table is consulted. */
  reducerOverride?(obj: unknown): unknown;
  /** Override (or pass as option) to write persistent references. */
  persistentId?(obj: unknown): unknown;

  private readonly out = new Output();
  private memo = new Map<unknown, number>();
  private strMemo = new Map<string, number>();
  /** Globals by name: CPython memoizes a class by identity, and one name is one class. */
  private globalMemo = new Map<string, number>();
  private memoSize = 0;
  /** Objects whose save is in progress and not yet memoized (tuples, reductions), innermost last. */
  private readonly pending: unknown[] = [];
  /** Sets being written as `set([items])` (protocols < 4), whose items may lead back to them. */
  private readonly pendingSets = new Set<object>();
  /** Maps whose first key closeMap is writing: a GET of one now would be stored as a dict. */
  private closing = new Set<object>();
  private readonly tasks: number[] = [];
  private readonly vals: unknown[] = [];
  private readonly auxs: unknown[] = [];

  /**
   * @param options Protocol, hooks and tables (see {@link PicklerOptions}).
   * @throws {RangeError} `pickle protocol must be <= 5`.
   */
  constructor(options: PicklerOptions = {}) {
    let protocol = options.protocol ?? DEFAULT_PROTOCOL;
    if (protocol < 0) protocol = HIGHEST_PROTOCOL;
    if (!Number.isInteger(protocol) || protocol > HIGHEST_PROTOCOL) {
      throw new RangeError(`pickle protocol must be <= ${HIGHEST_PROTOCOL}`);
    }
    this.protocol = protocol;
    this.fixImports = options.fixImports ?? true;
    this.bufferCallback = options.bufferCallback ?? null;
    if (this.bufferCallback !== null && protocol < 5) {
      throw new RangeError('buffer_callback needs protocol >= 5');
    }
    this.dispatchTable = options.dispatchTable;
    this.registry = options.registry ?? defaultRegistry;
    if (options.reducerOverride) this.reducerOverride = options.reducerOverride;
    if (options.persistentId) this.persistentId = options.persistentId;
  }

  /**
   * Pickles one object.
   *
   * @param obj The value.
   * @returns The pickle's bytes.
   * @throws {PicklingError} for values that cannot be pickled (unregistered classes, functions).
   */
  dump(obj: unknown): Uint8Array {
    const out = this.out;
    out.reset();
    if (this.protocol >= 2) out.byte2(OP.PROTO, this.protocol);
    if (this.protocol >= 4) out.startFraming();
    this.push(T_SAVE, obj);
    try {
      this.run();
    } catch (e) {
      // Maps still open keep a negative memo entry (see saveMap): make them plain entries.
      for (const [k, v] of this.memo) if (v < 0) this.memo.set(k, -1 - v);
      throw e;
    } finally {
      this.tasks.length = this.vals.length = this.auxs.length = 0;
      this.pending.length = 0;
      this.pendingSets.clear();
      this.closing.clear();
    }
    out.byte(OP.STOP);
    return out.finish();
  }

  /** Forgets which objects were already written (CPython's `clear_memo`). */
  clearMemo(): void {
    this.memo = new Map();
    this.strMemo = new Map();
    this.globalMemo = new Map();
    this.memoSize = 0;
  }

  private push(task: number, val: unknown, aux?: unknown): void {
    this.tasks.push(task);
    this.vals.push(val);
    this.auxs.push(aux);
  }

  private run(): void {
    const tasks = this.tasks;
    const vals = this.vals;
    const auxs = this.auxs;
    const persistent = typeof this.persistentId === 'function';
    while (tasks.length > 0) {
      const task = tasks.pop()!;
      const val = vals.pop();
      const aux = auxs.pop();
      switch (task) {
        case T_SAVE:
        case T_MAP_ITEM:
          if (persistent && this.savePersistent(val)) break;
          if (task === T_MAP_ITEM && val === aux) {
            // The Map itself as one of its first keys or values: the loader finds this reference
            // among the pairs when it makes the Map, so a plain GET does (CPython's bytes).
            this.frameBoundary();
            const m = this.memo.get(val)!;
            this.writeGet(m < 0 ? -1 - m : m);
            break;
          }
          this.save(val);
          break;
        case T_SAVE_NOPERS:
          this.save(val);
          break;
        case T_OP:
          this.out.byte(val as number);
          break;
        case T_TUPLE:
          this.frameBoundary();
          this.saveTuple(val as unknown[]);
          break;
        case T_TUPLE_END:
          this.endTuple(val as unknown[], aux as number);
          break;
        case T_FROZENSET_END:
          this.endFrozen(val as object);
          break;
        case T_LIST_BATCH:
          this.listBatch(aux as Batch);
          break;
        case T_DICT_BATCH:
          this.dictBatch(aux as Batch);
          break;
        case T_SET_BATCH:
          this.setBatch(aux as Batch);
          break;
        case T_ITER_BATCH:
          this.iterBatch(aux as Batch);
          break;
        case T_REDUCE_END:
          this.endReduce(val, aux as [number, Reduction]);
          break;
        case T_GLOBAL_END:
          this.out.byte(OP.STACK_GLOBAL);
          this.rememberGlobal(aux, val as string, this.putMemo());
          break;
        case T_STATE:
          if (isPlainObject(val) && !this.memo.has(val) && !(persistent && this.savePersistent(val))) {
            this.frameBoundary();
            this.saveDict(val, true);
          } else {
            this.push(T_SAVE, val);
          }
          break;
        case T_NEWOBJ_END:
          this.out.byte(OP.NEWOBJ);
          if (this.memo.has(val)) {
            this.out.byte(OP.POP);
            this.writeGet(this.memo.get(val)!);
          } else {
            this.memoize(val);
          }
          break;
        case T_INSTANCE_STATE:
          this.frameBoundary();
          this.out.byte(OP.EMPTY_DICT);
          // Note: the dict is a fresh object in CPython too; it takes a memo index nobody uses.
          this.putMemo();
          this.push(T_DICT_BATCH, undefined, { obj: val, keys: aux as (string | symbol)[], i: 0 } satisfies Batch);
          break;
        case T_MAP_CLOSE: {
          const m = this.memo.get(val)!;
          if (m < 0) this.memo.set(val, -1 - m);
          if (this.closing.size !== 0) this.closing.delete(val as object);
          break;
        }
        case T_SETSTATE_END:
          this.out.byte(OP.TUPLE2);
          this.out.byte(OP.REDUCE);
          this.out.byte(OP.POP);
          break;
      }
    }
  }

  private frameBoundary(): void {
    if (this.protocol >= 4) this.out.frameBoundary();
  }

  private savePersistent(obj: unknown): boolean {
    const pid = this.persistentId!(obj);
    if (pid === undefined || pid === null) return false;
    this.frameBoundary();
    if (this.protocol === 0) {
      const text = String(pid);
      if (!/^[\x00-\x7f]*$/.test(text) || text.includes('\n')) {
        throw picklingError('persistent IDs in protocol 0 must be ASCII strings');
      }
      this.out.byte(OP.PERSID);
      this.out.ascii(text + '\n');
    } else {
      this.push(T_OP, OP.BINPERSID);
      this.push(T_SAVE_NOPERS, pid);
    }
    return true;
  }

  // --- save(): one value ---

  private save(obj: unknown): void {
    this.frameBoundary();
    const out = this.out;
    switch (typeof obj) {
      case 'number':
        if (Number.isSafeInteger(obj) && !Object.is(obj, -0)) writeInt(out, this.protocol, obj);
        else writeFloat(out, this.protocol, obj);
        return;
      case 'string': {
        const idx = this.strMemo.get(obj);
        if (idx !== undefined) {
          this.writeGet(idx);
          return;
        }
        writeStr(out, this.protocol, obj);
        this.strMemo.set(obj, this.putMemo());
        return;
      }
      case 'boolean':
        if (this.protocol >= 2) out.byte(obj ? OP.NEWTRUE : OP.NEWFALSE);
        else out.ascii(obj ? 'I01\n' : 'I00\n');
        return;
      case 'bigint':
        writeInt(out, this.protocol, obj);
        return;
      case 'undefined':
        this.saveObject(UNDEFINED_GLOBAL);
        return;
      case 'symbol':
        this.saveSymbol(obj);
        return;
      case 'function':
        this.saveObject(obj);
        return;
      default:
        if (obj === null) out.byte(OP.NONE);
        else this.saveObject(obj);
    }
  }

  private saveSymbol(sym: symbol): void {
    const idx = this.memo.get(sym);
    if (idx !== undefined) {
      this.writeGet(idx);
      return;
    }
    const key = Symbol.keyFor(sym);
    if (key === undefined) {
      throw picklingError(`Can't pickle ${String(sym)}: only registered symbols (Symbol.for) can be pickled`);
    }
    this.saveReduce({ func: SYMBOL_FOR as never, args: [key], state: null, listItems: null, dictItems: null, stateSetter: null }, sym);
  }

  private saveObject(obj: any): void {
    const idx = this.memo.get(obj);
    if (idx !== undefined) {
      if (idx < 0) return this.closeMap(obj, -1 - idx);
      if (this.closing.size !== 0 && this.closing.has(obj)) throw mapKeyCycle();
      this.writeGet(idx);
      return;
    }
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto === Array.prototype) {
      if (Object.isFrozen(obj)) this.saveTuple(obj);
      else this.saveList(obj);
      return;
    }
    if (proto === Object.prototype) return this.saveDict(obj, false);
    if (proto === null && typeof obj === 'object') {
      return this.saveReduce(reduction(ORDERED_DICT, [], null, null, ownEntries(obj)), obj);
    }
    if (proto === Set.prototype) return this.saveSet(obj);
    if (proto === Map.prototype) return this.saveMap(obj);
    if (proto === Uint8Array.prototype) return this.saveBytes(obj);
    if (proto === ArrayBuffer.prototype) return this.saveBytearray(obj);
    if (obj instanceof FreshStr) {
      writeStr(this.out, this.protocol, obj.text);
      this.putMemo();
      return;
    }
    if (obj instanceof PyGlobal) return this.saveGlobal(obj, obj.module, obj.name);
    if (obj instanceof PyObject) return this.saveReduce(pyObjectReduction(obj), obj);
    if (obj instanceof PickleBuffer) return this.savePickleBuffer(obj);
    if (typeof obj === 'function') return this.saveFunction(obj);
    if (this.reducerOverride !== undefined) {
      const rv = this.reducerOverride(obj);
      if (rv !== undefined && rv !== null && rv !== NotImplemented) return this.saveReduceValue(rv, obj);
    }
    const table = this.dispatchTable ?? this.registry.dispatchTable;
    if (table.size !== 0) {
      const cls = classOf(obj);
      const reducer = cls === undefined ? undefined : table.get(cls);
      if (reducer !== undefined) return this.saveReduceValue(reducer(obj), obj);
    }
    const kind = kindOf(obj);
    if (proto !== null && isExactBuiltin(proto)) {
      const state = kind === Kind.ARRAY_BUFFER ? null : ownState(obj, kind);
      const rv = reduceBuiltin(obj, kind, state);
      if (rv === undefined) throw picklingError(`cannot pickle '${typeName(obj)}' object`);
      return this.saveReduceValue(rv, obj);
    }
    if (kind === Kind.TYPED_ARRAY && obj instanceof Uint8Array && !this.isDeclaredClass(obj)) {
      // A Uint8Array subclass nobody registered (Node's Buffer) is still bytes.
      return this.saveBytes(obj);
    }
    if (kind === Kind.OBJECT && this.protocol >= 2 && usesDefaultReduction(obj, table)) {
      return this.saveInstance(obj);
    }
    const rv = reduceObject(obj, this.protocol, table, () =>
      picklingError(`Can't pickle ${typeName(obj)} object: its reduce hooks are masked`),
    );
    this.saveReduceValue(rv, obj);
  }

  /**
   * The default reduction of an ordinary class instance, written without building the reduce
   * value: `cls () NEWOBJ` and a BUILD of its own properties, the bytes CPython writes for
   * `(copyreg.__newobj__, (cls,), obj.__dict__)`.
   */
  private saveInstance(obj: object): void {
    const cls = classOf(obj);
    if (cls === undefined) throw picklingError(`cannot pickle '${typeName(obj)}' object`);
    const keys = stateKeys(obj, Kind.OBJECT);
    if (keys.length > 0) {
      this.push(T_OP, OP.BUILD);
      this.push(T_INSTANCE_STATE, obj, keys);
    }
    this.push(T_NEWOBJ_END, obj);
    this.push(T_OP, OP.EMPTY_TUPLE);
    this.push(T_SAVE, cls);
  }

  private isDeclaredClass(obj: object): boolean {
    const cls = classOf(obj);
    return cls !== undefined && this.registry.isDeclared(cls);
  }

  private saveReduceValue(rv: unknown, obj: object | symbol): void {
    if (typeof rv === 'string') {
      const cls = typeof obj === 'object' ? classOf(obj) : undefined;
      const module = (cls && this.registry.nameOf(cls)?.module) ?? '__main__';
      return this.saveGlobal(obj, module, rv);
    }
    this.saveReduce(unpackReduceValue(rv, picklingError, 6, isPicklableCallable), obj);
  }

  // --- Memo ---

  /** Writes a PUT for the next memo index and returns that index. */
  private putMemo(): number {
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

  private memoize(obj: unknown): void {
    this.memo.set(obj, this.putMemo());
  }

  private writeGet(idx: number): void {
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

  // --- Containers ---

  private saveList(obj: unknown[]): void {
    const extras = stateKeys(obj, Kind.ARRAY);
    if (extras.length > 0) {
      // Note: a list cannot carry attributes in Python; a JS array with extra properties is a
      // JS-only value.
      const state: Record<string | symbol, unknown> = {};
      for (const k of extras) state[k] = (obj as unknown as Record<string | symbol, unknown>)[k];
      return this.saveReduce(reduction(JS_ARRAY, [], state, withHoles(obj), null), obj);
    }
    const out = this.out;
    if (this.protocol === 0) {
      out.byte2(OP.MARK, OP.LIST);
    } else {
      out.byte(OP.EMPTY_LIST);
    }
    this.memoize(obj);
    const n = obj.length;
    if (n === 0) return;
    this.push(T_LIST_BATCH, undefined, { obj, keys: obj, i: 0 } satisfies Batch);
  }

  /** The C pickler's `batch_list_exact`: one item → APPEND; else MARK … APPENDS per 1000. */
  private listBatch(b: Batch): void {
    const obj = b.obj as unknown[];
    const n = obj.length;
    const start = b.i;
    const p0 = this.protocol === 0;
    const end = p0 ? Math.min(start + BATCHSIZE, n) : Math.min(start + BATCHSIZE, n);
    if (end < n) {
      b.i = end;
      this.push(T_LIST_BATCH, undefined, b);
    }
    if (p0 || n === 1) {
      for (let i = end - 1; i >= start; i--) {
        this.push(T_OP, OP.APPEND);
        this.push(T_SAVE, itemAt(obj, i));
      }
      return;
    }
    this.out.byte(OP.MARK);
    this.push(T_OP, OP.APPENDS);
    for (let i = end - 1; i >= start; i--) this.push(T_SAVE, itemAt(obj, i));
  }

  private saveTuple(obj: unknown[]): void {
    const out = this.out;
    const n = obj.length;
    if (n === 0) {
      if (this.protocol >= 1) out.byte(OP.EMPTY_TUPLE);
      else out.byte2(OP.MARK, OP.TUPLE);
      return;
    }
    const idx = this.memo.get(obj);
    if (idx !== undefined) {
      this.writeGet(idx);
      return;
    }
    const short = n <= 3 && this.protocol >= 2;
    this.enter(obj);
    if (!short) out.byte(OP.MARK);
    this.push(T_TUPLE_END, obj, n);
    for (let i = n - 1; i >= 0; i--) this.push(T_SAVE, itemAt(obj, i));
  }

  private endTuple(obj: unknown[], n: number): void {
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

  private saveDict(obj: Record<string, unknown>, allKeys: boolean): void {
    const keys: (string | symbol)[] = allKeys ? Object.getOwnPropertyNames(obj) : Object.keys(obj);
    const symbols = Object.getOwnPropertySymbols(obj);
    for (const s of symbols) if (allKeys || Object.prototype.propertyIsEnumerable.call(obj, s)) keys.push(s);
    if (this.protocol === 0) this.out.byte2(OP.MARK, OP.DICT);
    else this.out.byte(OP.EMPTY_DICT);
    this.memoize(obj);
    if (keys.length > 0) this.push(T_DICT_BATCH, undefined, { obj, keys, i: 0 } satisfies Batch);
  }

  /** The C pickler's `batch_dict_exact`: one pair → SETITEM; else MARK … SETITEMS per 1000. */
  private dictBatch(b: Batch): void {
    const obj = b.obj;
    const keys = b.keys as readonly unknown[];
    const n = keys.length;
    const start = b.i;
    const end = Math.min(start + BATCHSIZE, n);
    if (end < n) {
      b.i = end;
      this.push(T_DICT_BATCH, undefined, b);
    }
    const isMap = obj instanceof Map;
    const get = (i: number): [unknown, unknown] => {
      if (isMap) return keys[i] as [unknown, unknown];
      const k = keys[i] as string | symbol;
      return [k, (obj as Record<string | symbol, unknown>)[k]];
    };
    const item = isMap && start === 0 ? T_MAP_ITEM : T_SAVE;
    if (this.protocol === 0 || n === 1) {
      for (let i = end - 1; i >= start; i--) {
        const [k, v] = get(i);
        if (isMap && i === 0) this.push(T_MAP_CLOSE, obj);
        this.push(T_OP, OP.SETITEM);
        this.push(item, v, obj);
        this.push(item, k, obj);
      }
      return;
    }
    this.out.byte(OP.MARK);
    if (isMap && start === 0) this.push(T_MAP_CLOSE, obj);
    this.push(T_OP, OP.SETITEMS);
    for (let i = end - 1; i >= start; i--) {
      const [k, v] = get(i);
      this.push(item, v, obj);
      this.push(item, k, obj);
    }
  }

  /**
   * A GET of a Map written as a dict literal (its memo entry still negative), before the pair that
   * makes the loader turn the plain object into a Map. Setting the first key right here (to None;
   * the real value follows, in place) makes it a Map before this reference can be stored
   * anywhere. Python reads the same dict.
   */
  private closeMap(map: Map<unknown, unknown>, idx: number): void {
    const first = Map.prototype.keys.call(map).next().value;
    // The first key is a tuple (or reduced object) that holds the Map and is being written.
    if (this.pending.lastIndexOf(first) >= 0) throw mapKeyCycle();
    this.memo.set(map, idx);
    this.writeGet(idx);
    if (first === map) {
      this.writeGet(idx);
      this.out.byte2(OP.NONE, OP.SETITEM);
      return;
    }
    this.closing.add(map);
    this.push(T_OP, OP.SETITEM);
    this.push(T_OP, OP.NONE);
    this.push(T_MAP_CLOSE, map);
    this.push(T_SAVE, first);
  }

  /**
   * Records a save in progress of an object not memoized yet (tuple items, reduce arguments). Such
   * a save can reach the object again (CPython's recursive tuples), but only a bounded number of
   * times unless it contains itself through such values alone: that would never end, so as the
   * stack of them grows (at each power of two) no object may be in it more than MAX_REENTRY times.
   */
  private enter(obj: unknown): void {
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

  private saveMap(obj: Map<unknown, unknown>): void {
    const entries = Array.from(Map.prototype.entries.call(obj));
    const first = entries.length > 0 ? typeof entries[0]![0] : 'string';
    if (first !== 'string' && first !== 'symbol') {
      // Python reads a dict with non-string keys; the loader makes a Map of it again when the
      // first pair is set (until then a GET of it must close it first: closeMap).
      if (this.protocol === 0) this.out.byte2(OP.MARK, OP.DICT);
      else this.out.byte(OP.EMPTY_DICT);
      // Note: a negative memo entry marks it open until T_MAP_CLOSE (-1 - index).
      this.memo.set(obj, -1 - this.putMemo());
      this.push(T_DICT_BATCH, undefined, { obj, keys: entries, i: 0 } satisfies Batch);
      return;
    }
    // Note: a Map whose first key is a string would load as a plain object, or change key order,
    // if written as a dict literal; `builtins.dict()` plus SETITEMS is the same dict to Python
    // and a Map from the start.
    this.saveReduce(reduction(DICT, [], null, null, entries), obj);
  }

  private saveSet(obj: Set<unknown>): void {
    const frozen = Object.isFrozen(obj);
    if (this.protocol < 4) {
      if (!frozen && (obj.has(obj) || this.pendingSets.has(obj))) {
        // A Set reached again through its own items (impossible in Python) cannot be its own
        // constructor argument: `set()`, then its items appended once it exists (the loader adds
        // them); the outer save then finds it memoized and drops its own copy (POP, GET).
        return this.saveReduce(reduction(SET, [], null, Array.from(obj), null), obj);
      }
      if (!frozen) this.pendingSets.add(obj);
      return this.saveReduce(reduction(frozen ? FROZENSET : SET, [Array.from(obj)], null, null, null), obj);
    }
    const items = Array.from(obj);
    if (frozen) {
      this.enter(obj);
      this.out.byte(OP.MARK);
      this.push(T_FROZENSET_END, obj);
      for (let i = items.length - 1; i >= 0; i--) this.push(T_SAVE, items[i]);
      return;
    }
    this.out.byte(OP.EMPTY_SET);
    this.memoize(obj);
    if (items.length > 0) this.push(T_SET_BATCH, undefined, { obj, keys: items, i: 0 } satisfies Batch);
  }

  private setBatch(b: Batch): void {
    const items = b.keys as unknown[];
    const start = b.i;
    const end = Math.min(start + BATCHSIZE, items.length);
    if (end < items.length) {
      b.i = end;
      this.push(T_SET_BATCH, undefined, b);
    }
    this.out.byte(OP.MARK);
    this.push(T_OP, OP.ADDITEMS);
    for (let i = end - 1; i >= start; i--) this.push(T_SAVE, items[i]);
  }

  private endFrozen(obj: object): void {
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

  // --- Bytes ---

  private saveBytes(obj: Uint8Array): void {
    if (this.protocol < 3) {
      if (obj.length === 0) return this.saveReduce(reduction(BYTES, [], null, null, null), obj);
      let text = '';
      for (let i = 0; i < obj.length; i += 8192) {
        text += String.fromCharCode(...obj.subarray(i, Math.min(i + 8192, obj.length)));
      }
      return this.saveReduce(reduction(CODECS_ENCODE, [new FreshStr(text), 'latin1'], null, null, null), obj);
    }
    this.writeBytes(obj, false);
    this.memoize(obj);
  }

  private writeBytes(data: Uint8Array, bytearray: boolean): void {
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

  private saveBytearray(obj: ArrayBuffer): void {
    const bytes = new Uint8Array(obj);
    if (this.protocol < 5) {
      return this.saveReduce(reduction(BYTEARRAY, bytes.length === 0 ? [] : [bytes.slice()], null, null, null), obj);
    }
    this.writeBytes(bytes, true);
    this.memoize(obj);
  }

  private savePickleBuffer(pb: PickleBuffer): void {
    if (this.protocol < 5) throw picklingError('PickleBuffer can only pickled with protocol >= 5');
    const inBand = this.bufferCallback === null || Boolean(this.bufferCallback(pb));
    if (inBand) {
      this.writeBytes(pb.view, !pb.readonly);
      this.memoize(pb);
      return;
    }
    this.out.byte(OP.NEXT_BUFFER);
    if (pb.readonly) this.out.byte(OP.READONLY_BUFFER);
  }

  // --- Globals ---

  private saveFunction(fn: Function): void {
    const native = nativeName(fn);
    if (native !== undefined) return this.saveGlobal(fn, native.module, native.name);
    const name = this.registry.nameOf(fn);
    if (name === undefined) {
      throw picklingError(
        `Can't pickle ${typeName(fn)}: it is not declared; declare it with constructor() or @reducible`,
      );
    }
    if (this.registry.resolve(name.module, name.name) !== fn) {
      throw picklingError(
        `Can't pickle ${typeName(fn)}: it's not the same object as ${name.module}.${name.name}`,
      );
    }
    this.saveGlobal(fn, name.module, name.name);
  }

  private saveGlobal(obj: unknown, module: string, name: string): void {
    const out = this.out;
    const key = module + '\u0000' + name;
    const idx = this.globalMemo.get(key);
    if (idx !== undefined) {
      this.writeGet(idx);
      return;
    }
    if (this.protocol >= 2) {
      const code = this.registry.extensionCode(module, name);
      if (code !== undefined) {
        if (code <= 0xff) out.byte2(OP.EXT1, code);
        else if (code <= 0xffff) {
          out.byte(OP.EXT2);
          out.u16(code);
        } else {
          out.byte(OP.EXT4);
          out.i32(code);
        }
        return;
      }
    }
    if (this.protocol >= 4) {
      this.push(T_GLOBAL_END, key, obj);
      // Note: CPython's module name and qualified name are different str objects even when
      // equal (datetime.datetime), so the name is not a memo hit on the module's string.
      this.push(T_SAVE_NOPERS, name === module ? new FreshStr(name) : name);
      this.push(T_SAVE_NOPERS, module);
      return;
    }
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      const parent = this.registry.resolve(module, name.slice(0, dot)) ?? new PyGlobal(module, name.slice(0, dot));
      return this.saveReduce(reduction(GETATTR, [parent, name.slice(dot + 1)], null, null, null), obj as object);
    }
    let m = module;
    let n = name;
    if (this.protocol < 3 && this.fixImports) [m, n] = py2Name(module, name);
    if (this.protocol < 3 && !/^[\x00-\x7f]*$/.test(m + n)) {
      throw picklingError(
        `can't pickle global identifier '${module}.${name}' using pickle protocol ${this.protocol}`,
      );
    }
    out.byte(OP.GLOBAL);
    out.utf8(`${m}\n${n}\n`);
    this.rememberGlobal(obj, key, this.putMemo());
  }

  /** Memoizes a global by name, and by identity for a quicker hit next time. */
  private rememberGlobal(obj: unknown, key: string, idx: number): void {
    this.globalMemo.set(key, idx);
    if (typeof obj === 'function' || obj instanceof PyGlobal) this.memo.set(obj, idx);
  }

  // --- Reduce ---

  /** CPython's `save_reduce`: callable and arguments, the object's memo entry, items, state. */
  private saveReduce(red: Reduction, obj: object | symbol | undefined): void {
    const func = red.func as unknown;
    const args = red.args;
    if (obj !== undefined) this.enter(obj);
    if (this.protocol >= 2 && func === newobjEx) {
      if (args.length !== 3) throw picklingError('__newobj_ex__ args has the wrong length');
      const [cls, cargs, kwargs] = args as [unknown, unknown[], Record<string, unknown>];
      this.checkNewobjClass(cls, obj, '__newobj_ex__');
      if (this.protocol >= 4) {
        this.push(T_REDUCE_END, obj, [OP.NEWOBJ_EX, red]);
        this.push(T_SAVE, kwargs);
        this.push(T_TUPLE, cargs);
        this.push(T_SAVE, cls);
        return;
      }
      // Protocols 2-3 have no NEWOBJ_EX: CPython writes partial(cls.__new__, cls, *args, **kw)().
      const newFn = new PyObject(GETATTR, [cls, '__new__']);
      const partial = new PyObject(PARTIAL, [newFn]);
      partial.state = Object.freeze([newFn, Object.freeze([cls, ...cargs]), kwargs ?? null, null]);
      this.push(T_REDUCE_END, obj, [OP.REDUCE, red]);
      this.push(T_TUPLE, []);
      this.push(T_SAVE, partial);
      return;
    }
    if (this.protocol >= 2 && func === newobj) {
      if (args.length === 0) throw picklingError('__newobj__ arglist is empty');
      this.checkNewobjClass(args[0], obj, '__newobj__');
      this.push(T_REDUCE_END, obj, [OP.NEWOBJ, red]);
      this.push(T_TUPLE, args.slice(1));
      this.push(T_SAVE, args[0]);
      return;
    }
    this.push(T_REDUCE_END, obj, [OP.REDUCE, red]);
    this.push(T_TUPLE, args);
    this.push(T_SAVE, func);
  }

  private checkNewobjClass(cls: unknown, obj: unknown, what: string): void {
    if (typeof cls !== 'function' && !(cls instanceof PyGlobal)) {
      throw picklingError(`args[0] from ${what} args is not a type`);
    }
    if (obj !== undefined && typeof obj === 'object' && !(obj instanceof PyObject) && classOf(obj as object) !== cls) {
      throw picklingError(`args[0] from ${what} args has the wrong class`);
    }
  }

  private endReduce(obj: unknown, [op, red]: [number, Reduction]): void {
    const out = this.out;
    out.byte(op);
    if (obj !== undefined) {
      this.pending.pop();
      if (this.pendingSets.size !== 0) this.pendingSets.delete(obj as object);
      const idx = this.memo.get(obj);
      if (idx !== undefined) {
        out.byte(OP.POP);
        this.writeGet(idx);
      } else {
        this.memoize(obj);
      }
    }
    // Pushed in reverse: list items, then dict items, then the state run next.
    const state = red.state;
    if (state !== null && state !== undefined) {
      if (typeof red.stateSetter === 'function') {
        this.push(T_SETSTATE_END, undefined);
        this.push(T_STATE, state);
        this.push(T_SAVE, obj);
        this.push(T_SAVE, red.stateSetter);
      } else {
        this.push(T_OP, OP.BUILD);
        this.push(T_STATE, state);
      }
    }
    if (red.dictItems != null) {
      this.push(T_ITER_BATCH, undefined, { obj, keys: [], i: 0, pairs: true, iter: red.dictItems[Symbol.iterator]() } satisfies Batch);
    }
    if (red.listItems != null) {
      this.push(T_ITER_BATCH, undefined, { obj, keys: [], i: 0, pairs: false, iter: red.listItems[Symbol.iterator]() } satisfies Batch);
    }
  }

  /** CPython's generic `_batch_appends` / `_batch_setitems` for a reduction's items. */
  private iterBatch(b: Batch): void {
    const iter = b.iter!;
    const batch: unknown[] = [];
    while (batch.length < BATCHSIZE) {
      const next = iter.next();
      if (next.done) break;
      batch.push(next.value);
    }
    const n = batch.length;
    if (n === 0) return;
    if (n === BATCHSIZE) this.push(T_ITER_BATCH, undefined, b);
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
          this.push(T_OP, OP.SETITEM);
          this.push(T_SAVE, v);
          this.push(T_SAVE, k);
        }
        return;
      }
      this.out.byte(OP.MARK);
      this.push(T_OP, OP.SETITEMS);
      for (let i = n - 1; i >= 0; i--) {
        const [k, v] = batch[i] as [unknown, unknown];
        this.push(T_SAVE, v);
        this.push(T_SAVE, k);
      }
      return;
    }
    if (p0 || n === 1) {
      for (let i = n - 1; i >= 0; i--) {
        this.push(T_OP, OP.APPEND);
        this.push(T_SAVE, batch[i]);
      }
      return;
    }
    this.out.byte(OP.MARK);
    this.push(T_OP, OP.APPENDS);
    for (let i = n - 1; i >= 0; i--) this.push(T_SAVE, batch[i]);
  }
}

function mapKeyCycle(): PicklingError {
  return picklingError("Can't pickle Map: its first key contains the Map through values written before it");
}

/** A str that CPython would create fresh (the latin-1 text of bytes): written, never shared. */
class FreshStr {
  constructor(readonly text: string) {}
}

/** Sentinel a `reducerOverride` may return to mean "not handled" (Python's NotImplemented). */
export const NotImplemented: unique symbol = Symbol('NotImplemented');

function reduction(
  func: unknown,
  args: readonly unknown[],
  state: unknown,
  listItems: Iterable<unknown> | null,
  dictItems: Iterable<readonly [unknown, unknown]> | null,
): Reduction {
  return { func: func as Function, args, state, listItems, dictItems, stateSetter: null };
}

function pyObjectReduction(o: PyObject): Reduction {
  const listItems = o.listItems.length > 0 ? o.listItems : null;
  const dictItems = o.dictItems.length > 0 ? o.dictItems : null;
  if (o.form === 'newobj') return reduction(newobj, [o.cls, ...o.args], o.state, listItems, dictItems);
  if (o.form === 'newobj_ex') return reduction(newobjEx, [o.cls, o.args, o.kwargs ?? {}], o.state, listItems, dictItems);
  return reduction(o.cls, o.args, o.state, listItems, dictItems);
}

function isPicklableCallable(f: unknown): boolean {
  return typeof f === 'function' || f instanceof PyGlobal || f instanceof PyObject;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}

function ownEntries(obj: object): [string | symbol, unknown][] {
  const keys = stateKeys(obj, Kind.PLAIN);
  return keys.map((k) => [k, (obj as Record<string | symbol, unknown>)[k]]);
}

function ownState(obj: object, kind: Kind): object | null {
  const keys = stateKeys(obj, kind);
  const skip = kind === Kind.ERROR ? 'message' : undefined;
  let state: Record<string | symbol, unknown> | null = null;
  for (const k of keys) {
    if (k === skip) continue;
    state ??= {};
    state[k] = (obj as Record<string | symbol, unknown>)[k];
  }
  return state;
}

/** An array's items with its holes as `copyreg_js.hole`. */
function withHoles(obj: unknown[]): unknown[] {
  const items = new Array<unknown>(obj.length);
  for (let i = 0; i < obj.length; i++) items[i] = itemAt(obj, i);
  return items;
}

function itemAt(obj: unknown[], i: number): unknown {
  const v = obj[i];
  return v === undefined && !(i in obj) ? HOLE_GLOBAL : v;
}
