/**
 * The text codecs pickle needs, written for Uint8Array so they run in browsers and in Node alike:
 * UTF-8 (with CPython's `surrogatepass` error handler, or another), ASCII, Latin-1 and
 * raw-unicode-escape.
 *
 * TextEncoder/TextDecoder cannot be used: they replace lone surrogates with U+FFFD, while pickle
 * round-trips them as their 3-byte encodings (`'\ud800'` is `ed a0 80`).
 */

/** Raised when bytes are not valid in a codec (CPython's `UnicodeDecodeError`). */
export class UnicodeDecodeError extends Error {
  /** The codec name as CPython spells it in messages (`'utf-8'`, `'ascii'`, ...). */
  readonly encoding: string;
  /** Offset of the first offending byte, relative to the start of the decoded range. */
  readonly start: number;
  /** Offset just past the offending bytes, relative to the start of the decoded range. */
  readonly end: number;
  /** Why decoding failed (`'invalid start byte'`, ...). */
  readonly reason: string;

  /**
   * Builds the error and its CPython-style message.
   *
   * @param encoding The codec name.
   * @param bytes The bytes of the decoded range (only read, for the message).
   * @param start Offset of the first offending byte within `bytes`.
   * @param end Offset just past the offending bytes within `bytes`.
   * @param reason Why decoding failed.
   */
  constructor(encoding: string, bytes: Uint8Array, start: number, end: number, reason: string) {
    const where =
      end - start === 1
        ? `byte 0x${hex2(bytes[start] ?? 0)} in position ${start}`
        : `bytes in position ${start}-${end - 1}`;
    super(`'${encoding}' codec can't decode ${where}: ${reason}`);
    this.name = 'UnicodeDecodeError';
    this.encoding = encoding;
    this.start = start;
    this.end = end;
    this.reason = reason;
  }
}

/** Raised when a string has characters a codec cannot encode (CPython's `UnicodeEncodeError`). */
export class UnicodeEncodeError extends Error {
  /** The codec name as CPython spells it in messages. */
  readonly encoding: string;
  /** Code-point index of the first offending character. */
  readonly start: number;
  /** Code-point index just past the offending characters. */
  readonly end: number;
  /** Why encoding failed. */
  readonly reason: string;

  /**
   * Builds the error and its CPython-style message.
   *
   * @param encoding The codec name.
   * @param codePoint The first offending code point (shown when only one character is at fault).
   * @param start Code-point index of the first offending character.
   * @param end Code-point index just past the offending characters.
   * @param reason Why encoding failed.
   */
  constructor(encoding: string, codePoint: number, start: number, end: number, reason: string) {
    let where: string;
    if (end - start === 1) {
      const digits = codePoint.toString(16);
      const escape =
        codePoint <= 0xff
          ? `\\x${digits.padStart(2, '0')}`
          : codePoint <= 0xffff
            ? `\\u${digits.padStart(4, '0')}`
            : `\\U${digits.padStart(8, '0')}`;
      where = `character '${escape}' in position ${start}`;
    } else {
      where = `characters in position ${start}-${end - 1}`;
    }
    super(`'${encoding}' codec can't encode ${where}: ${reason}`);
    this.name = 'UnicodeEncodeError';
    this.encoding = encoding;
    this.start = start;
    this.end = end;
    this.reason = reason;
  }
}

function hex2(byte: number): string {
  return byte < 0x10 ? '0' + byte.toString(16) : byte.toString(16);
}

// --- Encoding ---

/**
 * Counts the bytes `encodeUtf8` produces for a string, without encoding it.
 *
 * @param s The string; lone surrogates count as 3 bytes.
 * @returns The UTF-8 length in bytes.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let total = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      total += 1;
    } else if (c < 0xdc00 && c >= 0xd800 && i + 1 < n && isLowSurrogate(s.charCodeAt(i + 1))) {
      // Two UTF-16 units already counted, four bytes needed.
      total += 2;
      i++;
    } else {
      total += 2;
    }
  }
  return total;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

// Writes s at out[pos..]; the caller guarantees the room. Returns the new position.
function writeUtf8(s: string, out: Uint8Array, pos: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c < 0xdc00 && c >= 0xd800 && i + 1 < n && isLowSurrogate(s.charCodeAt(i + 1))) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[pos++] = 0xf0 | (c >> 18);
      out[pos++] = 0x80 | ((c >> 12) & 0x3f);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    } else {
      // Lone surrogates land here too: surrogatepass writes them like any BMP character.
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

/**
 * Encodes a string as UTF-8 the way CPython's `s.encode('utf-8', 'surrogatepass')` does.
 *
 * @param s The string. Surrogate pairs become 4-byte sequences; lone surrogates their 3-byte form.
 * @returns A new array holding exactly the encoded bytes.
 */
