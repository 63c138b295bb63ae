/**
 * The unpickler's machine state and what the opcodes build: the stack with its marks (CPython's
 * C layout: a mark is a stack height, and nothing below the topmost mark may be popped), the memo,
 * and the objects (dicts that turn into Maps, lists with holes, REDUCE / NEWOBJ / BUILD).
 */
import { allocate, builtinBase, ownNew, unsafeBaseArgs } from './builtins';
import { UnpicklingError, typeName } from './errors';
import { isIndex } from './ownkeys';
import { PickleBuffer, PyGlobal, PyObject } from './pyobjects';
import { defineValue, propertyKey } from './props';
import { callReduce, newobj, newobjEx, reconstructor, setItem, setState } from './reduce';
import type { Registry } from './registry';
import { callableFor, copySize, nativeCost, newEmpty } from './natives';
import { callableName, HOLE, isNative, NATIVE_BASES, nativeName } from './typemap';
import { err, UnpicklerInput } from './unpickler-input';
import { buildError, isPartial, MapNeeded, refuseParent } from './unpickler-values';

/** The stack, the marks, the memo and the object-building opcodes; see UnpicklerCore. */
export abstract class UnpicklerMachine extends UnpicklerInput {
  /** The protocol of the last PROTO opcode (0 when there was none). */
  proto = 0;
  /** Memo entries at the dense indices 0..n-1, as picklers write them. */
  protected memoArr: unknown[] = [];
  /** Memo entries at any other index: a Map, so a huge sparse index costs nothing. */
  protected memoMap = new Map<number, unknown>();
  /** What natives may still allocate in this load (see checkArgs). */
  private allocLeft = 4 * this.data.length + 65536;
  /**
   * How many state keys BUILD may still set in this load. Larger than the allocation allowance:
   * one state shared by many objects is applied to each (CPython pickles a shared `__getstate__`
   * result so), but not without bound (a memoized state applied a hundred thousand times).
   */
  private statesLeft = 8 * this.data.length + 1_000_000;
  /** Positions of the dict opcodes that make Maps from the start (a second load, see MapNeeded). */
  protected mapDicts: ReadonlySet<number> | undefined;
  /** Whether this attempt at a load may be read again (see MapNeeded); set by Unpickler.load. */
  protected replayable = false;
  /** The out-of-band buffers as given (an array can be taken again on a second reading). */
  protected buffersSource: Iterable<unknown> | undefined;
  /** How many out-of-band buffers this Unpickler has taken, in all and before this load. */
  protected buffersUsed = 0;
  protected buffersBefore = 0;
  /** Override (or pass as option) to resolve persistent ids. */
  persistentLoad?(pid: unknown): unknown;
  protected stack: unknown[] = [];
  protected marks: number[] = [];
  /**
   * Plain dicts read back by GET or DUP, once per extra stack reference given. Only toMap needs
   * the counts, rarely: it builds `exposed` from this log the first time, and counting goes on
   * there from then on.
   */
  protected exposedLog: object[] = [];
  protected exposed: Map<object, number> | undefined;
  /**
   * Where plain dicts sit on the stack, for turning one into a Map: flat `[dict, memo index or -1,
   * stack position]` triples, pushed by PUT, GET and DUP, positions increasing (see noteDict).
   */
  protected dictRefs: unknown[] = [];

  abstract findClass(module: string, name: string): unknown;
  /** `at`: the opcode's position in the pickle. */
  protected abstract resolveGlobal(module: string, name: string, at: number): unknown;
  protected abstract resolveExtension(code: number): unknown;
  protected abstract isCallable(fn: unknown): boolean;
  abstract readonly registry: Registry;
  abstract readonly placeholders: boolean;

  protected fence(): number {
    const n = this.marks.length;
    return n === 0 ? 0 : this.marks[n - 1]!;
  }

  protected underflow(): UnpicklingError {
    return err(this.marks.length > 0 ? 'unexpected MARK found' : 'unpickling stack underflow');
  }

