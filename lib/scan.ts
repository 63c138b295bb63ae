/**
 * Where one pickle ends in a stream of bytes, found by walking opcode lengths without running
 * anything, so `loadAll` over a stream can hand each complete pickle to an Unpickler.
 */
import { OP, OPCODE_BY_BYTE } from './opcodes';

function u32(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

const FIXED_SIZE: Partial<Record<string, number>> = {
  none: 0,
  uint1: 1,
  uint2: 2,
  int4: 4,
  uint4: 4,
  uint8: 8,
  float8: 8,
};

/** Per opcode byte, the size of its argument when that is fixed, else -1. */
const FIXED_BY_BYTE = new Int8Array(256).fill(-1);
for (let op = 0; op < 256; op++) {
  const info = OPCODE_BY_BYTE[op];
  const size = info === undefined ? undefined : FIXED_SIZE[info.arg];
  if (size !== undefined) FIXED_BY_BYTE[op] = size;
}

/** {@link opcodeEnd}: more bytes are needed to finish the opcode. */
export const INCOMPLETE = -1;
/** {@link opcodeEnd}: the opcode is unknown or declares an impossible length. */
export const MALFORMED = -2;

/**
 * Where the opcode at `pos` ends (its argument included), read from its argument's encoding
 * without decoding the value.
 *
 * @param data The bytes.
 * @param pos An opcode boundary.
 * @returns The index after the opcode, {@link INCOMPLETE} or {@link MALFORMED}.
 */
export function opcodeEnd(data: Uint8Array, pos: number): number {
  const end = data.length;
  const op = data[pos]!;
  const fixed = FIXED_BY_BYTE[op]!;
  if (fixed >= 0) return pos + 1 + fixed > end ? INCOMPLETE : pos + 1 + fixed;
  const info = OPCODE_BY_BYTE[op];
  if (info === undefined) return MALFORMED;
  const q = pos + 1;
  let size: number | undefined;
  if (size === undefined) {
    switch (info.arg) {
      case 'string1':
      case 'bytes1':
      case 'unicodestring1':
      case 'long1':
        if (q + 1 > end) return INCOMPLETE;
        size = 1 + data[q]!;
        break;
      case 'string4':
      case 'long4':
      case 'bytes4':
      case 'unicodestring4': {
        if (q + 4 > end) return INCOMPLETE;
        const n = u32(data, q);
        // BINSTRING and LONG4 lengths are signed: a negative one is malformed.
        const length = info.arg === 'string4' || info.arg === 'long4' ? n | 0 : n;
        if (length < 0) return MALFORMED;
        size = 4 + length;
        break;
      }
      case 'bytes8':
      case 'bytearray8':
      case 'unicodestring8': {
        if (q + 8 > end) return INCOMPLETE;
        const lo = u32(data, q);
        const hi = u32(data, q + 4);
        if (hi >= 0x200000) return MALFORMED; // beyond 2**53: no such input
        size = 8 + hi * 0x100000000 + lo;
        break;
      }
      case 'stringnl_noescape_pair': {
        const first = data.indexOf(0x0a, q);
        if (first < 0) return INCOMPLETE;
        const second = data.indexOf(0x0a, first + 1);
        if (second < 0) return INCOMPLETE;
        size = second + 1 - q;
        break;
      }
      default: {
        // The newline-terminated kinds: decimalnl_*, floatnl, stringnl*, unicodestringnl.
        const nl = data.indexOf(0x0a, q);
        if (nl < 0) return INCOMPLETE;
        size = nl + 1 - q;
      }
    }
  }
  return q + size > end ? INCOMPLETE : q + size;
}

/**
 * Whether the opcode at `pos` ends at a newline (the text arguments of protocol 0): while its
 * line is unfinished, only bytes holding a newline can complete it.
 *
 * @param data The bytes.
 * @param pos An opcode boundary.
 * @returns True for the newline-terminated kinds.
 */
export function endsAtNewline(data: Uint8Array, pos: number): boolean {
  const op = data[pos];
  if (op === undefined || FIXED_BY_BYTE[op]! >= 0) return false;
  const arg = OPCODE_BY_BYTE[op]?.arg;
  return arg !== undefined && arg.includes('nl');
}

/**
 * Walks opcodes from `pos` (an opcode boundary) without running them, to find where a pickle
 * ends. Returns `[true, index after STOP]`, or `[false, start of the first incomplete opcode]`
 * when more bytes are needed. Malformed input (an unknown opcode, a negative or absurd length)
 * counts as complete at that point, so that the Unpickler reports it with its own message.
 */
export function scanPickle(data: Uint8Array, pos: number): [boolean, number] {
  while (pos < data.length) {
    const next = opcodeEnd(data, pos);
    if (next === INCOMPLETE) return [false, pos];
    if (next === MALFORMED) return [true, pos + 1];
    if (data[pos] === OP.STOP) return [true, next];
    pos = next;
  }
  return [false, pos];
}