export function encodeUtf8(s: string): Uint8Array {
  // Note: measuring first costs less than a second allocation, since typed arrays above 64
  // bytes get an off-heap backing store in V8.
  const out = new Uint8Array(utf8Length(s));
  writeUtf8(s, out, 0);
  return out;
}

/**
 * Encodes a string as UTF-8 (surrogatepass) into an existing array, for growable output buffers.
 *
 * @param s The string to encode.
 * @param out The destination array.
 * @param offset Where to start writing in `out`.
 * @returns The number of bytes written.
 * @throws {RangeError} when `out` has fewer than `utf8Length(s)` bytes after `offset`
 *   (`s.length * 3` bytes of room always suffice).
 */
export function encodeUtf8Into(s: string, out: Uint8Array, offset: number): number {
  const room = out.length - offset;
  if (room < s.length * 3 && room < utf8Length(s)) {
    throw new RangeError(`no room for ${utf8Length(s)} bytes at offset ${offset}`);
  }
  // Note: the platform encoder is faster on long strings but replaces lone surrogates, so it
  // only gets well-formed ones.
  if (s.length > 64 && nativeEncoder !== undefined && isWellFormed(s)) {
    return nativeEncoder.encodeInto(s, out.subarray(offset)).written;
  }
  return writeUtf8(s, out, offset) - offset;
}

interface NativeEncoder {
  encodeInto(s: string, out: Uint8Array): { read: number; written: number };
}

const nativeEncoder: NativeEncoder | undefined = (() => {
  const TE = (globalThis as { TextEncoder?: new () => NativeEncoder }).TextEncoder;
  return TE === undefined ? undefined : new TE();
})();

const wellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

function isWellFormed(s: string): boolean {
  if (wellFormed !== undefined) return wellFormed.call(s);
  return !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
}

/**
 * Encodes a string whose code points are all below 256 as one byte each (CPython's `latin-1`).
 *
 * @param s The string.
 * @returns The encoded bytes.
 * @throws {UnicodeEncodeError} when a character is above U+00FF.
 */
export function encodeLatin1(s: string): Uint8Array {
  const n = s.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw latin1Failure(s, i);
    out[i] = c;
  }
  return out;
}

// CPython reports the whole run of unencodable characters, counted in code points.
function latin1Failure(s: string, index: number): UnicodeEncodeError {
  const before = Array.from(s.slice(0, index)).length;
  const rest = Array.from(s.slice(index));
  let run = 0;
  while (run < rest.length && (rest[run].codePointAt(0) ?? 0) > 0xff) run++;
  const first = rest[0].codePointAt(0) ?? 0;
  return new UnicodeEncodeError(
    'latin-1',
    first,
    before,
    before + run,
    'ordinal not in range(256)',
  );
}

// --- Decoding ---

const CHUNK = 0x2000;

/**
 * Decodes bytes as Latin-1: each byte becomes the character with the same code.
 *
 * @param bytes The source array.
 * @param start First byte to decode.
 * @param end One past the last byte to decode.
 * @returns The decoded string.
 */
export function decodeLatin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start < 16) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
  return bytesToString(bytes, start, end);
}

// fromCharCode.apply takes the units as arguments, so long inputs go in chunks to stay far
// below engines' argument-count limits.
function bytesToString(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += CHUNK) {
    const part = bytes.subarray(i, Math.min(i + CHUNK, end));
    s += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return s;
}

// Empties `units` into a string; callers keep it under CHUNK entries.
function flush(units: number[]): string {
  const s = String.fromCharCode.apply(null, units);
  units.length = 0;
  return s;
}

/**
 * A CPython decoding error handler: given the decoded range (CPython's `exc.object`) and the
 * offending bytes `object[start..end)` in it, returns the replacement text and the offset to
 * resume at, or throws (`error()` builds the codec's UnicodeDecodeError, only when needed).
 */
