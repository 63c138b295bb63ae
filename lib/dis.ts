/**
 * A symbolic disassembler for pickles, printing the same text as CPython 3.11's
 * `pickletools.dis` and rejecting the same malformed input with the same messages.
 *
 * Behaviour follows Lib/pickletools.py (`dis`, `genops` and the argument readers): arguments are
 * decoded the way pickletools decodes them (which is not always how the unpickler does), and a
 * crude stack and memo simulation catches bad marks, pops and memo use.
 */

import { UnpicklingError } from './errors';
import { OP, OPCODE_BY_BYTE, type ArgKind, type OpcodeInfo } from './opcodes';
import { decodeLong, escapeDecode, FLOAT_LITERAL, isDigit, isSpace } from './literals';
import { pyBytesRepr, pyFloatRepr, pyStrRepr } from './pyrepr';
import { bytesView, type PickleData } from './unpickler-input';
import {
  UnicodeDecodeError,
  decodeAscii,
  decodeLatin1,
  decodeRawUnicodeEscape,
  decodeUtf8,
} from './utf8';

/** Options of {@link dis}, named after `pickletools.dis`'s keyword arguments. */
export interface DisOptions {
  /**
   * When non-zero, append each opcode's one-line doc, aligned from roughly this column
   * (CPython's `annotate`). The layout matches CPython; the doc texts are this library's own.
   */
  annotate?: number;
  /** Blanks added per open MARK (CPython's `indentlevel`); 4 by default. */
  indentLevel?: number;
  /**
   * Receives the listing in pieces as it is made (then `dis` returns `''`), so that a large pickle
   * is not held as one string: pickletools prints as it goes too.
   */
  write?: (text: string) => void;
}

/** Characters gathered before a piece goes to `write`. */
const WRITE_CHARS = 1 << 20;

/**
 * The longest listing `dis` returns as one string, well below the engine's limit (V8's is about
 * 2^29 characters); a deeply nested pickle's listing grows with the square of its depth.
 */
const MAX_LISTING = 1 << 28;

/**
 * Disassembles a pickle into the text `pickletools.dis(data)` prints, one line per opcode
 * through the first STOP, then `highest protocol among opcodes = N`.
 *
 * @param data The pickle bytes; anything after the first STOP is ignored.
 * @param options Annotation column and indentation, as in `pickletools.dis`.
 * @returns The listing, ending in a newline.
 * @throws {UnpicklingError} with pickletools' message when the input is malformed: unknown
 *   opcode, truncated or undecodable argument, missing MARK, popping from a short stack, memo
 *   misuse, or items left on the stack after STOP.
 */
export function dis(data: PickleData, options: DisOptions = {}): string {
  const out: string[] = [];
  const bytes = bytesView(data);
  const write = options.write;
  let chars = 0;
  const emit = (line: string): void => {
    if (write === undefined && chars + line.length > MAX_LISTING) {
      throw new UnpicklingError(`the listing would exceed ${MAX_LISTING} characters; pass options.write to receive it in pieces`);
    }
    out.push(line);
    chars += line.length;
    if (write === undefined || chars < WRITE_CHARS) return;
    write(out.join(''));
    out.length = 0;
    chars = 0;
  };
  try {
    disassemble(bytes, options.indentLevel ?? 4, options.annotate ?? 0, emit);
    if (write === undefined) return out.join('');
    write(out.join(''));
    return '';
  } catch (err) {
    if (err instanceof UnicodeDecodeError || err instanceof UnpicklingError) {
      throw new DisassemblyError(err.message, out.join(''), err);
    }
    throw err;
  }
}

/**
 * The error {@link dis} throws for malformed input, with the lines printed before the problem
 * was found (pickletools prints them before raising, and `copyreg dis` does the same).
 */
