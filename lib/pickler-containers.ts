/**
 * How the pickler writes the containers that have opcodes of their own (list, tuple, dict, Map,
 * set, frozenset, bytes, bytearray, PickleBuffer), and what follows a reduction's REDUCE (its
 * memo entry, list items, dict items, state). The Pickler adds `save()` and the reduce protocol.
 */
import { classOf, Kind } from './builtins';
import { pyTypeName, typeName } from './errors';
import { OP } from './opcodes';
import {
  type Batch,
  FreshStr,
  itemAt,
  MAX_LIST,
  noClassOfItsOwn,
  PicklerCore,
  picklingError,
  reduction,
  withHoles,
} from './pickler-core';
import { stateKeys } from './ownkeys';
import * as T from './pickler-tasks';
import { PickleBuffer, PyGlobal, PyObject } from './pyobjects';
import { isKeywords, newobj, newobjEx } from './reduce';
import { isPrototypeAllocator } from './reduce-default';
import type { Reduction } from './reduction';
import { BYTEARRAY, BYTES, CODECS_ENCODE, DICT, FROZENSET, GETATTR, JS_ARRAY, JS_MAP, JS_SET, PARTIAL, SET } from './typemap';

/**
 * Saves of one set (protocols < 4) in progress at once before it takes the append form: CPython
 * writes the set again at each, and its recursion limit stops it long before a deeper chain.
 */
const MAX_SET_REENTRY = 32;

/** The container writers; see PicklerCore for the state they work on. */
export abstract class PicklerContainers extends PicklerCore {
  protected saveList(obj: unknown[]): void {
    checkLength(obj);
    const state = extraState(obj, Kind.ARRAY);
    // Note: a list cannot carry attributes in Python; a JS array with extra properties is a
    // JS-only value. So are Maps and Sets with own properties.
    if (state !== null) return this.saveReduce(reduction(JS_ARRAY, [], state, withHoles(obj), null), obj);
    const out = this.out;
    if (this.protocol === 0) {
      out.byte2(OP.MARK, OP.LIST);
    } else {
      out.byte(OP.EMPTY_LIST);
    }
    this.memoize(obj);
    const n = obj.length;
    if (n === 0) return;
    this.push(T.LIST_BATCH, undefined, { obj, keys: obj, i: 0 } satisfies Batch);
  }

  protected saveTuple(obj: unknown[]): void {
    checkLength(obj);
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
    this.push(T.TUPLE_END, obj, n);
    for (let i = n - 1; i >= 0; i--) this.push(T.SAVE, itemAt(obj, i));
  }

  protected saveDict(obj: Record<string, unknown>, allKeys: boolean): void {
    const keys: (string | symbol)[] = allKeys ? Object.getOwnPropertyNames(obj) : Object.keys(obj);
    const symbols = Object.getOwnPropertySymbols(obj);
    for (const s of symbols) if (allKeys || Object.prototype.propertyIsEnumerable.call(obj, s)) keys.push(s);
    if (this.protocol === 0) this.out.byte2(OP.MARK, OP.DICT);
    else this.out.byte(OP.EMPTY_DICT);
    this.memoize(obj);
    if (keys.length > 0) this.push(T.DICT_BATCH, undefined, { obj, keys, i: 0 } satisfies Batch);
  }

  /** `literal`: written as a dict literal whatever its keys (see DictState). */
  protected saveMap(obj: Map<unknown, unknown>, literal: boolean): void {
    // Note: keys and values in one flat array, [k0, v0, k1, v1, …]: a [key, value] array per
    // entry cost most of a large Map's dump.
    const flat: unknown[] = [];
    let stringKeys = true;
    Map.prototype.forEach.call(obj, (v: unknown, k: unknown) => {
      flat.push(k, v);
      if (typeof k !== 'string' && typeof k !== 'symbol') stringKeys = false;
    });
    const state = literal ? null : extraState(obj, Kind.MAP);
    if (state !== null) return this.saveReduce(reduction(JS_MAP, [], state, null, pairsOf(flat)), obj);
    if (literal || !stringKeys) {
      // CPython's bytes for the dict. The loader makes it a Map when its first non-string key
      // arrives (reading the pickle again when a reference to it escaped first, see MapNeeded).
      if (this.protocol === 0) this.out.byte2(OP.MARK, OP.DICT);
      else this.out.byte(OP.EMPTY_DICT);
      this.memoize(obj);
      if (flat.length > 0) this.push(T.DICT_BATCH, undefined, { obj, keys: flat, i: 0 } satisfies Batch);
      return;
    }
    if (this.protocol >= 2 && isFlatStringMap(flat)) {
      // CPython writes the DICT opcode at protocol 0 only; from protocol 2 the loader reads it
      // as a Map. Python reads the same dict, and the Map costs no global and no extra bytes.
      this.out.byte(OP.MARK);
      if (!this.inlineAtoms) {
        // A persistentId hook sees every value: the items go through tasks.
        this.push(T.DICT_END, obj);
        for (let i = flat.length - 1; i >= 0; i--) this.push(T.SAVE, flat[i]);
        return;
      }
      for (let i = 0; i < flat.length; i++) this.saveAtom(flat[i]);
      this.out.byte(OP.DICT);
      this.memoize(obj);
      return;
    }
    // Note: a Map with only string keys would load as a plain object if written as a dict
    // literal; `builtins.dict()` plus SETITEMS is the same dict to Python and a Map from the start.
    this.saveReduce(reduction(DICT, [], null, null, pairsOf(flat)), obj);
  }

