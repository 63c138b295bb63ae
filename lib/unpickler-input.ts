/**
 * The unpickler's input: reading opcode arguments from the bytes, every declared length checked
 * against what remains before anything is allocated, and the atoms they encode (ints in their
 * binary and text forms, Python 2 strings).
 */
import { UnpicklingError } from './errors';
import { decodeLong, decodeShortLong, isRedundantLong, parseCInt, parseIntBase0 } from './literals';
import { builtinCodec, charmapTable, decodeCharmap } from './codecs';
import {
  type DecodeErrorHandler,
  decodeLatin1,
  decodeUtf8,
  utf8SurrogatePass,
} from './utf8';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * @param message The message.
 * @returns An UnpicklingError to throw.
 */
export function err(message: string): UnpicklingError {
  return new UnpicklingError(message);
}

/** The error for input that ends inside an opcode's argument. */
export const truncated = (): UnpicklingError => err('pickle data was truncated');

/** A Python int from the wire: a number in the safe range, else a bigint. */
export function intValue(v: bigint): number | bigint {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/** CPython's default `sys.get_int_max_str_digits()`: longer decimal text is refused. */
const INT_MAX_STR_DIGITS = 4300;

/** The number of decimal digits in int text (0 for hex, octal or binary text, which has no limit). */
function decimalDigits(data: Uint8Array, start: number, end: number): number {
  if (end - start <= INT_MAX_STR_DIGITS) return 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = data[i]!;
    if (c >= 0x30 && c <= 0x39) n++;
    else if ((c | 0x20) === 0x78 || (c | 0x20) === 0x6f || (c | 0x20) === 0x62) return 0;
  }
  return n;
}

/** Bytes payloads up to this size are copied into a new array rather than sliced (see bytes). */
const SMALL_BYTES = 64;

/** What `loads` and `dis` read: CPython's bytes-like objects, in JS terms. */
export type PickleData = Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/**
 * A plain Uint8Array over the bytes of `data` (not a copy): a Uint8Array or Buffer, any other
 * typed array or DataView, or an ArrayBuffer, as CPython's `loads` takes any bytes-like object.
 * Plain, so that slices copy (Node's `Buffer#slice` shares its memory).
 *
 * @param data The pickle.
 * @returns The view.
 * @throws {TypeError} for anything else (a string, an array of numbers).
 */
export function bytesView(data: PickleData): Uint8Array {
  if (data instanceof Uint8Array && Object.getPrototypeOf(data) === Uint8Array.prototype) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const tag = Object.prototype.toString.call(data);
  if (tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  throw new TypeError(`a bytes-like object is required (a Uint8Array, ArrayBuffer or view), not ${typeof data === 'object' ? tag.slice(8, -1) : typeof data}`);
}

/** The bytes being read and the position; the machine (unpickler-machine.ts) builds on it. */
export abstract class UnpicklerInput {
  protected buffers: Iterator<unknown> | undefined;
  protected pos = 0;
  protected readonly data: Uint8Array;
  private view: DataView | undefined;
  /** Node's Buffer over `data`, for its fast UTF-8 decoder (undefined in browsers). */
  private nodeText: NodeBytes | null | undefined;

  constructor(
    data: PickleData,
    private readonly encoding: string,
    private readonly errors: string,
  ) {
    this.data = bytesView(data);
  }

  protected need(n: number): number {
    const at = this.pos;
    if (n > this.data.length - at) throw truncated();
    this.pos = at + n;
    return at;
  }

  /** A big-endian IEEE 754 double (BINFLOAT). */
  protected f64be(): number {
    const at = this.need(8);
    this.view ??= new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return this.view.getFloat64(at, false);
  }

  /**
   * The UTF-8 (surrogatepass) text of `data[start:end]`. Node's Buffer decodes much faster than
   * TextDecoder or a JS loop; it replaces what strict UTF-8 rejects (and encoded surrogates) with
   * U+FFFD, so any U+FFFD in its result sends the bytes to the exact decoder instead.
   */
  protected utf8(start: number, end: number): string {
    if (end - start >= 8) {
      if (this.nodeText === undefined) this.nodeText = nodeBytes(this.data);
      if (this.nodeText !== null) {
        const s = this.nodeText.utf8Slice(start, end);
        if (s.indexOf('\ufffd') === -1) return s;
      }
    }
    return decodeUtf8(this.data, start, end);
  }

  protected u8(): number {
    if (this.pos >= this.data.length) throw truncated();
    return this.data[this.pos++]!;
  }

  protected u16(): number {
    const at = this.need(2);
    return this.data[at]! | (this.data[at + 1]! << 8);
  }

  protected i32(): number {
    const at = this.need(4);
    const d = this.data;
    return d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24);
  }

  protected u32(): number {
    return this.i32() >>> 0;
  }

  /** An 8-byte length, checked against what remains before anything is allocated. */
  protected len64(what: string): number {
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
  /** A text PUT / GET index: Python's `int(text)` in base 10 (spaces, a sign, `_` between digits, leading zeros). */
  protected memoIndexLine(): number {
    const [start, end] = this.line();
    const text = decodeLatin1(this.data, start, end);
    if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text)) throw err(`invalid literal for int() with base 10: '${text}'`);
    return Number(text.replace(/_/g, ''));
  }

  protected line(): [number, number] {
    const start = this.pos;
    const nl = this.data.indexOf(0x0a, start);
    if (nl < 0) throw truncated();
    this.pos = nl + 1;
    return [start, nl];
  }

  protected lineText(ascii = false): string {
    const [start, end] = this.line();
    if (ascii) {
      for (let i = start; i < end; i++) if (this.data[i]! > 0x7f) throw err('global names must be ASCII');
      return decodeLatin1(this.data, start, end);
    }
    return decodeUtf8(this.data, start, end);
  }

  protected long(n: number): number | bigint {
    const at = this.need(n);
    // Note: CPython writes minimal encodings; a redundant sign byte marks a JS bigint.
    const marked = isRedundantLong(this.data, at, at + n);
    if (n <= 6 && !marked) return decodeShortLong(this.data, at, at + n);
    const v = decodeLong(this.data, at, at + n);
    return marked ? v : intValue(v);
  }

  protected textInt(): number | bigint | boolean {
    const [start, end] = this.line();
    if (decimalDigits(this.data, start, end) > INT_MAX_STR_DIGITS) throw err('could not convert string to int');
    const v = parseCInt(this.data, start, end);
    if (v === undefined) throw err('could not convert string to int');
    return typeof v === 'boolean' ? v : intValue(v);
  }

  protected textLong(): number | bigint {
    const [start, end] = this.line();
    const hasL = end > start && this.data[end - 1] === 0x4c;
    const digits = decimalDigits(this.data, start, end);
    if (digits > INT_MAX_STR_DIGITS) {
      throw err(
        `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: value has ${digits} digits; use sys.set_int_max_str_digits() to increase the limit`,
      );
    }
    const v = parseIntBase0(decodeLatin1(this.data, start, hasL ? end - 1 : end));
    if (v === undefined) throw err('could not convert string to int');
    // Note: CPython always writes the trailing L; without it, the value is a JS bigint.
    return hasL ? intValue(v) : v;
  }

  protected bytes(n: number): Uint8Array {
    if (n > this.data.length - this.pos) throw truncated();
    const at = this.need(n);
    if (n > SMALL_BYTES) return this.data.slice(at, at + n);
    // Note: a small typed array made by its constructor keeps its bytes in the JS heap; a slice
    // gets a buffer of its own outside it, which costs the collector far more (a Date is 10).
    const b = new Uint8Array(n);
    const data = this.data;
    for (let i = 0; i < n; i++) b[i] = data[at + i]!;
    return b;
  }

  /**
   * A Python 2 `str`: decoded with `encoding` and `errors` as CPython's `bytes.decode` would, or
   * kept as bytes with `encoding: 'bytes'`. Like CPython, an unknown `errors` name only fails
   * once a byte needs the handler.
   */
  protected py2str(b: Uint8Array): string | Uint8Array {
    const enc = this.encoding.toLowerCase().replace(/[-_]/g, '');
    if (enc === 'bytes') return b;
    const codec = builtinCodec(this.encoding);
    if (codec === 'latin1') return decodeLatin1(b, 0, b.length);
    const utf8 = codec === 'utf8';
    const table = codec !== undefined ? null : charmapTable(this.encoding);
    if (table === undefined) throw err(`unknown encoding: ${this.encoding}`);
    // surrogatepass only knows the UTF encodings; for the others, CPython re-raises the error.
    const name = this.errors;
    const handler =
      name === 'surrogatepass'
        ? utf8 ? utf8SurrogatePass : strict
        : (HANDLERS.get(name) ?? unknownHandler(name));
    return utf8 ? decodeUtf8(b, 0, b.length, handler) : decodeCharmap(b, table, handler);
  }
}

