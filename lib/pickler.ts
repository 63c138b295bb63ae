/**
 * The Pickler: writes what CPython's C pickler writes, for protocols 0 to 5, without recursion.
 *
 * `save()` is one loop over an explicit stack of tasks: "save this value" and the opcodes that
 * follow a container's parts (APPENDS after a batch, TUPLE after the items, REDUCE after the
 * callable and its arguments, BUILD after the state). A structure nested 1,000,000 deep pickles on
 * Node's default stack.
 *
 * Lookup order for an object (SPEC §4): persistent id → memo → the built-in types with opcodes
 * of their own and the other exact JS built-ins (typemap.ts) → `reducerOverride` → the dispatch
 * table → `__reduce_ex__(protocol)` → `__reduce__()` → the default reduction.
 */
import { classOf, inheritsSlots, isExactBuiltin, Kind, kindOf } from './builtins';
import { pyTypeName, typeName } from './errors';
import { DEFAULT_PROTOCOL, HIGHEST_PROTOCOL, OP } from './opcodes';
import { stateKeys } from './ownkeys';
import { PickleBuffer, PyGlobal, PyObject } from './pyobjects';
import { hasReduceHook, newobj, newobjEx, ownsHook, REDUCE_HOOKS, usesDefaultReduction } from './reduce';
import { DictState, reduceObject } from './reduce-default';
import { type Reducer, type Reduction, unpackReduceValue } from './reduction';
import { defaultRegistry, globalKey, type Registry } from './registry';
import {
  ORDERED_DICT,
  ownEntries,
  ownState,
  reduceBuiltin,
  SYMBOL_FOR,
  UNDEFINED_GLOBAL,
  UTC,
  datetimeStateInto,
  nativeGlobal,
} from './typemap';
import { writeStr } from './pickler-atoms';
import { checkLength } from './pickler-containers';
import { PicklerGlobals } from './pickler-globals';
import { type Batch, FreshStr, picklingError, reduction } from './pickler-core';
import * as T from './pickler-tasks';

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

/**
 * Writes pickles. One Pickler keeps its memo across `dump` calls (as CPython's does), so a second
 * dump refers back to objects of the first; call `clearMemo()` to start afresh.
 */
export class Pickler extends PicklerGlobals {
  readonly fixImports: boolean;
  bufferCallback: ((buffer: PickleBuffer) => unknown) | null;
  /**
   * Replaces the global `dispatchTable` for this Pickler when set (as an option, an assignment, a
   * subclass field or a subclass getter: the constructor defines no own property unless the option
   * is given, so a getter on a subclass is not shadowed).
   */
  declare dispatchTable: ReadonlyMap<Function, Reducer> | undefined;
  readonly registry: Registry;
  /** Override (or pass as option) to reduce objects before the dispatch table is consulted. */
  reducerOverride?(obj: unknown): unknown;
  /** Override (or pass as option) to write persistent references. */
  persistentId?(obj: unknown): unknown;

  /**
   * @param options Protocol, hooks and tables (see {@link PicklerOptions}), or the protocol alone.
   * @throws {RangeError} `pickle protocol must be <= 5`.
   * @throws {TypeError} when the protocol is not an integer.
   */
  constructor(options?: PicklerOptions | number | null) {
    options = pickleOptions(options);
    super(checkProtocol(options.protocol ?? DEFAULT_PROTOCOL));
    const protocol = this.protocol;
    this.fixImports = options.fixImports ?? true;
    this.bufferCallback = options.bufferCallback ?? null;
    if (this.bufferCallback !== null && protocol < 5) {
      throw new RangeError('buffer_callback needs protocol >= 5');
    }
    if (options.dispatchTable !== undefined) this.dispatchTable = options.dispatchTable;
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
    if (this.instanceClasses.size !== 0) this.instanceClasses.clear();
    const out = this.out;
    out.reset();
    if (this.protocol >= 2) out.byte2(OP.PROTO, this.protocol);
    if (this.protocol >= 4) out.startFraming();
    this.push(T.SAVE, obj);
    const memoStart = this.memoSize;
    try {
      this.run();
    } catch (e) {
      // The bytes of this dump are thrown away, so are the memo entries it made: a later dump
      // must not refer to them.
      this.forgetFrom(memoStart);
      throw e;
    } finally {
      // Note: the stacks are empty unless the dump failed; setting a length costs a runtime call.
      if (this.tasks.length !== 0) this.tasks.length = this.vals.length = this.auxs.length = 0;
      if (this.pending.length !== 0) this.pending.length = 0;
      this.depth = 0;
      if (this.pendingSets.size !== 0) this.pendingSets.clear();
    }
    out.byte(OP.STOP);
    return out.finish();
  }

