/**
 * Python's `repr()` for the values pickletools prints (float, str, bytes), character for character.
 *
 * The pickler also needs `pyFloatRepr`: protocol 0 writes floats as their `repr()` text.
 */

// --- float ---

/**
 * Formats a number exactly as Python's `repr(float)` does.
 *
 * Python prints the shortest digits that round-trip (as JS does), but switches to exponent form
 * at other thresholds (exponent < -4 or >= 16), always writes an exponent sign with at least two
 * digits, and adds `.0` to integral values.
 *
 * @param x The number, taken as a Python float.
 * @returns The repr text, e.g. `'1.0'`, `'1e-05'`, `'1e+16'`, `'inf'`, `'nan'`, `'-0.0'`.
 */
export function pyFloatRepr(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // JS already yields the shortest round-trip digits; only the layout differs from Python.
  const text = String(Math.abs(x));
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  let digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  let point = (dot < 0 ? mantissa.length : dot) + exponent;
  let lead = 0;
  while (digits.charCodeAt(lead) === 0x30) lead++;
  digits = digits.slice(lead);
  point -= lead;
  let len = digits.length;
  while (digits.charCodeAt(len - 1) === 0x30) len--;
  digits = digits.slice(0, len);
  // `point` is where the decimal point sits relative to the digits: value = 0.DIGITS * 10^point.
  if (point > 16 || point < -3) {
    const exp = point - 1;
    const expText = (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
    const frac = digits.length > 1 ? '.' + digits.slice(1) : '';
    return `${sign}${digits[0]}${frac}e${expText}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

// --- printable characters ---

// Python 3.11's str.isprintable() over all code points (Unicode 14.0), as run lengths in base 36:
// the first run is non-printable and runs alternate. Generated from CPython's unicodedata, so
// repr() matches 3.11 even where the JS engine's Unicode version differs.
const PRINTABLE_RUNS =
  'w 2n y c 1 ju 2 6 4 7 1 1 1 k 1 b1 1 12 2 1e 2 3 1 1j 8 r 4 6 h m 1 5c 1 1c 2 1n 2 2t e ' +
  '1n 2 1d 2 f 1 s 2 1 1 b 5 v 9 22 1 4h 1 8 2 2 2 m 1 7 1 1 3 4 2 9 2 2 2 4 8 1 4 2 1 5 2 ' +
  'p 2 3 1 6 4 2 2 m 1 7 1 2 1 2 1 2 2 1 1 5 4 2 2 3 3 1 7 4 1 1 7 h a 3 1 9 1 3 1 m 1 7 1 ' +
  '2 1 5 2 a 1 3 1 3 2 1 f 4 2 c 7 7 1 3 1 8 2 2 2 m 1 7 1 2 1 5 2 9 2 2 2 3 7 3 4 2 1 5 2 ' +
  'i a 2 1 6 3 3 1 4 3 2 1 1 1 2 3 2 3 3 3 c 4 5 3 3 1 4 2 1 6 1 e l 5 d 1 3 1 n 1 g 2 9 1 ' +
  '3 1 4 7 2 1 3 2 1 2 4 2 a 7 m 1 3 1 n 1 a 1 5 2 9 1 3 1 4 7 2 6 2 1 4 2 a 1 2 d d 1 3 1 ' +
  '1f 1 3 1 6 4 g 2 q 1 3 1 i 3 o 1 9 1 1 2 7 3 1 4 6 1 1 1 8 6 a 2 3 c 1m 4 t 11 2 1 1 1 5 ' +
  '1 o 1 1 1 n 2 5 1 1 1 6 2 a 2 4 w 20 1 10 4 13 1 10 1 f 1 d 11 5i 1 1 5 1 2 ah 1 4 2 7 1 ' +
  '1 1 4 2 15 1 4 2 x 1 4 2 7 1 1 1 4 2 f 1 1l 1 4 2 1v 2 w 3 q 6 2e 2 6 2 hs 1 s 3 2h 7 m ' +
  '9 o 9 k c d 1 3 1 2 c 2m 2 a 6 a 6 e 1 b 6 2h 7 17 5 1y a v 1 c 4 c 4 1 3 16 2 5 b 18 4 ' +
  'q 6 b 3 1q 2 1t 1 t 2 b 6 a 6 e 2 v 1d 25 3 1b 1 38 8 1o 3 f 3 1o 7 17 2 b 8 17 5 eu 2 6 ' +
  '2 12 2 6 2 8 1 1 1 1 1 1 1 v 2 1h 1 f 1 e 2 6 1 j 2 3 1 9 h o 8 1b h 2 2 r 1 d 3 x f x f ' +
  '3w 4 if p b l 1ec 2 w 1 9p 5 19 1 1 5 1 2 1k 7 2 e o 9 7 1 7 1 7 1 7 1 7 1 7 1 7 1 7 1 ' +
  '3i y q 1 2h c 5y q c 5 1r 1 2e 2 2v 5 17 1 2m 1 2c c 1b 1 mlp 3 1j 9 9o k 54 8 5n 5 2 1 ' +
  '1 1 5 o 1n 3 a 6 1k 8 1y 8 c 6 38 b u 3 26 1 b 4 x 1 1j 9 e 2 a 2 2v o s a 6 2 6 2 6 9 7 ' +
  '1 7 1 1o 4 3i 2 a 6 8mc c n 4 1d 6is a6 2 2y 12 7 c 5 5 q 1 5 1 1 1 2 1 2 1 3h g cd 2 1i ' +
  '7 1 w 16 6 1f 1 j 1 4 4 5 1 3r 4 5a 3 6 2 6 2 6 2 3 3 7 1 7 d 2 2 c 1 q 1 j 1 2 1 f 2 e ' +
  'y 3f 5 3 4 19 3 2g 1 d 3 1 1b 1a 3m t 3 1d f s 4 10 9 u 5 17 5 u 1 11 4 e 16 4e 2 a 6 10 ' +
  '4 10 4 14 8 1g b c 1 f 1 7 1 2 1 b 1 f 1 7 1 2 1v 8n 9 m a 8 o 6 1 16 1 9 1x 6 2 1 1 18 ' +
  '1 2 3 1 2 n 1 20 8 9 1c j 1 2 5 x 3 r 5 1 1s 1k 4 k 2 1e 1 2 5 8 1 3 1 t 2 3 4 a 7 9 7 ' +
  '1s w 13 4 c 9 1i 3 t 2 r 5 q 7 4 c 7 28 21 1j 1f d 1f 7 1a 8 a 86 v 1 16 1 3 2 2 26 14 8 ' +
  '16 m q 12 s k n 9 26 4 10 9 1q 1 5 d p 7 a 6 1h 1 i 8 13 9 2o 1 k b i 1 18 1t 7 1 1 1 4 ' +
  '1 f 1 b 6 1n 5 a 6 4 1 8 2 2 2 m 1 7 1 2 1 5 1 a 2 2 2 3 2 1 6 1 5 7 2 7 3 5 3v 2k 1 5 u ' +
  '20 8 a 4m 1i 2 12 y 1x b a 6 d j 1m 6 a 1i r 2 f 4 n 55 1o 2s 2b c 8 2 1 2 8 1 2 1 u 1 2 ' +
  '2 c 9 a 1y 8 2 1a 2 b r 20 8 2b d 21 7b 9 1 19 1 e a t 3 w 2 m 1 e 21 7 1 2 1 18 3 1 1 2 ' +
  '1 9 8 a 6 6 1 2 1 11 1 2 1 6 7 a 8m p 53 1 f 1e d pn 2u 33 1 5 b 5g 218 2r d tr 34h g7 ' +
  '6nt ft 7 v 1 a 4 29 1 a 6 u 2 6 a 1y a a 1 7 1 l 5 j j4 2j 2t 23 4 1l 7 h 1s 5 b 2 e 4qg ' +
  '8 ye 16 9 6w7 4 1 7 1 2 1 83 19 3 h 4 8 b0 1s4 2z 5 d 3 9 7 a 2 4 3mo 1a 2 n 9 38 1o 6u ' +
  'a 13 2 22 8 34 l 1y 4a k c 2f 9 p 3r 2d 1 1z 1 2 2 1 2 2 2 4 1 c 1 1 1 7 1 1t 1 4 2 8 1 ' +
  '7 1 s 1 4 1 5 1 1 3 7 1 9g 2 84 2 ji f 5 1 f uo v 69 7 1 h 2 7 1 2 1 5 5x 19 3 e 2 a 4 2 ' +
  '8w v h 1m 5 1 yo 7 1 4 1 2 1 f 1 5h 2 g 15 24 4 a 4 2 lt 1w 24 1p 5e 4 1 r 1 2 1 1 2 1 1 ' +
  'a 1 4 1 1 1 1 6 1 4 1 1 1 1 1 1 3 1 2 1 1 2 1 1 1 1 1 1 1 1 1 1 2 1 1 2 4 1 7 1 4 1 4 1 ' +
  '1 1 a 1 h 5 3 1 5 1 h 1g 2 7i 18 4 2s c f 2 f 1 f 1 11 a 4u 1k t d 18 4 9 7 2 e 6 4a rc ' +
  '5 g 3 d 3 38 c 2h 7 c 4 1 f c 4 1k 8 a 6 14 8 u 2 2 26 9g c e 2 5 3 5 3 7 9 t 3 b 5 6 a ' +
  'a 6 8 8 7 9 43 1 1j 11 a sm wyo w 37d 7 66 2 4g2 e 5rl 2e7 f2 15u 3t7 fcmt 6o 47bk ';

let printableStarts: Uint32Array | undefined;

// Boundaries where printability flips; a code point is printable when an odd number of
// boundaries lie at or below it.
function boundaries(): Uint32Array {
  if (printableStarts === undefined) {
    const runs = PRINTABLE_RUNS.trim().split(' ');
    const starts = new Uint32Array(runs.length);
    let at = 0;
    for (let k = 0; k < runs.length; k++) {
      at += parseInt(runs[k], 36);
      starts[k] = at;
    }
    printableStarts = starts;
  }
  return printableStarts;
}

/**
 * Tells whether Python 3.11 considers a code point printable (`str.isprintable()`), which decides
 * whether `repr()` shows it as is or escaped.
 *
 * @param codePoint A code point, 0 to 0x10FFFF.
 * @returns `true` for letters, marks, numbers, punctuation, symbols and the ASCII space.
 */
export function pyIsPrintable(codePoint: number): boolean {
  if (codePoint < 0x7f) return codePoint >= 0x20;
  const starts = boundaries();
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid] <= codePoint) lo = mid + 1;
    else hi = mid;
  }
  return (lo & 1) === 1;
}

// --- str and bytes ---

const BACKSLASH = 0x5c;
const SINGLE = 0x27;
const DOUBLE = 0x22;

function hexEscape(prefix: string, value: number, width: number): string {
  return prefix + value.toString(16).padStart(width, '0');
}

// The escape (or the character itself) repr() writes for one code point of a str.
function escapeCodePoint(cp: number, quote: number): string {
  if (cp === quote || cp === BACKSLASH) return '\\' + String.fromCharCode(cp);
  if (cp >= 0x20 && cp < 0x7f) return String.fromCharCode(cp);
  if (cp === 0x09) return '\\t';
  if (cp === 0x0a) return '\\n';
  if (cp === 0x0d) return '\\r';
  if (cp < 0x20 || cp === 0x7f) return hexEscape('\\x', cp, 2);
  if (pyIsPrintable(cp)) return String.fromCodePoint(cp);
  if (cp <= 0xff) return hexEscape('\\x', cp, 2);
  if (cp <= 0xffff) return hexEscape('\\u', cp, 4);
  return hexEscape('\\U', cp, 8);
}

/**
 * Formats a string exactly as Python's `repr(str)` does.
 *
 * Single quotes unless the text has a `'` and no `"`; backslash escapes for the quote, `\\`,
 * tab, newline and return; `\xNN`, `\uNNNN` or `\UNNNNNNNN` for what Python deems
 * non-printable, lone surrogates included.
 *
 * @param s The string; a valid surrogate pair counts as one character, as in Python.
 * @returns The quoted repr text.
 */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? DOUBLE : SINGLE;
  const q = String.fromCharCode(quote);
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === quote || c === BACKSLASH) break;
    i++;
  }
  if (i === n) return q + s + q;
  let out = q + s.slice(0, i);
  for (; i < n; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    out += escapeCodePoint(cp, quote);
  }
  return out + q;
}

/**
 * Formats bytes exactly as Python's `repr(bytes)` does (`b'...'`).
 *
 * @param bytes The source array.
 * @param start First byte to show.
 * @param end One past the last byte to show.
 * @returns The repr text, with the same quote rule as {@link pyStrRepr}.
 */
export function pyBytesRepr(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let hasSingle = false;
  let hasDouble = false;
  for (let i = start; i < end; i++) {
    if (bytes[i] === SINGLE) hasSingle = true;
    else if (bytes[i] === DOUBLE) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? DOUBLE : SINGLE;
  const parts: string[] = [];
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === quote || b === BACKSLASH) parts.push('\\' + String.fromCharCode(b));
    else if (b === 0x09) parts.push('\\t');
    else if (b === 0x0a) parts.push('\\n');
    else if (b === 0x0d) parts.push('\\r');
    else if (b < 0x20 || b >= 0x7f) parts.push(hexEscape('\\x', b, 2));
    else parts.push(String.fromCharCode(b));
  }
  const q = String.fromCharCode(quote);
  return 'b' + q + parts.join('') + q;
}
