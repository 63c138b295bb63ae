/**
 * The unpickler's machine: the load loop over opcodes, the stack with its marks (CPython's C
 * layout: a mark is a stack height, and nothing below the topmost mark may be popped), the memo,
 * and what each opcode builds. Name resolution (the allow-list) lives in unpickler.ts.
 */
import { typeName } from './errors';
import { escapeDecode, parseCFloat } from './literals';
import { OP } from './opcodes';
import { UnpicklerMachine } from './unpickler-machine';
import { EMPTY_TUPLE, makeDict, withHoles } from './unpickler-values';
import { err, truncated } from './unpickler-input';
import { decodeLatin1, decodeRawUnicodeEscape } from './utf8';

function loadKeyText(op: number): string {
  const printable = op >= 0x20 && op < 0x7f && op !== 0x27 && op !== 0x5c;
  return printable ? String.fromCharCode(op) : `\\x${op.toString(16).padStart(2, '0')}`;
}

/** The machine; subclasses supply name resolution (see Unpickler). */
export abstract class UnpicklerCore extends UnpicklerMachine {
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
        case OP.BINFLOAT:
          stack.push(this.f64be());
          break;
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
          stack.push(this.utf8(at, at + n));
          break;
        }
        case OP.BINUNICODE: {
          const n = this.u32();
          if (n > data.length - this.pos) throw truncated();
          const at = this.need(n);
          stack.push(this.utf8(at, at + n));
          break;
        }
        case OP.BINUNICODE8: {
          const n = this.len64('BINUNICODE8');
          const at = this.need(n);
          stack.push(this.utf8(at, at + n));
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
          truncate(stack, mark);
          break;
        }
        case OP.EMPTY_DICT:
          stack.push(this.mapDicts !== undefined && this.mapDicts.has(this.pos - 1) ? new Map() : {});
          break;
        case OP.DICT: {
          const at = this.pos - 1;
          const items = this.popMark();
          if (items.length % 2 !== 0) throw err('odd number of items for DICT');
          // From protocol 2 only copyreg writes DICT (CPython uses EMPTY_DICT): it is a Map.
          const map = this.proto >= 2 || (this.mapDicts !== undefined && this.mapDicts.has(at));
          stack.push(map ? makeMap(items) : makeDict(items));
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
          truncate(stack, mark);
          break;
        }
        case OP.EMPTY_SET:
          stack.push(new Set());
          break;
        case OP.ADDITEMS: {
          const mark = this.markTarget();
          const set = this.target(stack[mark - 1]);
          // A frozen Set is a frozenset, which has no add (JS's freeze does not stop Set#add).
          if (set instanceof Set && Object.isFrozen(set)) throw err("'frozenset' object has no attribute 'add'");
          // Note: a Set subclass of the user's may run its own add.
          if (set instanceof Set && Object.getPrototypeOf(set) !== Set.prototype) this.beforeUserCode(mark, 0);
          if (set instanceof Set) for (let i = mark; i < stack.length; i++) set.add(stack[i]);
          else this.append(set, stack, mark);
          truncate(stack, mark);
          break;
        }
        case OP.FROZENSET:
          stack.push(Object.freeze(new Set(this.popMark())));
          break;
        case OP.PUT: {
          const v = this.memoIndexLine();
          if (v < 0) throw err('negative PUT argument');
          this.put(v);
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
        case OP.GET:
          this.get(this.memoIndexLine());
          break;
        case OP.BINGET:
          this.get(this.u8());
          break;
        case OP.LONG_BINGET:
          this.get(this.u32());
          break;
        case OP.GLOBAL: {
          const at = this.pos - 1;
          const module = this.lineText();
          const name = this.lineText();
          stack.push(this.resolveGlobal(module, name, at));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw err('STACK_GLOBAL requires str');
          stack.push(this.resolveGlobal(module, name, this.pos - 1));
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
          const at = this.pos - 1;
          const module = this.lineText(true);
          const name = this.lineText(true);
          const args = this.popMark();
          stack.push(this.instantiate(this.resolveGlobal(module, name, at), args));
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
          // Note: CPython decodes the line as ASCII (once a persistent_load is there to take it).
          if (this.persistentLoad !== undefined) {
            for (let i = start; i < end; i++) {
              if (data[i]! > 0x7f) throw err('persistent IDs in protocol 0 must be ASCII strings');
            }
          }
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

}

/** Drops the items above `mark`: a few pops are much cheaper than setting `length`. */
function truncate(stack: unknown[], mark: number): void {
  if (stack.length - mark > 32) stack.length = mark;
  else while (stack.length > mark) stack.pop();
}

function makeMap(items: unknown[]): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>();
  for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
  return m;
}