  protected pop(): unknown {
    if (this.stack.length <= this.fence()) throw this.underflow();
    return this.stack.pop();
  }

  protected top(): unknown {
    if (this.stack.length <= this.fence()) throw this.underflow();
    return this.stack[this.stack.length - 1];
  }

  /** Pops the topmost mark and returns the items above it. */
  protected popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw err('could not find MARK');
    return this.stack.splice(mark);
  }

  /**
   * Pops the topmost mark for APPENDS / SETITEMS / ADDITEMS, whose target sits just below it;
   * returns the mark. The items stay on the stack for the caller to read and truncate.
   */
  protected markTarget(): number {
    const mark = this.marks.pop();
    if (mark === undefined) throw err('could not find MARK');
    if (mark <= this.fence()) throw this.underflow();
    return mark;
  }

  protected target(x: unknown): object {
    if (typeof x !== 'object' || x === null) {
      throw err(`cannot add items to a ${typeName(x)} object`);
    }
    return x;
  }

  protected put(idx: number): void {
    const v = this.top();
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) this.noteDict(v, idx);
    const arr = this.memoArr;
    if (idx < arr.length) {
      arr[idx] = v;
    } else if (idx === arr.length) {
      arr.push(v);
      if (this.memoMap.size !== 0) this.memoMap.delete(idx);
    } else {
      this.memoMap.set(idx, v);
    }
  }

  /** Whether the current load can be read again: buffers it took can be taken again. */
  protected canReplay(): boolean {
    return this.replayable && (this.buffersUsed === this.buffersBefore || Array.isArray(this.buffersSource));
  }

  /** Forgets everything a load built, to load the same bytes again. */
  protected resetMachine(): void {
    this.stack = [];
    this.marks = [];
    this.memoArr = [];
    this.memoMap = new Map();
    this.exposedLog = [];
    this.exposed = undefined;
    this.dictRefs = [];
    this.allocLeft = 4 * this.data.length + 65536;
    this.statesLeft = 8 * this.data.length + 1_000_000;
  }

  /** MEMOIZE's index: the number of entries (CPython's `len(memo)`). */
  protected memoSize(): number {
    return this.memoArr.length + this.memoMap.size;
  }

  protected get(idx: number): void {
    let v: unknown;
    if (idx >= 0 && idx < this.memoArr.length) v = this.memoArr[idx];
    else if (this.memoMap.has(idx)) v = this.memoMap.get(idx);
    else throw err(`Memo value not found at index ${idx}`);
    this.pushRef(v, idx);
  }

  /** GET / DUP: push one more reference to `x` (read from memo index `m`, or -1); see toMap. */
  protected pushRef(x: unknown, m: number): void {
    this.stack.push(x);
    if (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
      if (this.exposed === undefined) this.exposedLog.push(x);
      else this.exposed.set(x, (this.exposed.get(x) ?? 0) + 1);
      this.noteDict(x, m);
    }
  }

  /** Records that the top of the stack is the plain dict `d` (memo index `m`, or -1). */
  protected noteDict(d: object, m: number): void {
    const refs = this.dictRefs;
    const at = this.stack.length - 1;
    // Note: a record at or above this position for another object was popped since: drop it, so
    // positions increase and the records never outnumber the stack.
    while (refs.length > 0) {
      const p = refs[refs.length - 1] as number;
      if (p < at || (p === at && refs[refs.length - 3] === d)) break;
      refs.pop();
      refs.pop();
      refs.pop();
    }
    refs.push(d, m, at);
  }

  /** APPEND(S) of `items[from..]`. */
  protected append(target: object, all: unknown[], from: number): void {
    if (typeof target === 'function') throw err('cannot append to a class');
    if (Array.isArray(target) && Object.getPrototypeOf(target) === Array.prototype) {
      let holes = 0;
      for (let i = from; i < all.length; i++) {
        const x = all[i];
        if (x === HOLE) {
          holes++;
          continue;
        }
        // Note: a run of holes is one length change (each was a call into the engine).
        if (holes > 0) {
          target.length += holes;
          holes = 0;
        }
        target.push(x);
      }
      if (holes > 0) target.length += holes;
      return;
    }
    if (Object.getPrototypeOf(target) !== Set.prototype) this.beforeUserCode(all === this.stack ? from : this.stack.length, 0);
    const items = from === 0 ? all : all.slice(from);
    if (target instanceof Set) {
      for (const x of items) target.add(x);
      return;
    }
    const t = target as { extend?: unknown; append?: unknown; push?: unknown };
    if (Array.isArray(target) && typeof t.extend !== 'function' && typeof t.append !== 'function') {
      for (const x of items) (target as unknown[]).push(x);
    } else if (typeof t.extend === 'function') {
      (t.extend as Function).call(target, items);
    } else if (typeof t.append === 'function') {
      for (const x of items) (t.append as Function).call(target, x);
    } else {
      throw err(`'${typeName(target)}' object has no attribute 'append'`);
    }
  }

  /** SETITEM(S) of the pairs in `items[from..]` on the object at stack position `at`. */
  protected setItems(at: number, items: unknown[], from: number): void {
    let t = this.target(this.stack[at]);
    if (typeof t === 'function') throw err('cannot set items on a class');
    if (ArrayBuffer.isView(t) || t instanceof ArrayBuffer) throw err(`'${typeName(t)}' object does not support item assignment`);
    let plain = isPlainDict(t);
    if (!plain) {
      // Note: a user's object may run __setitem__ or setters, a Map subclass its own set.
      const proto = Object.getPrototypeOf(t) as unknown;
      if (proto !== Map.prototype && proto !== Array.prototype && proto !== null) {
        this.beforeUserCode(items === this.stack ? from : this.stack.length, 0);
      }
    }
    if (plain) {
      // A non-string key makes the dict a Map before any pair is set, so the order is kept.
      for (let i = from; i < items.length; i += 2) {
        const k = typeof items[i];
        if (k !== 'string' && k !== 'symbol') {
          t = this.toMap(t as Record<string, unknown>, at, items === this.stack ? null : items);
          plain = false;
          break;
        }
      }
    }
    for (let i = from; i < items.length; i += 2) {
      const key = items[i];
      if (plain && typeof key === 'string' && key !== '__proto__') {
        // Note: Object.prototype's only setter is __proto__, so assignment defines the property.
        (t as Record<string, unknown>)[key] = items[i + 1];
        continue;
      }
      setItem(t, key, items[i + 1]);
    }
  }

  /**
   * A Python dict with a non-string key is a Map in JS. The dict opcodes made a plain object
   * before the keys were known; swap it for a Map wherever the pickle can still reach it: the
   * stack (position `at`, and every GET/DUP copy), the memo, the pairs being set (`local` for
   * SETITEM, else on the stack), and its own values. Each reference pushed must be found, else
   * one was stored elsewhere (`d = {1: [d]}`) and could not be swapped: refuse.
   */
  protected toMap(obj: Record<string, unknown>, at: number, local: unknown[] | null): Map<unknown, unknown> {
    const stack = this.stack;
    if (this.exposed === undefined) {
      this.exposed = countExposures(this.exposedLog);
      this.exposedLog = [];
    }
    const need = 1 + (this.exposed.get(obj) ?? 0);
    let found = 1;
    let low = at;
    const map = new Map<unknown, unknown>();
    const keys = Reflect.ownKeys(obj);
    if (this.canReplay() && keys.length > 1 && typeof keys[0] === 'string' && isIndex(keys[0])) {
      // Integer-like keys are listed first whatever their order of insertion, so the dict's
      // order is lost in the plain object: load again with this dict a Map from the start.
      throw new MapNeeded('a dict with integer-like str keys became a Map after its first items');
    }
    for (const k of keys) {
      const v = obj[k as string];
      if (v === obj) found++;
      map.set(k, v === obj ? map : v);
    }
    stack[at] = map;
    if (local !== null) {
      for (let i = 0; i < local.length; i++) {
        if (local[i] === obj) {
          local[i] = map;
          found++;
        }
      }
    }
    // Note: in the usual case (no GET) this only visits the dict's own PUT records and those of
    // the items above it, so converting a million nested dicts stays linear.
    const refs = this.dictRefs;
    while (refs.length > 0 && (refs[refs.length - 1] as number) >= stack.length) refs.length -= 3;
    for (let j = refs.length - 3, n = 0; j >= 0 && n < 4096; j -= 3, n++) {
      const p = refs[j + 2] as number;
      if (found >= need && p < low) break;
      if (refs[j] !== obj) continue;
      if (stack[p] === obj) {
        stack[p] = map;
        found++;
        if (p < low) low = p;
      }
      const m = refs[j + 1] as number;
      if (m >= 0 && m < this.memoArr.length && this.memoArr[m] === obj) this.memoArr[m] = map;
      else if (m >= 0 && this.memoMap.get(m) === obj) this.memoMap.set(m, map);
    }
    if (found < need) {
      throw new MapNeeded('a dict with non-string keys is referenced before its keys are set; it cannot become a Map');
    }
    return map;
  }

  protected reduce(func: unknown, args: unknown): unknown {
    if (!Array.isArray(args)) throw err(`REDUCE argument must be a tuple, not ${typeName(args)}`);
    refuseParent(func, this.placeholders);
    if (func instanceof PyGlobal || func instanceof PyObject) return new PyObject(func, args, 'reduce');
    if (!this.isCallable(func)) throw err(`'${typeName(func)}' object is not callable`);
    if (func === reconstructor) {
      const [cls, base, state] = args as [unknown, unknown, unknown];
      refuseParent(cls, this.placeholders);
      // Note: a placeholder class keeps the call whole (its base and items too), so that it is
      // shown and written back as it came: `__newobj__` would call the class's own __new__ instead.
      if (cls instanceof PyGlobal) return new PyObject(nativeName(func) ?? new PyGlobal('copyreg', '_reconstructor'), args, 'reduce');
      // _reconstructor(set, set, items) is set(items), as base.__init__ makes it in CPython.
      if (cls === base && typeof cls === 'function' && newEmpty(cls) !== undefined) return this.call(cls, state == null ? [] : [state]);
      const jsBase = (NATIVE_BASES.get(base) ?? base) as Function;
      // Note: a class of the user's may run its own code here (push, add, set, __new__).
      if (!isNative(base) || !isNative(cls)) this.beforeUserCode(this.stack.length, 1);
      if (typeof jsBase === 'function' && jsBase !== Array && jsBase !== Map) this.checkArgs(jsBase, state == null ? [] : [state], true);
      // A list or dict base copies the state's items: they count against the allowance too.
      else if (state != null) this.charge(copySize(state), 'copyreg._reconstructor');
      return reconstructor(cls as Function, jsBase, state);
    }
    if (func === newobj || func === newobjEx) {
      refuseParent(args[0], this.placeholders);
      if (args[0] instanceof PyGlobal) {
        if (func === newobj) return new PyObject(args[0], args.slice(1), 'newobj');
        // Note: __newobj_ex__(cls, args, kwargs) by REDUCE (protocols 0-1) is NEWOBJ_EX's operands.
        return this.newobj(args[0], args[1], args[2], '__newobj_ex__');
      }
    }
    return this.call(func as Function, args);
  }

  /** Calls an allowed callable with arguments from the pickle (REDUCE, INST, OBJ). */
  private call(func: Function, args: unknown[]): unknown {
    if (!isNative(func)) this.beforeUserCode(this.stack.length, 1);
    this.checkArgs(func, args, false);
    try {
      return callReduce(callableFor(func), args, this.registry);
    } catch (e) {
      // Note: with placeholders, an allowed Python global that cannot build its JS value from
      // these arguments (a datetime with a ZoneInfo tzinfo) is kept as the call, for inspection.
      const name = this.placeholders && e instanceof UnpicklingError ? nativeName(func) : undefined;
      if (name === undefined) throw e;
      return new PyObject(name, args, 'reduce');
    }
  }

  /**
   * Refuses arguments a built-in would turn into a large allocation: sizes and copies beyond what
   * is left of this load's allowance (a few times the input's size, see nativeCost), and objects a
   * built-in base would convert to primitives (see unsafeBaseArgs) when they go `toBase` directly,
   * with no constructor of the user's in between.
   */
  private checkArgs(func: Function, args: readonly unknown[], toBase: boolean): void {
    if (args.length === 0) return;
    this.charge(nativeCost(callableFor(func), args), callableName(func));
    if (toBase) {
      const why = unsafeBaseArgs(func, args);
      if (why !== undefined) throw err(why);
    }
  }

  protected newobj(cls: unknown, args: unknown, kwargs: unknown, what: string): unknown {
    if (!Array.isArray(args)) throw err(`${what} args argument must be a tuple, not ${typeName(args)}`);
    if (kwargs !== null && (typeof kwargs !== 'object' || Array.isArray(kwargs))) {
      throw err(`${what} kwargs argument must be a dict, not ${typeName(kwargs)}`);
    }
    const kw = kwargs instanceof Map ? Object.fromEntries(kwargs) : (kwargs as Record<string, unknown> | null);
    refuseParent(cls, this.placeholders);
    if (cls instanceof PyGlobal) return new PyObject(cls, args, kw === null ? 'newobj' : 'newobj_ex', kw);
    const empty = newEmpty(cls);
    if (empty !== undefined) return empty;
    if (typeof cls !== 'function' || !this.isCallable(cls)) {
      throw err(`${what} class argument must be a type, not ${typeName(cls)}`);
    }
    this.checkArgs(cls as Function, args, true);
    // Note: a tuple subclass copies its one argument's items (see allocate): they count too.
    if (args.length === 1 && Array.isArray(args[0]) && builtinBase(cls as Function) === Array) this.charge(copySize(args[0]), 'tuple.__new__');
    this.beforeAllocate(cls);
    return kw === null ? newobj(cls as never, ...args) : newobjEx(cls as never, args, kw);
  }

  protected instantiate(cls: unknown, args: unknown[]): unknown {
    refuseParent(cls, this.placeholders);
    if (cls instanceof PyGlobal) return new PyObject(cls, args, 'inst');
    if (typeof cls !== 'function' || !this.isCallable(cls)) throw err(`'${typeName(cls)}' object is not callable`);
    if (args.length > 0) return this.call(cls, args);
    this.beforeAllocate(cls);
    return allocate(cls, []);
  }

  protected build(inst: unknown, state: unknown): void {
    if (typeof inst === 'function' && isPartial(inst)) {
      (inst as unknown as { __setstate__(s: unknown): void }).__setstate__(state);
      return;
    }
    if (typeof inst !== 'object' || inst === null) {
      throw err(`cannot apply state to a ${typeName(inst)}`);
    }
    if (inst instanceof Error && (inst as { __setstate__?: unknown }).__setstate__ === undefined) {
      buildError(inst, state);
      return;
    }
    if (state === null || state === undefined) return;
    if (
      typeof state === 'object' &&
      Object.getPrototypeOf(state) === Object.prototype &&
      (inst as { __setstate__?: unknown }).__setstate__ === undefined
    ) {
      // The common case, an instance dict: its properties are plain data, no descriptors to keep.
      const keys = Object.keys(state);
      // Note: a memoized state can be applied again and again at the cost of two bytes each.
      this.chargeState(keys.length);
      for (const key of keys) defineValue(inst, key, (state as Record<string, unknown>)[key]);
      for (const key of Object.getOwnPropertySymbols(state)) defineValue(inst, key, (state as Record<symbol, unknown>)[key]);
      return;
    }
    this.chargeState(copySize(state));
    // Note: from here on __setstate__, a state setter or property setters may run.
    this.beforeUserCode(this.stack.length, 0);
    const slots = Array.isArray(state) && state.length === 2 && Object.isFrozen(state) ? (state[1] as unknown) : null;
    if (isProtoHolder(slots) && (inst as { __setstate__?: unknown }).__setstate__ === undefined) {
      // Note: slot state is assigned (setters run, as CPython's setattr); a `__proto__` key would
      // reach Object.prototype's setter and swap the instance's prototype: define it instead.
      const rest = slots instanceof Map ? new Map(slots) : Object.defineProperties({}, Object.getOwnPropertyDescriptors(slots));
      const value = rest instanceof Map ? rest.get('__proto__') : (rest as Record<string, unknown>)['__proto__'];
      if (rest instanceof Map) rest.delete('__proto__');
      else delete (rest as Record<string, unknown>)['__proto__'];
      setState(inst, Object.freeze([(state as unknown[])[0], rest]), err);
      defineValue(inst, '__proto__', value);
      return;
    }
    setState(inst, state, err);
  }

  protected persistent(pid: unknown): unknown {
    if (typeof this.persistentLoad !== 'function') {
      throw err('A load persistent id instruction was encountered,\nbut no persistent_load function was specified.');
    }
    this.beforeUserCode(this.stack.length, 1);
    return this.persistentLoad(pid);
  }

  /** Counts `cost` bytes or items against this load's allowance (see checkArgs). */
  private charge(cost: number, name: string): void {
    if (cost <= 0) return;
    this.allocLeft -= cost;
    if (!(this.allocLeft >= 0)) throw err(`${name}() would allocate more than a pickle of ${this.data.length} bytes may`);
  }

  /** Counts state keys BUILD sets against this load's allowance for them (see statesLeft). */
  private chargeState(keys: number): void {
    this.statesLeft -= keys;
    if (this.statesLeft < 0) throw err(`BUILD would set more state than a pickle of ${this.data.length} bytes may`);
  }

  /** A class with its own `static __new__` runs it to allocate (see allocate). */
  private beforeAllocate(cls: unknown): void {
    if (ownNew(cls) !== undefined) this.beforeUserCode(this.stack.length, 1);
  }

  /**
   * Called before the first hook of the user's runs in a load (see Unpickler.beforeUserCode):
   * the stack will be its first `keep` items plus `push` results when the current opcode ends.
   */
  protected abstract beforeUserCode(keep: number, push: number): void;

  protected nextBuffer(): unknown {
    if (this.buffers === undefined) {
      throw err('pickle stream refers to out-of-band data but no *buffers* argument was given');
    }
    this.buffersUsed++;
    const next = this.buffers.next();
    if (next.done) throw err('not enough out-of-band buffers');
    const b = next.value as unknown;
    return b instanceof PickleBuffer ? b.raw() : b;
  }
}

/** Whether a slot-state mapping has a `__proto__` key. */
function isProtoHolder(x: unknown): x is object {
  if (x instanceof Map) return x.has('__proto__');
  return typeof x === 'object' && x !== null && Object.prototype.hasOwnProperty.call(x, '__proto__');
}

/** Whether an object is a plain dict made by the dict opcodes (its keys can still turn it into a Map). */
function isPlainDict(x: object): x is Record<string, unknown> {
  return Object.getPrototypeOf(x) === Object.prototype && !Array.isArray(x);
}

function countExposures(log: readonly object[]): Map<object, number> {
  const counts = new Map<object, number>();
  for (const d of log) counts.set(d, (counts.get(d) ?? 0) + 1);
  return counts;
}

