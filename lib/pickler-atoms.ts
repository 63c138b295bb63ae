/**
 * How the pickler writes atoms: ints (JS numbers and bigints), floats and strings, per protocol,
 * exactly as CPython's C pickler does.
 *
 * A JS bigint must load back as a bigint even when it is small, while CPython's own ints in the
 * safe range load as numbers. Both read as Python ints; the difference is in the encoding, which
 * CPython never produces: a bigint in the safe range is written as LONG1 with one redundant sign
 * byte (protocol 2+), or as text LONG without the trailing `L` (protocols 0-1).
 */
import { PicklingError } from './errors';
import { OP } from './opcodes';
import type { Output } from './output';
import { pyFloatRepr } from './pyrepr';
import { utf8Length } from './utf8';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** CPython's default `sys.get_int_max_str_digits()`. */
const INT_MAX_STR_DIGITS = 4300;

/**
 * Writes an int: a safe-integer number (as CPython writes a Python int) or a bigint.
 *
 * @param out The output.
 * @param protocol The protocol.
 * @param v The value.
 */
export function writeInt(out: Output, protocol: number, v: number | bigint): void {
  const marked = typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n;
  if (typeof v === 'number' && protocol >= 1) {
    if (v >= 0 && v <= 0xff) {
      out.byte2(OP.BININT1, v);
      return;
    }
    if (v >= 0 && v <= 0xffff) {
      out.byte(OP.BININT2);
      out.u16(v);
      return;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
      out.byte(OP.BININT);
      out.i32(v);
      return;
    }
  }
  if (protocol >= 2 && typeof v === 'number' && v >= -MAX_SAFE && v <= MAX_SAFE) {
    writeSafeLong(out, v);
    return;
  }
  if (protocol >= 2) {
    const bytes = encodeLong(BigInt(v));
    if (marked) bytes.push(v < 0n ? 0xff : 0x00);
    if (bytes.length < 256) {
      out.byte2(OP.LONG1, bytes.length);
      for (let i = 0; i < bytes.length; i++) out.byte(bytes[i]!);
      return;
    }
    out.byte(OP.LONG4);
    out.i32(bytes.length);
    out.bytes(new Uint8Array(bytes));
    return;
  }
  if (typeof v === 'number' && protocol === 0 && v >= INT32_MIN && v <= INT32_MAX) {
    out.ascii(`I${v}\n`);
    return;
  }
  const text = String(v);
  if (text.length - (text[0] === '-' ? 1 : 0) > INT_MAX_STR_DIGITS) {
    // CPython refuses to write (and to read) such text; protocol 2 and up write ints in binary.
    throw new PicklingError(
      `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: an int this large needs protocol 2 or higher`,
    );
  }
  out.ascii(marked ? `L${text}\n` : `L${text}L\n`);
}

/**
 * LONG1 for a safe integer (|v| < 2^53, beyond int32): CPython's minimal two's-complement bytes,
 * worked out on the number itself (through a bigint and hex text it cost 0.5 µs an int). A
 * negative v is written as the complement of -v - 1, whose bytes are those of v. Division, not
 * `%`, which is a call into C for numbers this large.
 */
function writeSafeLong(out: Output, v: number): void {
  const negative = v < 0;
  const u = negative ? -v - 1 : v;
  let n = 0;
  let top = 0;
  for (let t = u; t > 0; n++) {
    top = t;
    t = Math.floor(t / 256);
  }
  // Note: one byte more when the top byte's high bit would read as the wrong sign.
  if (n === 0 || top >= 0x80) n++;
  out.byte2(OP.LONG1, n);
  let rest = u;
  for (let i = 0; i < n; i++) {
    const q = Math.floor(rest / 256);
    const b = rest - q * 256;
    out.byte(negative ? 255 - b : b);
    rest = q;
  }
}

/**
 * Python's `encode_long`: minimal two's-complement little-endian bytes (empty for 0).
 *
 * @param v The value.
 * @returns The bytes.
 */
export function encodeLong(v: bigint): number[] {
  if (v === 0n) return [];
  if (v >= LIMB_MIN && v < LIMB_MAX) return encodeLongLimbs(v);
  // The fewest bytes whose sign bit can hold v, then v's two's complement in that many bytes,
  // through hex text: linear, where shifting a bigint 8 bits per byte is quadratic.
  const n = (bitLength(v >= 0n ? v : -v - 1n) >> 3) + 1;
  const u = v >= 0n ? v : (1n << BigInt(8 * n)) + v;
  const hex = u.toString(16).padStart(2 * n, '0');
  const bytes = new Array<number>(n);
  for (let i = 0, at = hex.length - 2; i < n; i++, at -= 2) bytes[i] = parseInt(hex.slice(at, at + 2), 16);
  return bytes;
}

/** Values below 2^255 in magnitude are encoded through 32-bit limbs (see encodeLongLimbs). */
const LIMB_BYTES = 32;
const LIMB_MAX = 1n << BigInt(8 * LIMB_BYTES - 1);
const LIMB_MIN = -LIMB_MAX;

/**
 * {@link encodeLong} of a value below 2^255 in magnitude, through 32-bit numbers: hex text and a
 * parse per byte cost more than they save at this size (1e5 bigints took 40 times CPython).
 */