  /** Per prototype, for one dump: the class its default-reduced instances name, or null. */
  private readonly instanceClasses = new Map<object, Function | null>();

  /** Forgets which objects were already written (CPython's `clear_memo`). */
  clearMemo(): void {
    this.memo = new Map();
    this.strMemo = new Map();
    this.globalMemo = new Map();
    this.memoSize = 0;
  }

  /** Runs the tasks above `base` (0: all of them). */
  private run(base = 0): void {
    const tasks = this.tasks;
    const vals = this.vals;
    const auxs = this.auxs;
    const persistent = typeof this.persistentId === 'function';
    this.inlineAtoms = !persistent;
    while (tasks.length > base) {
      const task = tasks.pop()!;
      const val = vals.pop();
      const aux = auxs.pop();
      switch (task) {
        case T.SAVE:
          if (persistent && this.savePersistent(val)) break;
          this.save(val);
          break;
        case T.SAVE_NOPERS:
          this.save(val);
          break;
        case T.OP:
          this.out.byte(val as number);
          break;
        case T.TUPLE:
          // Note: CPython's save_reduce saves the args tuple with save(), so the hook sees it too.
          if (persistent && this.savePersistent(Object.isFrozen(val) ? val : Object.freeze((val as unknown[]).slice()))) break;
          this.frameBoundary();
          this.saveTuple(val as unknown[]);
          break;
        case T.TUPLE_END:
          this.endTuple(val as unknown[], aux as number);
          break;
        case T.FROZENSET_END:
          this.endFrozen(val as object);
          break;
        case T.LIST_BATCH:
          this.listBatch(aux as Batch);
          break;
        case T.DICT_BATCH:
          this.dictBatch(aux as Batch);
          break;
        case T.SET_BATCH:
          this.setBatch(aux as Batch);
          break;
        case T.ITER_BATCH:
          this.iterBatch(aux as Batch);
          break;
        case T.REDUCE_END:
          this.endReduce(val, aux as [number, Reduction]);
          break;
        case T.GLOBAL_END:
          this.out.byte(OP.STACK_GLOBAL);
          this.rememberGlobal(aux, val as string, this.putMemo());
          break;
        case T.STATE:
          if (isPlainObject(val) && !this.memo.has(val) && !(persistent && this.savePersistent(val))) {
            this.frameBoundary();
            this.saveDict(val, true);
          } else {
            this.push(T.SAVE, val);
          }
          break;
        case T.NEWOBJ_END:
          this.out.byte(OP.NEWOBJ);
          this.memoizeMade(val);
          break;
        case T.INSTANCE_STATE:
          this.openStateDict();
          this.push(T.DICT_BATCH, undefined, { obj: val, keys: aux as (string | symbol)[], i: 0 } satisfies Batch);
          break;
        case T.DICT_END:
          this.out.byte(OP.DICT);
          this.memoize(val);
          break;
        case T.SETSTATE_END:
          this.out.byte(OP.TUPLE2);
          this.out.byte(OP.REDUCE);
          this.out.byte(OP.POP);
          break;
      }
    }
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
      this.push(T.OP, OP.BINPERSID);
      this.push(T.SAVE_NOPERS, pid);
    }
    return true;
  }

  // --- save(): one value ---

  private save(obj: unknown): void {
    if (this.saveAtom(obj) || this.saveRec(obj)) return;
    this.saveDirect(obj);
  }

  protected saveNested(obj: unknown): void {
    const base = this.tasks.length;
    this.saveDirect(obj);
    this.run(base);
  }

  protected defaultInstanceClass(obj: object, proto: object | null): Function | undefined {
    if (this.protocol < 2 || this.reducerOverride !== undefined || proto === null) return undefined;
    // Note: all but the instance's own hooks depend on the prototype alone; one dump decides once.
    let cls = this.instanceClasses.get(proto);
    if (cls === undefined) {
      cls = this.classifyInstances(obj, proto);
      this.instanceClasses.set(proto, cls);
    }
    if (cls === null) return undefined;
    return ownsHook(obj, REDUCE_HOOKS) ? undefined : cls;
  }

  /** The class whose instances (owning no hook) get the default reduction, or null. */
  private classifyInstances(obj: object, proto: object): Function | null {
    if (obj instanceof PyObject || obj instanceof PyGlobal || obj instanceof FreshStr || obj instanceof PickleBuffer) {
      return null;
    }
    const table = this.dispatchTable ?? this.registry.dispatchTable;
    const cls = classOf(obj);
    if (cls === undefined || (table.size !== 0 && table.has(cls))) return null;
    // Note: an Object.create() of a built-in subclass's prototype says nothing of its real instances.
    return kindOf(obj) === Kind.OBJECT && !inheritsSlots(obj) && !hasReduceHook(proto) ? cls : null;
  }

  /** save() for a value that is neither an atom nor one saveRec takes. */
  private saveDirect(obj: unknown): void {
    this.frameBoundary();
    switch (typeof obj) {
      case 'undefined':
        this.saveObject(UNDEFINED_GLOBAL);
        return;
      case 'symbol':
        this.saveSymbol(obj);
        return;
      default:
        this.saveObject(obj);
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
    if (proto === Map.prototype) return this.saveMap(obj, false);
    if (proto === DictState.prototype) return this.saveMap(obj, true);
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
    // Note: a function has no kind (kindOf takes objects); it goes to the override, then saveFunction.
    const kind = typeof obj === 'function' ? Kind.OBJECT : kindOf(obj);
    if (kind === Kind.ARRAY) checkLength(obj);
    // Note: built-in JS types come before the reduce chain (SPEC §4), as in copy and deepcopy. An
    // Object.create() of a built-in's prototype has no internal slot (its tag is Object's): the
    // chain takes it.
    if (typeof obj !== 'function' && proto !== null && isExactBuiltin(proto) && OBJECT_TAG !== toTag.call(obj)) {
      if (proto === Date.prototype && this.saveDatetime(obj)) return;
      const state = kind === Kind.ARRAY_BUFFER ? null : ownState(obj, kind);
      const rv = reduceBuiltin(obj, kind, state);
      if (rv === undefined) throw picklingError(`cannot pickle '${typeName(obj)}' object`);
      return this.saveReduceValue(rv, obj);
    }
    // Note: as in CPython's save(), the override sees functions and classes too, before their global.
    if (this.reducerOverride !== undefined) {
      const rv = this.reducerOverride(obj);
      if (rv !== undefined && rv !== null && rv !== NotImplemented) return this.saveReduceValue(rv, obj);
    }
    if (typeof obj === 'function') return this.saveFunction(obj);
    const table = this.dispatchTable ?? this.registry.dispatchTable;
    if (table.size !== 0) {
      const cls = classOf(obj);
      const reducer = cls === undefined ? undefined : table.get(cls);
      if (reducer !== undefined) return this.saveReduceValue(reducer(obj), obj);
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
      this.push(T.OP, OP.BUILD);
      this.push(T.INSTANCE_STATE, obj, keys);
    }
    this.push(T.NEWOBJ_END, obj);
    this.push(T.OP, OP.EMPTY_TUPLE);
    this.push(T.SAVE, cls);
  }

  /**
   * The `datetime.datetime` reduction of a Date written directly, once the class and the UTC
   * timezone are in the memo: `GET datetime, bytes(10), GET utc, TUPLE2, REDUCE`, the bytes
   * reduceDate's reduction gives, without building it. Returns false to take the general path.
   */
  private saveDatetime(d: Date): boolean {
    const cls = this.globalMemo.get(DATETIME_KEY);
    const utc = this.memo.get(UTC);
    if (cls === undefined || utc === undefined || this.protocol < 3) return false;
    const state = datetimeStateInto(d, DATETIME_SCRATCH);
    if (state === undefined || stateKeys(d, Kind.DATE).length > 0) return false;
    const out = this.out;
    this.writeGet(cls);
    out.byte2(OP.SHORT_BINBYTES, 10);
    out.bytes(state);
    this.putMemo();
    this.writeGet(utc);
    out.byte(OP.TUPLE2);
    this.putMemo();
    out.byte(OP.REDUCE);
    this.memoize(d);
    return true;
  }

  private isDeclaredClass(obj: object): boolean {
    const cls = classOf(obj);
    return cls !== undefined && this.registry.isDeclared(cls);
  }

  private saveReduceValue(rv: unknown, obj: object | symbol): void {
    if (typeof rv === 'string') {
      const owner = typeof obj === 'function' ? obj : typeof obj === 'object' ? classOf(obj) : undefined;
      const module = (owner && this.registry.nameOf(owner)?.module) ?? '__main__';
      // Note: as CPython's save_global, the name must lead back to this very object.
      const found = this.registry.resolve(module, rv) ?? nativeGlobal(module, rv)?.value;
      if (found === undefined) throw picklingError(`Can't pickle ${typeName(obj)}: attribute lookup ${rv} on ${module} failed`);
      if (found !== obj) throw picklingError(`Can't pickle ${typeName(obj)}: it's not the same object as ${module}.${rv}`);
      return this.saveGlobal(obj, module, rv);
    }
    this.saveReduce(unpackReduceValue(rv, picklingError, 6, isPicklableCallable), obj);
  }

}

