/**
 * Python literals inside pickles: two's-complement ints (LONG1/LONG4), the text arguments of
 * protocol 0 (INT, LONG, FLOAT, STRING), and Python 2 string escapes. Shared by the unpickler,
 * which follows CPython's C unpickler, and `dis`, which follows pickletools.
 */
import { decodeLatin1 } from './utf8';

/**
 * Python's whitespace for bytes: space, \t, \n, \v, \f, \r.
 *
 * @param b A byte.
 * @returns True for whitespace.
 */
export function isSpace(b: number | undefined): boolean {
  return b === 0x20 || (b !== undefined && b >= 0x09 && b <= 0x0d);
}

/**
 * @param b A byte.
 * @returns True for an ASCII digit.
 */
export function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/**
 * @param b A byte.
 * @returns The value of a hex digit, or -1.
 */
export function hexDigit(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/**
 * Python's `decode_long`: a two's-complement little-endian int (empty means 0).
 *
 * @param data The bytes.
 * @param start First byte.
 * @param end End (exclusive).
 * @returns The value.
 */
export function decodeLong(data: Uint8Array, start: number, end: number): bigint {
  const n = end - start;
  if (n === 0) return 0n;
  if (n <= 6) return BigInt(decodeShortLong(data, start, end));
  if (n <= 32) {
    // Note: 48-bit limbs (exact in doubles), most significant first: two bigint steps for 12
    // bytes; hex text costs more than it saves up to here.
    let value = 0n;
    for (let hi = end; hi > start; hi -= 6) {
      const lo = Math.max(start, hi - 6);
      let limb = 0;
      for (let i = hi - 1; i >= lo; i--) limb = limb * 256 + data[i]!;
      value = (value << BigInt(8 * (hi - lo))) | BigInt(limb);
    }
    return BigInt.asIntN(8 * n, value);
  }
  // Note: the hex text is made as bytes; a string grown two characters at a time took 60 times
  // the input in memory (a 32 MB LONG4 ran out of it).
  const hex = new Uint8Array(2 * n + 2);
  hex[0] = 0x30;
  hex[1] = 0x78;
  for (let i = end - 1, j = 2; i >= start; i--, j += 2) {
    const b = data[i]!;
    hex[j] = HEX_DIGITS[b >> 4]!;
    hex[j + 1] = HEX_DIGITS[b & 15]!;
  }
  const value = BigInt(decodeLatin1(hex));
  return data[end - 1]! & 0x80 ? value - (1n << BigInt(8 * n)) : value;
}

/** The ASCII codes of '0'-'9', 'a'-'f'. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * {@link decodeLong} for at most 6 bytes, as a number: it fits a double exactly.
 *
 * @param data The bytes.
 * @param start First byte.
 * @param end End (exclusive), at most 6 bytes after `start`.
 * @returns The value.
 */
export function decodeShortLong(data: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = end - 1; i >= start; i--) v = v * 256 + data[i]!;
  if (end > start && data[end - 1]! & 0x80) v -= 2 ** (8 * (end - start));
  return v;
}

/**
 * Whether a LONG1/LONG4 payload has a redundant sign byte, which CPython never writes: copyreg's
 * pickler uses it to mark a JS bigint whose value would otherwise load as a number.
 *
 * @param data The bytes.
 * @param start First byte.
 * @param end End (exclusive).
 * @returns True for a non-minimal encoding.
 */
export function isRedundantLong(data: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n === 0) return false;
  const last = data[end - 1]!;
  if (n === 1) return last === 0;
  const prevSign = data[end - 2]! & 0x80;
  return (last === 0 && prevSign === 0) || (last === 0xff && prevSign !== 0);
}

const ESCAPES = new Map<number, number>([
  [0x0a, -1], [0x5c, 0x5c], [0x27, 0x27], [0x22, 0x22], // newline (continuation), \, ', "
  [0x61, 0x07], [0x62, 0x08], [0x66, 0x0c], [0x6e, 0x0a], // \a \b \f \n
  [0x72, 0x0d], [0x74, 0x09], [0x76, 0x0b], // \r \t \v
]);

/**
 * Python's `codecs.escape_decode`: the bytes a Python 2 string literal stands for.
 *
 * @param data The bytes.
 * @param start First byte (after the opening quote).
 * @param end End (before the closing quote).
 * @param fail Makes the error to throw (`Trailing \ in string`, `invalid \x escape …`).
 * @returns The decoded bytes.
 */
export function escapeDecode(
  data: Uint8Array,
  start: number,
  end: number,
  fail: (message: string) => Error,
): Uint8Array {
  if (data.subarray(start, end).indexOf(0x5c) < 0) return data.slice(start, end);
  const out = new Uint8Array(end - start);
  let n = 0;
  let i = start;
  while (i < end) {
    const b = data[i++]!;
    if (b !== 0x5c) {
      out[n++] = b;
      continue;
    }
    if (i >= end) throw fail('Trailing \\ in string');
    const c = data[i++]!;
    const simple = ESCAPES.get(c);
    if (simple !== undefined) {
      if (simple >= 0) out[n++] = simple;
    } else if (c >= 0x30 && c <= 0x37) {
      let value = c - 0x30;
      for (let k = 0; k < 2 && i < end && data[i]! >= 0x30 && data[i]! <= 0x37; k++) {
        value = value * 8 + data[i++]! - 0x30;
      }
      // Note: escapes above \377 wrap to one byte, as the C implementation stores them.
      out[n++] = value & 0xff;
    } else if (c === 0x78) {
      const hi = i + 1 < end ? hexDigit(data[i]) : -1;
      const lo = i + 1 < end ? hexDigit(data[i + 1]) : -1;
      if (hi < 0 || lo < 0) throw fail(`invalid \\x escape at position ${i - 2 - start}`);
      out[n++] = hi * 16 + lo;
      i += 2;
    } else {
      // Unknown escapes stay as written.
      out[n++] = 0x5c;
      out[n++] = c;
    }
  }
  return out.slice(0, n);
}