function encodeLongLimbs(v: bigint): number[] {
  let u = BigInt.asUintN(8 * LIMB_BYTES, v);
  const bytes = new Array<number>(LIMB_BYTES);
  for (let i = 0; i < LIMB_BYTES; i += 4) {
    const limb = Number(u & 0xffffffffn);
    bytes[i] = limb & 255;
    bytes[i + 1] = (limb >>> 8) & 255;
    bytes[i + 2] = (limb >>> 16) & 255;
    bytes[i + 3] = limb >>> 24;
    u >>= 32n;
    if (u === 0n && v >= 0n) break;
  }
  const negative = v < 0n;
  // Note: drop top bytes that only repeat the sign the byte below already carries.
  let n = LIMB_BYTES;
  while (n > 1 && (bytes[n - 1] ?? 0) === (negative ? 0xff : 0) && ((bytes[n - 2] ?? 0) >= 0x80) === negative) n--;
  bytes.length = n;
  for (let i = 0; i < n; i++) bytes[i] ??= 0;
  return bytes;
}

/** The number of bits of a non-negative bigint (0 for 0). */
function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/**
 * Writes a float: BINFLOAT (IEEE-754 big-endian) or, at protocol 0, FLOAT with Python's repr.
 *
 * @param out The output.
 * @param protocol The protocol.
 * @param v The value.
 */
export function writeFloat(out: Output, protocol: number, v: number): void {
  if (protocol >= 1) {
    out.byte(OP.BINFLOAT);
    out.f64be(v);
  } else {
    out.ascii(`F${pyFloatRepr(v)}\n`);
  }
}

/**
 * Writes a str: UNICODE (raw-unicode-escape) at protocol 0, BINUNICODE at 1-3, and from 4 on the
 * shortest of SHORT_BINUNICODE / BINUNICODE / BINUNICODE8. Payloads of 64 KiB or more go outside
 * frames. The memo entry is the caller's.
 *
 * @param out The output.
 * @param protocol The protocol.
 * @param s The string (lone surrogates are written as CPython's surrogatepass does).
 */
export function writeStr(out: Output, protocol: number, s: string): void {
  if (protocol === 0) {
    out.byte(OP.UNICODE);
    writeRawUnicodeEscape(out, s);
    out.byte(0x0a);
    return;
  }
  if (protocol >= 4 && s.length <= 85) {
    // At most 255 UTF-8 bytes: the one-byte length is patched in after encoding.
    out.byte2(OP.SHORT_BINUNICODE, 0);
    const at = out.pos - 1;
    // Note: utf8() may grow (replace) the buffer, so write the length only after it.
    const n = out.utf8(s);
    out.buf[at] = n;
    return;
  }
  if (s.length * 3 < 65536) {
    // Small enough never to leave the frame: encode once after room for the longest header,
    // then write the header the length calls for (moving short payloads down by 3 bytes).
    out.ensure(5 + s.length * 3);
    const at = out.pos;
    out.pos = at + 5;
    const n = out.utf8(s);
    const buf = out.buf;
    if (protocol >= 4 && n <= 0xff) {
      buf.copyWithin(at + 2, at + 5, at + 5 + n);
      buf[at] = OP.SHORT_BINUNICODE;
      buf[at + 1] = n;
      out.pos = at + 2 + n;
    } else {
      buf[at] = OP.BINUNICODE;
      out.patchU32(at + 1, n);
    }
    return;
  }
  if (s.length >= LONG_TEXT && s.length * 3 <= 0xffffffff) {
    // Note: at least 64 KiB of UTF-8 whatever the text, so the header is known without counting
    // (a walk over every character, slower than the encoding): BINUNICODE, length patched in.
    const large = out.isLarge(LONG_TEXT);
    if (large) out.beginLarge();
    out.byte(OP.BINUNICODE);
    out.u32(0);
    const at = out.pos - 4;
    out.patchU32(at, out.utf8(s));
    if (large) out.endLarge();
    return;
  }
  const n = utf8Length(s);
  const large = out.isLarge(n);
  if (large) out.beginLarge();
  if (protocol >= 4 && n <= 0xff) {
    out.byte2(OP.SHORT_BINUNICODE, n);
  } else if (n <= 0xffffffff) {
    out.byte(OP.BINUNICODE);
    out.u32(n);
  } else {
    out.byte(OP.BINUNICODE8);
    out.u64(n);
  }
  out.utf8(s);
  if (large) out.endLarge();
}

/** Strings at least this long have at least as many UTF-8 bytes as CPython's large-payload size. */
const LONG_TEXT = 64 * 1024;

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

/**
 * Python's raw-unicode-escape as the protocol 0 pickler uses it: characters below U+0100 as one
 * raw byte, except `\`, NUL, LF, CR and ^Z, which (like everything above) become `\uXXXX`;
 * astral characters `\UXXXXXXXX`.
 */
function writeRawUnicodeEscape(out: Output, s: string): void {
  out.ensure(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x100 && c !== 0x5c && c !== 0 && c !== 0x0a && c !== 0x0d && c !== 0x1a) {
      out.byte(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.ascii(`\\U${hex(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00), 8)}`);
        i++;
        continue;
      }
    }
    out.ascii(`\\u${hex(c, 4)}`);
  }
}