const DATETIME_KEY = globalKey('datetime', 'datetime');
const toTag = Object.prototype.toString;
const OBJECT_TAG = '[object Object]';
/** The 10 state bytes of the Date being written (copied into the output at once). */
const DATETIME_SCRATCH = new Uint8Array(10);

function checkProtocol(protocol: unknown): number {
  // Note: Python's bool and int are ints; a bigint is a Python int too.
  const p = typeof protocol === 'boolean' || typeof protocol === 'bigint' ? Number(protocol) : protocol;
  if (typeof p !== 'number' || !Number.isInteger(p)) {
    throw new TypeError(`'${pyTypeName(protocol)}' object cannot be interpreted as an integer`);
  }
  if (p < 0) return HIGHEST_PROTOCOL;
  if (p > HIGHEST_PROTOCOL) throw new RangeError(`pickle protocol must be <= ${HIGHEST_PROTOCOL}`);
  return p;
}

/** Options, or the protocol alone as Python's `dumps(obj, protocol)` takes it (any non-object). */
function pickleOptions(options: PicklerOptions | number | null | undefined): PicklerOptions {
  if (options === undefined || options === null) return {};
  if (typeof options === 'object' && !Array.isArray(options)) return options;
  return { protocol: options as unknown as number };
}

/** Sentinel a `reducerOverride` may return to mean "not handled" (Python's NotImplemented). */
export const NotImplemented: unique symbol = Symbol('NotImplemented');


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