export class DisassemblyError extends UnpicklingError {
  /**
   * @param message pickletools' message.
   * @param partial The listing up to the problem (with `write`, what it had not received yet).
   * @param cause The original error.
   */
  constructor(
    message: string,
    readonly partial: string,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

// --- Stack and memo simulation ---

// The stack holds pickletools' type names; the mark is the only entry spelled 'mark'.
const MARK = 'mark';
const PUTS = new Set(['PUT', 'BINPUT', 'LONG_BINPUT']);
const GETS = new Set(['GET', 'BINGET', 'LONG_BINGET']);

function disassemble(data: Uint8Array, indentLevel: number, annotate: number, emit: (line: string) => void): void {
  const indentChunk = ' '.repeat(Math.max(0, indentLevel));
  const cursor = new Cursor(data);
  const stack: string[] = [];
  const memo = new Map<string, string>();
  const markStack: number[] = [];
  let maxProto = -1;
  let annoCol = annotate;

  for (;;) {
    const pos = cursor.pos;
    if (pos >= data.length) throw fail('pickle exhausted before seeing STOP');
    const code = data[cursor.pos++];
    const info = OPCODE_BY_BYTE[code];
    if (info === undefined) {
      throw fail(`at position ${pos}, opcode ${pyBytesRepr(data, pos, pos + 1)} unknown`);
    }
    const arg = info.arg === 'none' ? undefined : readArg(info.arg, cursor);
    let line = `${codeText(info).padEnd(4)} ${indentChunk.repeat(markStack.length)}${info.name}`;
    maxProto = Math.max(maxProto, info.proto);

    let after: readonly string[] = info.stackAfter;
    let numToPop = info.stackBefore.length;
    let markMsg: string | undefined;
    let errorMsg: string | undefined;

    // A protocol 0 POP may take a bare MARK off the stack, which ends an indented block.
    const popsBareMark = info.name === 'POP' && stack.length > 0 && stack.at(-1) === MARK;
    if (info.popsMark || popsBareMark) {
      const markPos = markStack.pop();
      if (markPos === undefined) {
        errorMsg = markMsg = 'no MARK exists on stack';
      } else {
        markMsg = `(MARK at ${markPos})`;
        // Note: an opcode with a fixed arity may already have popped the mark itself;
        // pickletools then fails on an empty list, and so do we.
        for (;;) {
          if (stack.length === 0) throw fail('list index out of range');
          if (stack.pop() === MARK) break;
        }
        numToPop = info.popsMark ? info.stackBefore.indexOf('mark') : 0;
      }
    }

    if (PUTS.has(info.name) || info.name === 'MEMOIZE') {
      let key: string;
      if (info.name === 'MEMOIZE') {
        key = String(memo.size);
        markMsg = `(as ${memo.size})`;
      } else {
        key = (arg as Arg).key as string;
      }
      if (memo.has(key)) {
        errorMsg = `memo key ${arg === undefined ? 'None' : arg.repr} already defined`;
      } else if (stack.length === 0) {
        errorMsg = "stack is empty -- can't store into memo";
      } else if (stack.at(-1) === MARK) {
        errorMsg = "can't store markobject in the memo";
      } else {
        memo.set(key, stack.at(-1) as string);
      }
    } else if (GETS.has(info.name)) {
      const stored = memo.get((arg as Arg).key as string);
      if (stored === undefined) {
        errorMsg = `memo key ${(arg as Arg).repr} has never been stored into`;
      } else {
        after = [stored];
      }
    }

    if (arg !== undefined || markMsg !== undefined) {
      line += ' '.repeat(Math.max(0, 10 - info.name.length));
      if (arg !== undefined) line += ' ' + arg.repr;
      if (markMsg !== undefined) line += ' ' + markMsg;
    }
    if (annotate !== 0) {
      line += ' '.repeat(Math.max(0, annoCol - codePointLength(line)));
      annoCol = codePointLength(line);
      if (annoCol > 50) annoCol = annotate;
      line += ' ' + info.doc;
    }
    emit(`${String(pos).padStart(5)}: ${line}\n`);

    // pickletools complains only once the offending line is printed.
    if (errorMsg !== undefined) throw fail(errorMsg);
    if (stack.length < numToPop) {
      throw fail(`tries to pop ${numToPop} items from stack with only ${stack.length} items`);
    }
    stack.length -= numToPop;
    if (info.pushesMark) markStack.push(pos);
    stack.push(...after);
    if (code === OP.STOP) break;
  }

  emit(`highest protocol among opcodes = ${maxProto}\n`);
  if (stack.length > 0) throw fail(`stack not empty after STOP: [${stack.join(', ')}]`);
}

function fail(message: string): UnpicklingError {
  return new UnpicklingError(message);
}

// Python's repr() of the one-character opcode, without its quotes.
function codeText(info: OpcodeInfo): string {
  return info.code < 0x80 ? String.fromCharCode(info.code) : `\\x${info.code.toString(16)}`;
}

// Python measures lines in code points; a surrogate pair is one character there.
function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}

// --- Argument readers ---

/** A decoded opcode argument: its repr text and, for integers, its memo key. */
interface Arg {
  readonly repr: string;
  readonly key?: string;
}

class Cursor {
  pos = 0;

  constructor(readonly data: Uint8Array) {}

  get remaining(): number {
    return this.data.length - this.pos;
  }

  /** Consumes up to `n` bytes, like a file's read(n); returns where they start. */
  read(n: number): number {
    const start = this.pos;
    this.pos = Math.min(this.data.length, start + n);
    return start;
  }

