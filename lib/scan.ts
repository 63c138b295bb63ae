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

/**
 * Walks opcodes from `pos` (an opcode boundary) without running them, to find where a pickle
 * ends. Returns `[true, index after STOP]`, or `[false, start of the first incomplete opcode]`
 * when more bytes are needed. Malformed input (an unknown opcode, a negative or absurd length)
 * counts as complete at that point, so that the Unpickler reports it with its own message.
 */
export function scanPickle(data: Uint8Array, pos: number): [boolean, number] {
  const end = data.length;
  while (pos < end) {
    const op = data[pos]!;
    const info = OPCODE_BY_BYTE[op];
    if (info === undefined) return [true, pos + 1];
    const q = pos + 1;
    let size = FIXED_SIZE[info.arg];
    if (size === undefined) {
      switch (info.arg) {
        case 'string1':
        case 'bytes1':
        case 'unicodestring1':
        case 'long1':
          if (q + 1 > end) return [false, pos];
          size = 1 + data[q]!;
          break;
        case 'string4':
        case 'long4':
        case 'bytes4':
        case 'unicodestring4': {
          if (q + 4 > end) return [false, pos];
          const n = u32(data, q);
          // BINSTRING and LONG4 lengths are signed: a negative one is malformed.
          const length = info.arg === 'string4' || info.arg === 'long4' ? n | 0 : n;
          if (length < 0) return [true, q];
          size = 4 + length;
          break;
        }
        case 'bytes8':
        case 'bytearray8':
        case 'unicodestring8': {
          if (q + 8 > end) return [false, pos];
          const lo = u32(data, q);
          const hi = u32(data, q + 4);
          if (hi >= 0x200000) return [true, q]; // beyond 2**53: no such input
          size = 8 + hi * 0x100000000 + lo;
          break;
        }
        case 'stringnl_noescape_pair': {
          const first = data.indexOf(0x0a, q);
          if (first < 0) return [false, pos];
          const second = data.indexOf(0x0a, first + 1);
          if (second < 0) return [false, pos];
          size = second + 1 - q;
          break;
        }
        default: {
          // The newline-terminated kinds: decimalnl_*, floatnl, stringnl*, unicodestringnl.
          const nl = data.indexOf(0x0a, q);
          if (nl < 0) return [false, pos];
          size = nl + 1 - q;
        }
      }
    }
    if (q + size > end) return [false, pos];
    pos = q + size;
    if (op === OP.STOP) return [true, pos];
  }
  return [false, pos];
}