  protected saveSet(obj: Set<unknown>): void {
    const state = extraState(obj, Kind.SET);
    if (state !== null) return this.saveReduce(reduction(JS_SET, [], state, Array.from(obj), null), obj);
    const frozen = Object.isFrozen(obj);
    if (this.protocol < 4) {
      // Note: a set reached again through its items (via instances, memoized before their
      // state) is written again whole, as CPython does; each outer save then drops its own copy
      // (POP, GET). A set that contains itself (impossible in Python), or leads back to itself
      // through other sets alone, would be written again forever (CPython recurses until its
      // limit); past MAX_SET_REENTRY saves in progress it is `set()`, then its items appended
      // once it exists (our loader adds them, CPython cannot). A frozen Set has no such form; it
      // is refused as a tuple containing itself is.
      if (!frozen) {
        const entered = this.pendingSets.get(obj) ?? 0;
        if (obj.has(obj) || entered >= MAX_SET_REENTRY) return this.saveReduce(reduction(SET, [], null, Array.from(obj), null), obj);
        this.pendingSets.set(obj, entered + 1);
      }
      return this.saveReduce(reduction(frozen ? FROZENSET : SET, [Array.from(obj)], null, null, null), obj);
    }
    const items = Array.from(obj);
    if (frozen) {
      this.enter(obj);
      this.out.byte(OP.MARK);
      this.push(T.FROZENSET_END, obj);
      for (let i = items.length - 1; i >= 0; i--) this.push(T.SAVE, items[i]);
      return;
    }
    this.out.byte(OP.EMPTY_SET);
    this.memoize(obj);
    if (items.length > 0) this.push(T.SET_BATCH, undefined, { obj, keys: items, i: 0 } satisfies Batch);
  }

  protected saveBytes(obj: Uint8Array): void {
    if (this.protocol < 3) {
      if (obj.length === 0) return this.saveReduce(reduction(BYTES, [], null, null, null), obj);
      let text = '';
      for (let i = 0; i < obj.length; i += 8192) {
        text += String.fromCharCode(...obj.subarray(i, Math.min(i + 8192, obj.length)));
      }
      // Note: CPython decodes the bytes to a new str, except that one character is a cached
      // singleton, shared (by the memo) with every equal one-character str.
      const str = obj.length === 1 ? text : new FreshStr(text);
      return this.saveReduce(reduction(CODECS_ENCODE, [str, 'latin1'], null, null, null), obj);
    }
    this.writeBytes(obj, false);
    this.memoize(obj);
  }

  protected saveBytearray(obj: ArrayBuffer): void {
    const bytes = new Uint8Array(obj);
    if (this.protocol < 5) {
      return this.saveReduce(reduction(BYTEARRAY, bytes.length === 0 ? [] : [bytes.slice()], null, null, null), obj);
    }
    this.writeBytes(bytes, true);
    this.memoize(obj);
  }