const strict: DecodeErrorHandler = (_object, _start, _end, error) => {
  throw error();
};

/**
 * CPython's built-in decoding error handlers, by their (case-sensitive) names. Undecodable ASCII
 * or UTF-8 bytes are all above 0x7f, so surrogateescape never meets the low bytes it refuses.
 */
const HANDLERS = new Map<string, DecodeErrorHandler>([
  ['strict', strict],
  ['ignore', (_object, _start, end) => ['', end]],
  // One U+FFFD per error: the UTF-8 decoder makes each maximal invalid subpart one error.
  ['replace', (_object, _start, end) => ['\ufffd', end]],
  ['surrogateescape', (object, start, end) => [mapBytes(object, start, end, escapeSurrogate), end]],
  ['backslashreplace', (object, start, end) => [mapBytes(object, start, end, escapeHex), end]],
]);

const escapeSurrogate = (byte: number): string => String.fromCharCode(0xdc00 + byte);
const escapeHex = (byte: number): string => '\\x' + byte.toString(16).padStart(2, '0');

function mapBytes(object: Uint8Array, start: number, end: number, f: (byte: number) => string): string {
  let s = '';
  for (let i = start; i < end; i++) s += f(object[i]!);
  return s;
}

/**
 * Any other name fails when first needed, as in CPython: its encode-only handlers with a
 * TypeError, unknown names with a LookupError (load() wraps both into an UnpicklingError).
 */
function unknownHandler(name: string): DecodeErrorHandler {
  return () => {
    if (name === 'xmlcharrefreplace' || name === 'namereplace') {
      throw new TypeError("don't know how to handle UnicodeDecodeError in error callback");
    }
    throw Object.assign(new Error(`unknown error handler name '${name}'`), { name: 'LookupError' });
  };
}

/** The part of Node's Buffer used here (`toString('utf8', …)` calls `utf8Slice`). */
interface NodeBytes {
  utf8Slice(start: number, end: number): string;
}

/** A Node Buffer over the same memory, or null where there is none (browsers, other engines). */
function nodeBytes(data: Uint8Array): NodeBytes | null {
  const B = (globalThis as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): Partial<NodeBytes> } }).Buffer;
  if (B === undefined) return null;
  const buf = B.from(data.buffer, data.byteOffset, data.byteLength);
  return typeof buf.utf8Slice === 'function' ? (buf as NodeBytes) : null;
}
