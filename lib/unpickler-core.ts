/**
 * The unpickler's machine: the load loop over opcodes, the stack with its marks (CPython's C
 * layout: a mark is a stack height, and nothing below the topmost mark may be popped), the memo,
 * and what each opcode builds. Name resolution (the allow-list) lives in unpickler.ts.
 */
import { allocate } from './builtins';
import { UnpicklingError, typeName } from './errors';
import {
  decodeLong,
  escapeDecode,
  isRedundantLong,
  parseCFloat,
  parseCInt,
  parseIntBase0,
} from './literals';
import { OP } from './opcodes';
import { PickleBuffer, PyGlobal, PyObject } from './pyobjects';
import { callReduce, defineValue, newobj, newobjEx, reconstructor, setItem, setState } from './reduce';
import type { Registry } from './registry';
import { HOLE, NATIVE_BASES } from './typemap';
import { decodeLatin1, decodeRawUnicodeEscape, decodeUtf8 } from './utf8';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Python's `()`: one object, as in CPython, where every empty tuple is the same singleton. Picklers
 * never memoize it, so one shared frozen empty array is the only way sharing can survive.
 */
const EMPTY_TUPLE: readonly unknown[] = Object.freeze([]);

function err(message: string): UnpicklingError {
  return new UnpicklingError(message);
}

const truncated = (): UnpicklingError => err('pickle data was truncated');

function loadKeyText(op: number): string {
  const printable = op >= 0x20 && op < 0x7f && op !== 0x27 && op !== 0x5c;
  return printable ? String.fromCharCode(op) : `\\x${op.toString(16).padStart(2, '0')}`;
}