export type DecodeErrorHandler = (
  object: Uint8Array,
  start: number,
  end: number,
  error: () => UnicodeDecodeError,
) => [text: string, resume: number];

/**
 * Decodes bytes as strict ASCII.
 *
 * @param bytes The source array.
 * @param start First byte to decode.
 * @param end One past the last byte to decode.
 * @returns The decoded string.
 * @throws {UnicodeDecodeError} at the first byte above 0x7f.
 */
export function decodeAscii(bytes: Uint8Array, start = 0, end = bytes.length): string {
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      const at = i - start;
      const region = bytes.subarray(start, end);
      throw new UnicodeDecodeError('ascii', region, at, at + 1, 'ordinal not in range(128)');
    }
  }
  return decodeLatin1(bytes, start, end);
}

interface NativeDecoder {
  decode(input: Uint8Array): string;
}

// Note: the platform decoder (browsers and Node have one) is much faster for all but very short
// strings. `fatal` makes it refuse encoded surrogates, which the JS decoder then handles;
// `ignoreBOM` keeps a leading U+FEFF as data, as Python does.
const nativeDecoder: NativeDecoder | undefined = (() => {
  const TD = (globalThis as { TextDecoder?: new (label: string, options: object) => NativeDecoder })
    .TextDecoder;
  return TD === undefined ? undefined : new TD('utf-8', { fatal: true, ignoreBOM: true });
})();

/**
 * Decodes UTF-8 as CPython does, by default with the `surrogatepass` handler of pickle's opcodes.
 * Strict UTF-8 rejects encoded surrogates (`ed a0 80` to `ed bf bf`), overlong forms, truncated
 * sequences, bytes `c0`, `c1`, `f5`-`ff` and code points above U+10FFFF. Each error covers the
 * longest valid prefix of the broken sequence (Unicode's "maximal subpart"), as in CPython.
 *
 * @param bytes The source array.
 * @param start First byte to decode.
 * @param end One past the last byte to decode.
 * @param onError What replaces each error; default {@link utf8SurrogatePass}.
 * @returns The decoded string.
 * @throws {UnicodeDecodeError} with CPython's message and offsets relative to `start`.
 */