/**
 * Python's `int(text, 0)` (`PyLong_FromString` with base 0): blanks around, a sign, `0x` / `0o`
 * / `0b` prefixes, single underscores between digits, no leading zeros in decimal.
 *
 * @param text The literal.
 * @returns The value, or `undefined` when it is not a valid literal.
 */
export function parseIntBase0(text: string): bigint | undefined {
  // Note: a loop, not a regular expression: `(?:_?[0-9])+` used the engine's stack per digit and
  // overflowed it on a 10-million-digit literal.
  let lo = 0;
  let hi = text.length;
  while (lo < hi && isSpace(text.charCodeAt(lo))) lo++;
  while (hi > lo && isSpace(text.charCodeAt(hi - 1))) hi--;
  const sign = text[lo];
  if (sign === '+' || sign === '-') lo++;
  let radix = 10;
  let prefix = '';
  const p = text[lo + 1]?.toLowerCase();
  if (text[lo] === '0' && (p === 'x' || p === 'o' || p === 'b')) {
    radix = p === 'x' ? 16 : p === 'o' ? 8 : 2;
    prefix = p === 'o' ? '0o' : '0' + p;
    lo += 2;
    // Note: after a prefix an underscore may come first ('0x_1'), as before any other digit.
    if (text[lo] === '_') lo++;
  }
  const digits = underscoredDigits(text, lo, hi, radix);
  if (digits === undefined) return undefined;
  // Note: a decimal literal has no leading zeros unless it is all zeros.
  if (radix === 10 && digits.length > 1 && digits[0] === '0' && /[1-9]/.test(digits)) return undefined;
  const value = BigInt(prefix + digits);
  return sign === '-' ? -value : value;
}

/** The digits of text[lo, hi) in `radix`, single underscores between them removed; undefined if invalid. */
function underscoredDigits(text: string, lo: number, hi: number, radix: number): string | undefined {
  if (lo >= hi) return undefined;
  let digits = '';
  let from = lo;
  for (let i = lo; i < hi; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) {
      if (i === lo || i + 1 === hi || text.charCodeAt(i + 1) === 0x5f) return undefined;
      digits += text.slice(from, i);
      from = i + 1;
    } else if (!(digitValue(c) < radix)) {
      return undefined;
    }
  }
  return digits + text.slice(from, hi);
}

/** 0-35 for 0-9, a-z, A-Z; 99 for anything else. */
function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 122 ? l - 87 : 99;
}

/**
 * The C unpickler's INT argument: C's `strtol(s, base 0)` (leading blanks, sign, `0x` hex,
 * leading-zero octal), falling back to {@link parseIntBase0}; a two-character literal reading 0 or
 * 1 is a bool.
 *
 * @param data The bytes.
 * @param start First byte.
 * @param end End (before the newline).
 * @returns The value, or `undefined` when it is not an int.
 */
export function parseCInt(data: Uint8Array, start: number, end: number): bigint | boolean | undefined {
  const text = decodeLatin1(data, start, end);
  const m = /^[ \t\n\v\f\r]*([+-]?)(?:(0[xX])([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(text);
  if (m !== null) {
    const digits = m[3] ?? m[4] ?? m[5]!;
    let v: bigint;
    if (m[3] !== undefined) v = BigInt('0x' + digits);
    else if (m[4] !== undefined) v = digits.length > 1 ? BigInt('0o' + digits.slice(1)) : 0n;
    else v = BigInt(digits);
    if (m[1] === '-') v = -v;
    // strtol works on a C long; beyond it CPython re-reads the text as a Python int.
    if (v >= -(2n ** 63n) && v < 2n ** 63n) {
      if (end - start === 2 && (v === 0n || v === 1n)) return v === 1n;
      return v;
    }
  }
  return parseIntBase0(text);
}

/**
 * A float literal as C's `strtod` and Python's `float()` read it (after blanks and underscores).
 * Note: `\d+(?:\.\d*)?`, not `\d+\.?\d*`, which tried every split of a long run of digits that
 * then failed (quadratic: 128 KB of digits took 11 s).
 */
export const FLOAT_LITERAL = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/**
 * The C unpickler's FLOAT argument (`PyOS_string_to_double`): no blanks, no underscores; a finite
 * literal too large for a double is an overflow.
 *
 * @param data The bytes.
 * @param start First byte.
 * @param end End (before the newline).
 * @returns The value; `undefined` when it is not a float; `null` on overflow.
 */
export function parseCFloat(data: Uint8Array, start: number, end: number): number | null | undefined {
  const text = decodeLatin1(data, start, end);
  if (!FLOAT_LITERAL.test(text)) return undefined;
  const word = text.replace(/^[+-]/, '').toLowerCase();
  if (word === 'nan') return NaN;
  if (word.startsWith('inf')) return text.startsWith('-') ? -Infinity : Infinity;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}