/** A Python int from the wire: a number in the safe range, else a bigint. */
function intValue(v: bigint): number | bigint {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/** The functions PARTIAL_NATIVE made: the only functions BUILD may give state to. */
const PARTIALS = new WeakSet<Function>();

/** `functools.partial`, as far as pickles of NEWOBJ_EX at protocols 2-3 need it. */
export function PARTIAL_NATIVE(func: unknown, ...args: unknown[]): Function {
  let target = func;
  let bound = args;
  let keywords: Record<string, unknown> | null = null;
  const partial = function (this: unknown, ...more: unknown[]): unknown {
    if (typeof target !== 'function') throw err('partial() first argument must be callable');
    const all = [...bound, ...more];
    if (keywords !== null && Object.keys(keywords).length > 0) all.push(keywords);
    return (target as Function)(...all);
  };
  PARTIALS.add(partial);
  Object.defineProperty(partial, '__setstate__', {
    value(state: unknown) {
      if (!Array.isArray(state) || state.length !== 4) throw err('partial state must be a 4-tuple');
      [target, bound, keywords] = [state[0], Array.from(state[1] as unknown[]), state[2] as Record<string, unknown> | null];
    },
  });
  return partial;
}

/** The machine; subclasses supply name resolution (see Unpickler). */
export abstract class UnpicklerCore {
  /** The protocol of the last PROTO opcode (0 when there was none). */
  proto = 0;
  /** Memo entries at the dense indices 0..n-1, as picklers write them. */
  private memoArr: unknown[] = [];
  /** Memo entries at any other index: a Map, so a huge sparse index costs nothing. */
  private memoMap = new Map<number, unknown>();
  /** Override (or pass as option) to resolve persistent ids. */
  persistentLoad?(pid: unknown): unknown;
  protected buffers: Iterator<unknown> | undefined;
  protected pos = 0;
  private stack: unknown[] = [];
  private marks: number[] = [];
  /** Plain dicts read back by GET or DUP: how many extra stack references each was given. */
  private exposed = new Map<object, number>();
  /**
   * Where plain dicts sit on the stack, for turning one into a Map: flat `[dict, memo index or -1,
   * stack position]` triples, pushed by PUT, GET and DUP, positions increasing (see noteDict).
   */
  private dictRefs: unknown[] = [];

  protected readonly data: Uint8Array;

  constructor(
    data: Uint8Array,
    private readonly encoding: string,
    private readonly errors: string,
  ) {
    if (!(data instanceof Uint8Array)) throw new TypeError('pickle data must be a Uint8Array');
    // Note: a plain view over the same memory, so that slices copy (Node's Buffer#slice shares).
    this.data = Object.getPrototypeOf(data) === Uint8Array.prototype
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  abstract findClass(module: string, name: string): unknown;
  protected abstract resolveGlobal(module: string, name: string): unknown;
  protected abstract resolveExtension(code: number): unknown;
  protected abstract isCallable(fn: unknown): boolean;
  abstract readonly registry: Registry;
  abstract readonly placeholders: boolean;

  // --- Reading ---

  private need(n: number): number {
    const at = this.pos;
    if (n > this.data.length - at) throw truncated();
    this.pos = at + n;
    return at;
  }

  private u8(): number {
    if (this.pos >= this.data.length) throw truncated();
    return this.data[this.pos++]!;
  }

  private u16(): number {
    const at = this.need(2);
    return this.data[at]! | (this.data[at + 1]! << 8);
  }

  private i32(): number {
    const at = this.need(4);
    const d = this.data;
    return d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24);
  }

  private u32(): number {
    return this.i32() >>> 0;
  }

  /** An 8-byte length, checked against what remains before anything is allocated. */
  private len64(what: string): number {
    const at = this.need(8);
    const d = this.data;
    const lo = (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) >>> 0;
    const hi = (d[at + 4]! | (d[at + 5]! << 8) | (d[at + 6]! << 16) | (d[at + 7]! << 24)) >>> 0;
    if (hi >= 0x80000000) {
      throw err(`${what} exceeds system's maximum size of 9223372036854775807 bytes`);
    }
    const n = hi * 0x100000000 + lo;
    if (n > this.data.length - this.pos) throw truncated();
    return n;
  }

  /** The bytes up to the next newline (exclusive); the position moves past the newline. */
  private line(): [number, number] {
    const start = this.pos;
    const nl = this.data.indexOf(0x0a, start);
    if (nl < 0) throw truncated();
    this.pos = nl + 1;
    return [start, nl];
  }

  private lineText(ascii = false): string {
    const [start, end] = this.line();
    if (ascii) {
      for (let i = start; i < end; i++) if (this.data[i]! > 0x7f) throw err('global names must be ASCII');
      return decodeLatin1(this.data, start, end);
    }
    return decodeUtf8(this.data, start, end);
  }

  // --- Stack ---

  private fence(): number {
    const n = this.marks.length;
    return n === 0 ? 0 : this.marks[n - 1]!;
  }

  private underflow(): UnpicklingError {
    return err(this.marks.length > 0 ? 'unexpected MARK found' : 'unpickling stack underflow');
  }

  private pop(): unknown {
    if (this.stack.length <= this.fence()) throw this.underflow();
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length <= this.fence()) throw this.underflow();
    return this.stack[this.stack.length - 1];
  }

  /** Pops the topmost mark and returns the items above it. */
  private popMark(): unknown[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw err('could not find MARK');
    return this.stack.splice(mark);
  }

  /**
   * Pops the topmost mark for APPENDS / SETITEMS / ADDITEMS, whose target sits just below it;
   * returns the mark. The items stay on the stack for the caller to read and truncate.
   */
  private markTarget(): number {
    const mark = this.marks.pop();
    if (mark === undefined) throw err('could not find MARK');
    if (mark <= this.fence()) throw this.underflow();
    return mark;
  }

  private target(x: unknown): object {
    if (typeof x !== 'object' || x === null) {
      throw err(`cannot add items to a ${typeName(x)} object`);
    }
    return x;
  }

  // --- The loop ---

  /** Runs opcodes until STOP; returns the value. */
  protected run(): unknown {
    const data = this.data;
    const stack = this.stack;
    // Each pickle announces its own protocol; the Python 2 name mapping depends on it.
    this.proto = 0;
    if (this.pos >= data.length) throw err('Ran out of input');
    for (;;) {
      if (this.pos >= data.length) throw err('Ran out of input');
      const op = data[this.pos++]!;
      switch (op) {
        case OP.PROTO: {
          const p = this.u8();
          if (p > 5) throw err(`unsupported pickle protocol: ${p}`);
          this.proto = p;
          break;
        }
        case OP.FRAME:
          // Frames are optional and only checked for length; their bytes are ordinary opcodes.
          this.len64('FRAME length');
          break;
        case OP.STOP: {
          const value = this.pop();
          this.stack = [];
          this.marks = [];
          return value;
        }
        case OP.MARK:
          this.marks.push(stack.length);
          break;
        case OP.POP: {
          const n = this.marks.length;
          if (n > 0 && this.marks[n - 1] === stack.length) this.marks.pop();
          else this.pop();
          break;
        }
        case OP.POP_MARK:
          this.popMark();
          break;
        case OP.DUP:
          this.pushRef(this.top(), -1);
          break;
        case OP.NONE:
          stack.push(null);
          break;
        case OP.NEWTRUE:
          stack.push(true);
          break;
        case OP.NEWFALSE:
          stack.push(false);
          break;
        case OP.BININT1:
          stack.push(this.u8());
          break;
        case OP.BININT2:
          stack.push(this.u16());
          break;
        case OP.BININT:
          stack.push(this.i32());
          break;
        case OP.LONG1:
          stack.push(this.long(this.u8()));
          break;
        case OP.LONG4: {
          const n = this.i32();
          if (n < 0) throw err('LONG pickle has negative byte count');
          stack.push(this.long(n));
          break;
        }
        case OP.INT:
          stack.push(this.textInt());
          break;
        case OP.LONG:
          stack.push(this.textLong());
          break;
        case OP.BINFLOAT: {
          const at = this.need(8);
          stack.push(new DataView(data.buffer, data.byteOffset + at, 8).getFloat64(0, false));
          break;
        }
        case OP.FLOAT: {
          const [start, end] = this.line();
          const v = parseCFloat(data, start, end);
          if (v === undefined) throw err('could not convert string to float');
          if (v === null) throw err('FLOAT argument out of range');
          stack.push(v);
          break;
        }
        case OP.SHORT_BINUNICODE: {
          const n = this.u8();
          const at = this.need(n);
          stack.push(decodeUtf8(data, at, at + n));
          break;
        }
        case OP.BINUNICODE: {
          const n = this.u32();
          if (n > data.length - this.pos) throw truncated();
          const at = this.need(n);
          stack.push(decodeUtf8(data, at, at + n));
          break;
        }
        case OP.BINUNICODE8: {
          const n = this.len64('BINUNICODE8');
          const at = this.need(n);
          stack.push(decodeUtf8(data, at, at + n));
          break;
        }
        case OP.UNICODE: {
          const [start, end] = this.line();
          stack.push(decodeRawUnicodeEscape(data, start, end));
          break;
        }
        case OP.SHORT_BINBYTES:
          stack.push(this.bytes(this.u8()));
          break;
        case OP.BINBYTES:
          stack.push(this.bytes(this.u32()));
          break;
        case OP.BINBYTES8:
          stack.push(this.bytes(this.len64('BINBYTES8')));
          break;
        case OP.BYTEARRAY8: {
          const b = this.bytes(this.len64('BYTEARRAY8'));
          stack.push(b.buffer);
          break;
        }
        case OP.STRING: {
          const [start, end] = this.line();
          const q = data[start];
          if (end - start < 2 || (q !== 0x22 && q !== 0x27) || data[end - 1] !== q) {
            throw err('the STRING opcode argument must be quoted');
          }
          stack.push(this.py2str(escapeDecode(data, start + 1, end - 1, err)));
          break;
        }
        case OP.BINSTRING:
          stack.push(this.py2str(this.bytes(this.u32())));
          break;
        case OP.SHORT_BINSTRING:
          stack.push(this.py2str(this.bytes(this.u8())));
          break;
        case OP.EMPTY_TUPLE:
          stack.push(EMPTY_TUPLE);
          break;
        case OP.TUPLE: {
          const items = this.popMark();
          stack.push(items.length === 0 ? EMPTY_TUPLE : Object.freeze(withHoles(items)));
          break;
        }
        case OP.TUPLE1:
          stack.push(Object.freeze(withHoles([this.pop()])));
          break;
        case OP.TUPLE2: {
          const b = this.pop();
          const a = this.pop();
          stack.push(Object.freeze(withHoles([a, b])));
          break;
        }
        case OP.TUPLE3: {
          const c = this.pop();
          const b = this.pop();
          const a = this.pop();
          stack.push(Object.freeze(withHoles([a, b, c])));
          break;
        }
        case OP.EMPTY_LIST:
          stack.push([]);
          break;
        case OP.LIST:
          stack.push(withHoles(this.popMark()));
          break;
        case OP.APPEND: {
          const value = this.pop();
          this.append(this.target(this.top()), [value], 0);
          break;
        }
        case OP.APPENDS: {
          const mark = this.markTarget();
          this.append(this.target(stack[mark - 1]), stack, mark);
          stack.length = mark;
          break;
        }
        case OP.EMPTY_DICT:
          stack.push({});
          break;
        case OP.DICT: {
          const items = this.popMark();
          if (items.length % 2 !== 0) throw err('odd number of items for DICT');
          stack.push(makeDict(items));
          break;
        }
        case OP.SETITEM: {
          const value = this.pop();
          const key = this.pop();
          this.setItems(stack.length - 1, [key, value], 0);
          break;
        }
        case OP.SETITEMS: {
          const mark = this.markTarget();
          if ((stack.length - mark) % 2 !== 0) throw err('odd number of items for SETITEMS');
          this.setItems(mark - 1, stack, mark);
          stack.length = mark;
          break;
        }
        case OP.EMPTY_SET:
          stack.push(new Set());
          break;
        case OP.ADDITEMS: {
          const mark = this.markTarget();
          const set = this.target(stack[mark - 1]);
          if (set instanceof Set) for (let i = mark; i < stack.length; i++) set.add(stack[i]);
          else this.append(set, stack, mark);
          stack.length = mark;
          break;
        }
        case OP.FROZENSET:
          stack.push(Object.freeze(new Set(this.popMark())));
          break;
        case OP.PUT: {
          const [start, end] = this.line();
          const v = parseIntBase0(decodeLatin1(data, start, end));
          if (v === undefined || !/^\s*[+-]?\d+\s*$/.test(decodeLatin1(data, start, end))) {
            throw err(`invalid literal for int() with base 10: '${decodeLatin1(data, start, end)}'`);
          }
          if (v < 0n) throw err('negative PUT argument');
          this.put(Number(v));
          break;
        }
        case OP.BINPUT:
          this.put(this.u8());
          break;
        case OP.LONG_BINPUT:
          this.put(this.u32());
          break;
        case OP.MEMOIZE:
          this.put(this.memoSize());
          break;
        case OP.GET: {
          const [start, end] = this.line();
          const text = decodeLatin1(data, start, end);
          const v = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : NaN;
          if (Number.isNaN(v)) throw err(`invalid literal for int() with base 10: '${text}'`);
          this.get(v);
          break;
        }
        case OP.BINGET:
          this.get(this.u8());
          break;
        case OP.LONG_BINGET:
          this.get(this.u32());
          break;
        case OP.GLOBAL: {
          const module = this.lineText();
          const name = this.lineText();
          stack.push(this.resolveGlobal(module, name));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw err('STACK_GLOBAL requires str');
          stack.push(this.resolveGlobal(module, name));
          break;
        }
        case OP.EXT1:
          stack.push(this.resolveExtension(this.u8()));
          break;
        case OP.EXT2:
          stack.push(this.resolveExtension(this.u16()));
          break;
        case OP.EXT4:
          stack.push(this.resolveExtension(this.i32()));
          break;
        case OP.REDUCE: {
          const args = this.pop();
          const func = this.pop();
          stack.push(this.reduce(func, args));
          break;
        }
        case OP.NEWOBJ: {
          const args = this.pop();
          const cls = this.pop();
          stack.push(this.newobj(cls, args, null, 'NEWOBJ'));
          break;
        }
        case OP.NEWOBJ_EX: {
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          stack.push(this.newobj(cls, args, kwargs, 'NEWOBJ_EX'));
          break;
        }
        case OP.BUILD: {
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case OP.INST: {
          const module = this.lineText(true);
          const name = this.lineText(true);
          const args = this.popMark();
          stack.push(this.instantiate(this.resolveGlobal(module, name), args));
          break;
        }
        case OP.OBJ: {
          const items = this.popMark();
          if (items.length === 0) throw this.underflow();
          stack.push(this.instantiate(items[0], items.slice(1)));
          break;
        }
        case OP.PERSID: {
          const [start, end] = this.line();
          stack.push(this.persistent(decodeLatin1(data, start, end)));
          break;
        }
        case OP.BINPERSID:
          stack.push(this.persistent(this.pop()));
          break;
        case OP.NEXT_BUFFER:
          stack.push(this.nextBuffer());
          break;
        case OP.READONLY_BUFFER: {
          const x = this.pop();
          if (!(x instanceof ArrayBuffer || ArrayBuffer.isView(x))) {
            throw err(`memoryview: a bytes-like object is required, not '${typeName(x)}'`);
          }
          // Note: JS has no read-only views; a bytearray becomes bytes (a Uint8Array over it).
          stack.push(x instanceof ArrayBuffer ? new Uint8Array(x) : x);
          break;
        }
        default:
          throw err(`invalid load key, '${loadKeyText(op)}'.`);
      }
    }
  }

  // --- Atoms ---

  private long(n: number): number | bigint {
    const at = this.need(n);
    const v = decodeLong(this.data, at, at + n);
    // Note: CPython writes minimal encodings; a redundant sign byte marks a JS bigint.
    return isRedundantLong(this.data, at, at + n) ? v : intValue(v);
  }

  private textInt(): number | bigint | boolean {
    const [start, end] = this.line();
    const v = parseCInt(this.data, start, end);
    if (v === undefined) throw err('could not convert string to int');
    return typeof v === 'boolean' ? v : intValue(v);
  }

  private textLong(): number | bigint {
    const [start, end] = this.line();
    const hasL = end > start && this.data[end - 1] === 0x4c;
    const v = parseIntBase0(decodeLatin1(this.data, start, hasL ? end - 1 : end));
    if (v === undefined) throw err('could not convert string to int');
    // Note: CPython always writes the trailing L; without it, the value is a JS bigint.
    return hasL ? intValue(v) : v;
  }

  private bytes(n: number): Uint8Array {
    if (n > this.data.length - this.pos) throw truncated();
    const at = this.need(n);
    return this.data.slice(at, at + n);
  }

  /** A Python 2 `str`: decoded with `encoding`, or kept as bytes with `encoding: 'bytes'`. */
  private py2str(b: Uint8Array): string | Uint8Array {
    const enc = this.encoding.toLowerCase().replace(/[-_]/g, '');
    if (enc === 'bytes') return b;
    if (enc === 'latin1' || enc === 'iso88591') return decodeLatin1(b, 0, b.length);
    if (enc === 'utf8') return this.decodeWithErrors(b, () => decodeUtf8(b, 0, b.length));
    if (enc === 'ascii') {
      return this.decodeWithErrors(b, () => {
        for (let i = 0; i < b.length; i++) {
          if (b[i]! > 0x7f) {
            throw err(
              `'ascii' codec can't decode byte 0x${b[i]!.toString(16)} in position ${i}: ordinal not in range(128)`,
            );
          }
        }
        return decodeLatin1(b, 0, b.length);
      });
    }
    throw err(`unknown encoding: ${this.encoding}`);
  }

  private decodeWithErrors(b: Uint8Array, strict: () => string): string {
    if (this.errors === 'strict') return strict();
    try {
      return strict();
    } catch {
      const replacement = this.errors === 'ignore' ? '' : '\ufffd';
      let s = '';
      for (const c of b) s += c < 0x80 ? String.fromCharCode(c) : replacement;
      return s;
    }
  }

  // --- Memo ---

  private put(idx: number): void {
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

  /** MEMOIZE's index: the number of entries (CPython's `len(memo)`). */
  private memoSize(): number {
    return this.memoArr.length + this.memoMap.size;
  }

  private get(idx: number): void {
    let v: unknown;
    if (idx < this.memoArr.length) v = this.memoArr[idx];
    else if (this.memoMap.has(idx)) v = this.memoMap.get(idx);
    else throw err(`Memo value not found at index ${idx}`);
    this.pushRef(v, idx);
  }

  /** GET / DUP: push one more reference to `x` (read from memo index `m`, or -1); see toMap. */
  private pushRef(x: unknown, m: number): void {
    this.stack.push(x);
    if (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
      this.exposed.set(x, (this.exposed.get(x) ?? 0) + 1);
      this.noteDict(x, m);
    }
  }

  /** Records that the top of the stack is the plain dict `d` (memo index `m`, or -1). */
  private noteDict(d: object, m: number): void {
    const refs = this.dictRefs;
    const at = this.stack.length - 1;
    // Note: a record at or above this position for another object was popped since: drop it, so
    // positions increase and the records never outnumber the stack.
    while (refs.length > 0) {
      const p = refs[refs.length - 1] as number;
      if (p < at || (p === at && refs[refs.length - 3] === d)) break;
      refs.length -= 3;
    }
    refs.push(d, m, at);
  }

  // --- Containers ---

  /** APPEND(S) of `items[from..]`. */
  private append(target: object, all: unknown[], from: number): void {
    if (typeof target === 'function') throw err('cannot append to a class');
    if (Array.isArray(target) && Object.getPrototypeOf(target) === Array.prototype) {
      for (let i = from; i < all.length; i++) {
        const x = all[i];
        if (x === HOLE) target.length++;
        else target.push(x);
      }
      return;
    }
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
  private setItems(at: number, items: unknown[], from: number): void {
    let t = this.target(this.stack[at]);
    if (typeof t === 'function') throw err('cannot set items on a class');
    let plain = isPlainDict(t);
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
  private toMap(obj: Record<string, unknown>, at: number, local: unknown[] | null): Map<unknown, unknown> {
    const stack = this.stack;
    const need = 1 + (this.exposed.get(obj) ?? 0);
    let found = 1;
    let low = at;
    const map = new Map<unknown, unknown>();
    for (const k of Reflect.ownKeys(obj)) {
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
      throw err('a dict with non-string keys is referenced before its keys are set; it cannot become a Map');
    }
    return map;
  }

  // --- Objects ---

  private reduce(func: unknown, args: unknown): unknown {
    if (!Array.isArray(args)) throw err(`REDUCE argument must be a tuple, not ${typeName(args)}`);
    if (func instanceof PyGlobal || func instanceof PyObject) return new PyObject(func, args, 'reduce');
    if (!this.isCallable(func)) throw err(`'${typeName(func)}' object is not callable`);
    if (func === reconstructor) {
      const [cls, base, state] = args as [unknown, unknown, unknown];
      if (cls instanceof PyGlobal) return new PyObject(cls, [], 'newobj');
      return reconstructor(cls as Function, (NATIVE_BASES.get(base) ?? base) as Function, state);
    }
    if ((func === newobj || func === newobjEx) && args[0] instanceof PyGlobal) {
      return new PyObject(args[0], args.slice(1), 'newobj');
    }
    return callReduce(func as Function, args, this.registry);
  }

  private newobj(cls: unknown, args: unknown, kwargs: unknown, what: string): unknown {
    if (!Array.isArray(args)) throw err(`${what} args argument must be a tuple, not ${typeName(args)}`);
    if (kwargs !== null && (typeof kwargs !== 'object' || Array.isArray(kwargs))) {
      throw err(`${what} kwargs argument must be a dict, not ${typeName(kwargs)}`);
    }
    const kw = kwargs instanceof Map ? Object.fromEntries(kwargs) : (kwargs as Record<string, unknown> | null);
    if (cls instanceof PyGlobal) return new PyObject(cls, args, kw === null ? 'newobj' : 'newobj_ex', kw);
    if (typeof cls !== 'function' || !this.isCallable(cls)) {
      throw err(`${what} class argument must be a type, not ${typeName(cls)}`);
    }
    return kw === null ? newobj(cls as never, ...args) : newobjEx(cls as never, args, kw);
  }

  private instantiate(cls: unknown, args: unknown[]): unknown {
    if (cls instanceof PyGlobal) return new PyObject(cls, args, 'inst');
    if (typeof cls !== 'function' || !this.isCallable(cls)) throw err(`'${typeName(cls)}' object is not callable`);
    return args.length > 0 ? callReduce(cls, args, this.registry) : allocate(cls, []);
  }

  private build(inst: unknown, state: unknown): void {
    if (typeof inst === 'function' && PARTIALS.has(inst)) {
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
      for (const key of Object.keys(state)) defineValue(inst, key, (state as Record<string, unknown>)[key]);
      for (const key of Object.getOwnPropertySymbols(state)) defineValue(inst, key, (state as Record<symbol, unknown>)[key]);
      return;
    }
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

  private persistent(pid: unknown): unknown {
    if (typeof this.persistentLoad !== 'function') {
      throw err('A load persistent id instruction was encountered,\nbut no persistent_load function was specified.');
    }
    return this.persistentLoad(pid);
  }

  private nextBuffer(): unknown {
    if (this.buffers === undefined) {
      throw err('pickle stream refers to out-of-band data but no *buffers* argument was given');
    }
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

/** DICT: a plain object when every key is a string, else a Map. */
function makeDict(items: unknown[]): object {
  let strings = true;
  for (let i = 0; i < items.length; i += 2) {
    if (typeof items[i] !== 'string' && typeof items[i] !== 'symbol') strings = false;
  }
  const d: object = strings ? {} : new Map();
  for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
  return d;
}

/** Items from the wire with `copyreg_js.hole` turned back into array holes. */
function withHoles(items: unknown[]): unknown[] {
  if (!items.includes(HOLE)) return items;
  const out = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) if (items[i] !== HOLE) out[i] = items[i];
  return out;
}

/** BUILD on an Error: message, stack and cause stay non-enumerable, as on a thrown Error. */
function buildError(e: Error, state: unknown): void {
  if (state === null || state === undefined) return;
  const entries = state instanceof Map ? [...state] : Object.entries(state as object);
  for (const [k, v] of entries) {
    const key = String(k);
    const hidden = key === 'message' || key === 'stack' || key === 'cause' || key === 'errors';
    Object.defineProperty(e, key, { value: v, writable: true, enumerable: !hidden, configurable: true });
  }
}