export function decodeUtf8(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  onError: DecodeErrorHandler = utf8SurrogatePass,
): string {
  if (end - start >= 16 && nativeDecoder !== undefined) {
    try {
      return nativeDecoder.decode(bytes.subarray(start, end));
    } catch {
      // Lone surrogates or invalid input: the code below hands them to `onError`.
    }
  }
  let i = start;
  while (i < end && bytes[i] < 0x80) i++;
  if (i === end) return decodeLatin1(bytes, start, end);

  let text = decodeLatin1(bytes, start, i);
  // A plain array, flushed every CHUNK units: small typed arrays are slow to slice in V8.
  const units: number[] = [];
  // The default handler's only success, done inline: pickles of JS strings hold lone surrogates.
  const edMax = onError === utf8SurrogatePass ? 0xbf : 0x9f;

  while (i < end) {
    if (units.length >= CHUNK) text += flush(units);
    const b = bytes[i];
    if (b < 0x80) {
      units.push(b);
      i++;
    } else if (b < 0xe0 && b >= 0xc2 && i + 1 < end && (bytes[i + 1] & 0xc0) === 0x80) {
      units.push(((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f));
      i += 2;
    } else if (b < 0xf0 && i + 2 < end && valid3(bytes, i, edMax)) {
      units.push(((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f));
      i += 3;
    } else if (b < 0xf5 && i + 3 < end && valid4(bytes, i)) {
      const c = ((b & 7) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6);
      const cp = (c | (bytes[i + 3] & 0x3f)) - 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      i += 4;
    } else {
      const stop = i + invalidSpan(bytes, i, end);
      const reason =
        b < 0xc2 || b > 0xf4
          ? 'invalid start byte'
          : stop === end
            ? 'unexpected end of data'
            : 'invalid continuation byte';
      const region = bytes.subarray(start, end);
      const error = () => new UnicodeDecodeError('utf-8', region, i - start, stop - start, reason);
      const [s, resume] = onError(region, i - start, stop - start, error);
      text += flush(units) + s;
      i = start + resume;
    }
  }
  return text + flush(units);
}

// Whether bytes[i..i+3) is a 3-byte form: e0 needs a0..bf (no overlongs), ed 80..edMax.
function valid3(bytes: Uint8Array, i: number, edMax: number): boolean {
  const b = bytes[i];
  const b1 = bytes[i + 1];
  if (b < 0xe0 || b1 < (b === 0xe0 ? 0xa0 : 0x80) || b1 > (b === 0xed ? edMax : 0xbf)) return false;
  return (bytes[i + 2] & 0xc0) === 0x80;
}

// Whether bytes[i..i+4) is a 4-byte form: f0 needs 90..bf (no overlongs), f4 80..8f (no code
// points above U+10FFFF).
function valid4(bytes: Uint8Array, i: number): boolean {
  const b = bytes[i];
  const b1 = bytes[i + 1];
  if (b < 0xf0 || b1 < (b === 0xf0 ? 0x90 : 0x80) || b1 > (b === 0xf4 ? 0x8f : 0xbf)) return false;
  return (bytes[i + 2] & 0xc0) === 0x80 && (bytes[i + 3] & 0xc0) === 0x80;
}

// The length of CPython's error at bytes[i], which starts no valid form: the longest valid prefix
// of one (Unicode's "maximal subpart"), cut short by a bad byte or the end; 1 for a bad lead.
function invalidSpan(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i];
  if (b < 0xc2 || b > 0xf4) return 1;
  const need = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
  const b1 = bytes[i + 1];
  // The same second-byte ranges as valid3 and valid4, with strict UTF-8's for ed.
  const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
  const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
  if (i + 1 >= end || b1 < lo || b1 > hi) return 1;
  let k = 2;
  while (k < need && i + k < end && (bytes[i + k] & 0xc0) === 0x80) k++;
  return k;
}

/**
 * CPython's `surrogatepass` handler for UTF-8: a complete encoded surrogate (`ed a0 80` to
 * `ed bf bf`) becomes the lone surrogate; any other error is raised.
 */
export const utf8SurrogatePass: DecodeErrorHandler = (object, start, _end, error) => {
  const b1 = object[start + 1];
  const b2 = object[start + 2];
  if (object[start] !== 0xed || !(b1 >= 0xa0 && b1 <= 0xbf && (b2 & 0xc0) === 0x80)) throw error();
  return [String.fromCharCode(0xd000 | ((b1 & 0x3f) << 6) | (b2 & 0x3f)), start + 3];
};

/**
 * Decodes CPython's `raw-unicode-escape`: bytes are Latin-1 except `\uXXXX` and `\UXXXXXXXX`.
 *
 * A backslash followed by anything else is kept together with that character, so `\\u0041`
 * stays as written, as in CPython.
 *
 * @param bytes The source array.
 * @param start First byte to decode.
 * @param end One past the last byte to decode.
 * @returns The decoded string.
 * @throws {UnicodeDecodeError} for a truncated escape or one above U+10FFFF.
 */
export function decodeRawUnicodeEscape(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let first = start;
  while (first < end && bytes[first] !== 0x5c) first++;
  if (first === end) return decodeLatin1(bytes, start, end);
  let text = decodeLatin1(bytes, start, first);
  const units: number[] = [];
  let i = first;
  while (i < end) {
    if (units.length >= CHUNK) text += flush(units);
    const b = bytes[i++];
    if (b !== 0x5c || i >= end) {
      units.push(b);
      continue;
    }
    const kind = bytes[i++];
    if (kind !== 0x75 && kind !== 0x55) {
      units.push(0x5c, kind);
      continue;
    }
    const escapeStart = i - 2;
    const count = kind === 0x75 ? 4 : 8;
    let cp = 0;
    let digits = 0;
    while (digits < count && i < end) {
      const d = hexValue(bytes[i]);
      if (d < 0) break;
      cp = cp * 16 + d;
      digits++;
      i++;
    }
    if (digits < count || cp > 0x10ffff) {
      const reason =
        digits < count
          ? `truncated \\${count === 4 ? 'uXXXX' : 'UXXXXXXXX'} escape`
          : '\\Uxxxxxxxx out of range';
      const region = bytes.subarray(start, end);
      const at = escapeStart - start;
      throw new UnicodeDecodeError('rawunicodeescape', region, at, i - start, reason);
    }
    if (cp >= 0x10000) {
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      units.push(cp);
    }
  }
  return text + flush(units);
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}