  /** Consumes one line like readline(); returns its bounds without the newline, if any. */
  readLine(): { start: number; end: number; complete: boolean } {
    const start = this.pos;
    const nl = this.data.indexOf(0x0a, start);
    if (nl < 0) {
      this.pos = this.data.length;
      return { start, end: this.pos, complete: false };
    }
    this.pos = nl + 1;
    return { start, end: nl, complete: true };
  }
}

const MAX_SIZE = (1n << 63n) - 1n;
const MAX_STR_DIGITS = 4300;

function readArg(kind: ArgKind, r: Cursor): Arg {
  switch (kind) {
    case 'uint1':
    case 'uint2':
    case 'int4':
    case 'uint4':
    case 'uint8':
      return intArg(readFixed(kind, r));
    case 'float8': {
      if (r.remaining < 8) throw fail('not enough data in stream to read float8');
      const at = r.read(8);
      const view = new DataView(r.data.buffer, r.data.byteOffset + at, 8);
      return { repr: pyFloatRepr(view.getFloat64(0, false)) };
    }
    case 'long1':
    case 'long4': {
      const n = kind === 'long1' ? readFixed('uint1', r) : readFixed('int4', r);
      if (n < 0n) throw fail(`long4 byte count < 0: ${n}`);
      if (BigInt(r.remaining) < n) throw fail(`not enough data in stream to read ${kind}`);
      const at = r.read(Number(n));
      return intArg(decodeLong(r.data, at, r.pos));
    }
    case 'string1':
    case 'string4':
    case 'bytes1':
    case 'bytes4':
    case 'bytes8':
    case 'bytearray8':
    case 'unicodestring1':
    case 'unicodestring4':
    case 'unicodestring8':
      return countedArg(kind, r);
    default:
      return lineArg(kind, r);
  }
}

function readFixed(kind: 'uint1' | 'uint2' | 'int4' | 'uint4' | 'uint8', r: Cursor): bigint {
  const size = { uint1: 1, uint2: 2, int4: 4, uint4: 4, uint8: 8 }[kind];
  if (r.remaining < size) throw fail(`not enough data in stream to read ${kind}`);
  const at = r.read(size);
  const view = new DataView(r.data.buffer, r.data.byteOffset + at, size);
  if (kind === 'uint1') return BigInt(view.getUint8(0));
  if (kind === 'uint2') return BigInt(view.getUint16(0, true));
  if (kind === 'int4') return BigInt(view.getInt32(0, true));
  if (kind === 'uint4') return BigInt(view.getUint32(0, true));
  return view.getBigUint64(0, true);
}

function countedArg(kind: ArgKind, r: Cursor): Arg {
  const width = kind.at(-1) as '1' | '4' | '8';
  let n: bigint;
  if (width === '1') {
    n = readFixed('uint1', r);
  } else if (width === '8') {
    n = readFixed('uint8', r);
    if (n > MAX_SIZE) throw fail(`${kind} byte count > sys.maxsize: ${n}`);
  } else if (kind === 'string4') {
    n = readFixed('int4', r);
    if (n < 0n) throw fail(`string4 byte count < 0: ${n}`);
  } else {
    n = readFixed('uint4', r);
  }
  const remaining = r.remaining;
  if (BigInt(remaining) < n) {
    throw fail(`expected ${n} bytes in a ${kind}, but only ${remaining} remain`);
  }
  const start = r.read(Number(n));
  const end = r.pos;
  if (kind.startsWith('string')) return { repr: pyStrRepr(decodeLatin1(r.data, start, end)) };
  if (kind.startsWith('unicode')) return { repr: pyStrRepr(decodeUtf8(r.data, start, end)) };
  const bytes = pyBytesRepr(r.data, start, end);
  return { repr: kind === 'bytearray8' ? `bytearray(${bytes})` : bytes };
}

function lineArg(kind: ArgKind, r: Cursor): Arg {
  const readName = kind === 'unicodestringnl' ? kind : 'stringnl';
  const take = (): { start: number; end: number } => {
    const line = r.readLine();
    if (!line.complete) throw fail(`no newline found when trying to read ${readName}`);
    return line;
  };
  const data = r.data;
  switch (kind) {
    case 'decimalnl_short': {
      const { start, end } = take();
      if (end - start === 2 && data[start] === 0x30 && (data[start + 1] & 0xfe) === 0x30) {
        // pickletools, like protocol 0 itself, reads INT 00 / 01 as the bools.
        return data[start + 1] === 0x31 ? { repr: 'True', key: '1' } : { repr: 'False', key: '0' };
      }
      return intArg(parseInt10(data, start, end));
    }
    case 'decimalnl_long': {
      const { start, end } = take();
      return intArg(parseInt10(data, start, end > start && data[end - 1] === 0x4c ? end - 1 : end));
    }
    case 'floatnl': {
      const { start, end } = take();
      return { repr: pyFloatRepr(parseFloatText(data, start, end)) };
    }
    case 'unicodestringnl': {
      const { start, end } = take();
      return { repr: pyStrRepr(decodeRawUnicodeEscape(data, start, end)) };
    }
    case 'stringnl': {
      const { start, end } = take();
      const quote = data[start] === 0x22 ? 0x22 : data[start] === 0x27 ? 0x27 : -1;
      if (quote < 0 || end === start) {
        throw fail(`no string quotes around ${pyBytesRepr(data, start, end)}`);
      }
      if (data[end - 1] !== quote) {
        const q = quote === 0x22 ? `b'"'` : `b"'"`;
        throw fail(`strinq quote ${q} not found at both ends of ${pyBytesRepr(data, start, end)}`);
      }
      return { repr: pyStrRepr(escapedText(data, start + 1, Math.max(start + 1, end - 1))) };
    }
    case 'stringnl_noescape': {
      const { start, end } = take();
      return { repr: pyStrRepr(escapedText(data, start, end)) };
    }
    case 'stringnl_noescape_pair': {
      const first = take();
      const module = escapedText(data, first.start, first.end);
      const second = take();
      return { repr: pyStrRepr(`${module} ${escapedText(data, second.start, second.end)}`) };
    }
    default:
      throw new Error(`unhandled argument kind ${kind}`);
  }
}

// --- Python literal parsing ---

function intArg(value: bigint): Arg {
  // CPython refuses to print ints longer than 4300 digits; skip the costly toString when the
  // bit length alone proves the value too long.
  const magnitude = value < 0n ? -value : value;
  const tooLong = magnitude.toString(16).length * 4 > 14300;
  const text = tooLong ? '' : value.toString();
  if (tooLong || text.length - (value < 0n ? 1 : 0) > MAX_STR_DIGITS) {
    throw fail(
      `Exceeds the limit (${MAX_STR_DIGITS} digits) for integer string conversion; ` +
        'use sys.set_int_max_str_digits() to increase the limit',
    );
  }
  return { repr: text, key: text };
}

// Mirrors `int(b'...')` with base 10: blanks around, a sign, digits with single underscores.
function parseInt10(data: Uint8Array, start: number, end: number): bigint {
  const invalid = (): UnpicklingError => {
    // CPython shows at most 200 bytes, then cuts the repr itself to 200 characters.
    const shown = pyBytesRepr(data, start, Math.min(end, start + 200)).slice(0, 200);
    return fail(`invalid literal for int() with base 10: ${shown}`);
  };
  let i = start;
  while (i < end && isSpace(data[i])) i++;
  const negative = data[i] === 0x2d;
  if (i < end && (negative || data[i] === 0x2b)) i++;
  if (i >= end || !isDigit(data[i])) throw invalid();
  let digits = '';
  for (; i < end; i++) {
    const b = data[i];
    if (isDigit(b)) {
      digits += String.fromCharCode(b);
    } else if (b === 0x5f && i + 1 < end && isDigit(data[i + 1])) {
      continue;
    } else if (b === 0x5f) {
      throw invalid();
    } else {
      break;
    }
  }
  // The digit limit is checked before any trailing junk, as CPython does.
  if (digits.length > MAX_STR_DIGITS) {
    throw fail(
      `Exceeds the limit (${MAX_STR_DIGITS} digits) for integer string conversion: ` +
        `value has ${digits.length} digits; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  while (i < end && isSpace(data[i])) i++;
  if (i !== end) throw invalid();
  const value = BigInt(digits);
  return negative ? -value : value;
}

// Mirrors `float(b'...')`: blanks around, underscores only between digits, inf / nan words.
function parseFloatText(data: Uint8Array, start: number, end: number): number {
  const invalid = (): UnpicklingError =>
    fail(`could not convert string to float: ${pyBytesRepr(data, start, end)}`);
  let text = '';
  let prev = 0;
  for (let i = start; i < end; i++) {
    const b = data[i];
    if (b === 0x5f ? !isDigit(prev) : prev === 0x5f && !isDigit(b)) throw invalid();
    if (b !== 0x5f) text += String.fromCharCode(b);
    prev = b;
  }
  if (prev === 0x5f) throw invalid();
  let lo = 0;
  let hi = text.length;
  while (lo < hi && isSpace(text.charCodeAt(lo))) lo++;
  while (hi > lo && isSpace(text.charCodeAt(hi - 1))) hi--;
  text = text.slice(lo, hi);
  if (!FLOAT_LITERAL.test(text)) throw invalid();
  const word = text.replace(/^[+-]/, '').toLowerCase();
  if (word === 'nan') return NaN;
  if (word.startsWith('inf')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

// pickletools runs text arguments through codecs.escape_decode, then decodes them as ASCII.
function escapedText(data: Uint8Array, start: number, end: number): string {
  const bytes = escapeDecode(data, start, end, fail);
  return decodeAscii(bytes, 0, bytes.length);
}