  protected savePickleBuffer(pb: PickleBuffer): void {
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

  private leaveSet(obj: object): void {
    const entered = this.pendingSets.get(obj);
    if (entered === undefined) return;
    if (entered > 1) this.pendingSets.set(obj, entered - 1);
    else this.pendingSets.delete(obj);
  }

  protected endReduce(obj: unknown, [op, red]: [number, Reduction]): void {
    const out = this.out;
    out.byte(op);
    if (obj !== undefined) {
      this.pending.pop();
      if (this.pendingSets.size !== 0) this.leaveSet(obj as object);
      this.memoizeMade(obj);
    }
    // Pushed in reverse: list items, then dict items, then the state run next.
    const state = red.state;
    if (state !== null && state !== undefined) {
      if (typeof red.stateSetter === 'function') {
        this.push(T.SETSTATE_END, undefined);
        this.push(T.STATE, state);
        this.push(T.SAVE, obj);
        this.push(T.SAVE, red.stateSetter);
      } else {
        this.push(T.OP, OP.BUILD);
        this.push(T.STATE, state);
      }
    }
    if (red.dictItems != null) {
      this.push(T.ITER_BATCH, undefined, { obj, keys: [], i: 0, pairs: true, iter: red.dictItems[Symbol.iterator]() } satisfies Batch);
    }
    if (red.listItems != null) {
      if (Array.isArray(red.listItems)) checkLength(red.listItems);
      if (this.protocol >= 4 && obj instanceof Set) {
        // Note: Python's set (and a subclass) has add, not append: its items go as ADDITEMS.
        const items = Array.from(red.listItems);
        if (items.length > 0) this.push(T.SET_BATCH, undefined, { obj, keys: items, i: 0 } satisfies Batch);
      } else {
        this.push(T.ITER_BATCH, undefined, { obj, keys: [], i: 0, pairs: false, iter: red.listItems[Symbol.iterator]() } satisfies Batch);
      }
    }
  }


  /** CPython's `save_reduce`: callable and arguments, the object's memo entry, items, state. */
  protected saveReduce(red: Reduction, obj: object | symbol | undefined): void {
    const func = red.func as unknown;
    const args = red.args;
    if (obj !== undefined) this.enter(obj);
    if (this.protocol >= 2 && func === newobjEx) {
      // Note: the C pickler's messages (pickle.dumps); it does not compare the class with obj's.
      if (args.length !== 3) {
        throw picklingError(`length of the NEWOBJ_EX argument tuple must be exactly 3, not ${args.length}`);
      }
      const [cls, cargs, kwargs] = args as [unknown, unknown[], Record<string, unknown>];
      if (typeof cls !== 'function' && !(cls instanceof PyGlobal)) {
        throw picklingError(`first item from NEWOBJ_EX argument tuple must be a class, not ${pyTypeName(cls)}`);
      }
      if (isPrototypeAllocator(cls)) throw noClassOfItsOwn();
      if (!Array.isArray(cargs)) {
        throw picklingError(`second item from NEWOBJ_EX argument tuple must be a tuple, not ${pyTypeName(cargs)}`);
      }
      if (!isKeywords(kwargs)) {
        throw picklingError(`third item from NEWOBJ_EX argument tuple must be a dict, not ${pyTypeName(kwargs)}`);
      }
      if (this.protocol >= 4) {
        this.push(T.REDUCE_END, obj, [OP.NEWOBJ_EX, red]);
        this.push(T.SAVE, kwargs);
        this.push(T.TUPLE, cargs);
        this.push(T.SAVE, cls);
        return;
      }
      // Protocols 2-3 have no NEWOBJ_EX: CPython writes partial(cls.__new__, cls, *args, **kw)().
      const newFn = new PyObject(GETATTR, [cls, '__new__']);
      const partial = new PyObject(PARTIAL, [newFn]);
      partial.state = Object.freeze([newFn, Object.freeze([cls, ...cargs]), kwargs ?? null, null]);
      this.push(T.REDUCE_END, obj, [OP.REDUCE, red]);
      this.push(T.TUPLE, []);
      this.push(T.SAVE, partial);
      return;
    }
    if (this.protocol >= 2 && func === newobj) {
      if (args.length === 0) throw picklingError('__newobj__ arglist is empty');
      this.checkNewobjClass(args[0], obj);
      this.push(T.REDUCE_END, obj, [OP.NEWOBJ, red]);
      this.push(T.TUPLE, args.slice(1));
      this.push(T.SAVE, args[0]);
      return;
    }
    this.push(T.REDUCE_END, obj, [OP.REDUCE, red]);
    this.push(T.TUPLE, args);
    this.push(T.SAVE, func);
  }

  private checkNewobjClass(cls: unknown, obj: unknown): void {
    if (typeof cls !== 'function' && !(cls instanceof PyGlobal)) {
      throw picklingError('args[0] from __newobj__ args is not a type');
    }
    if (isPrototypeAllocator(cls)) throw noClassOfItsOwn();
    if (obj !== undefined && typeof obj === 'object' && !(obj instanceof PyObject) && classOf(obj as object) !== cls) {
      throw picklingError('args[0] from __newobj__ args has the wrong class');
    }
  }
}

/**
 * Refuses at once an array too long for any pickle: a list or tuple has no sparse form, so every
 * index costs at least a byte (a sparse 2^32-1 array wrote holes for minutes, or crashed Node).
 *
 * @param obj An Array (or subclass instance) about to be written with its items.
 * @throws {PicklingError} when it has more than 2^31 indices.
 */
export function checkLength(obj: unknown[]): void {
  if (obj.length > MAX_LIST) {
    throw picklingError(`Can't pickle an Array of length ${obj.length}: a list writes every index, more than a pickle can hold`);
  }
}

/** String keys and atom values only (flat keys and values): nothing in it can lead back to the Map. */
function isFlatStringMap(flat: readonly unknown[]): boolean {
  for (let i = 0; i < flat.length; i += 2) {
    if (typeof flat[i] !== 'string') return false;
    const v = flat[i + 1];
    const t = typeof v;
    if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'bigint' && v !== null) return false;
  }
  return true;
}

/** [key, value] pairs from a flat [k0, v0, k1, v1, …] array. */
function pairsOf(flat: readonly unknown[]): [unknown, unknown][] {
  const pairs: [unknown, unknown][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

/** The own enumerable properties of a built-in container beyond its items, or null when none. */
function extraState(obj: object, kind: Kind): Record<string | symbol, unknown> | null {
  const keys = stateKeys(obj, kind);
  if (keys.length === 0) return null;
  const state: Record<string | symbol, unknown> = {};
  for (const k of keys) state[k] = (obj as Record<string | symbol, unknown>)[k];
  return state;
}
