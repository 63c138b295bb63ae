/**
 * A symbolic walk over a pickle's opcodes that runs nothing. It answers two questions that the
 * opcodes decide before the Unpickler has built the values they concern:
 *
 * - Which globals the rest of a pickle names. STACK_GLOBAL takes its names from the stack, so the
 *   walk follows which stack items (and memo entries) are which strings. The Unpickler uses this
 *   to refuse a forbidden global before any declared callable has run.
 * - Which dicts receive a key that is not a string. Such a dict is a Map in JS, but the loader
 *   only learns it when the key arrives, and by then a reference to the dict may sit inside
 *   another container (`d = {1: 'a'}; d[2] = [d]`). A second load that knows the answer makes
 *   those dicts Maps from the start.
 *
 * The walk stops quietly at anything malformed or uncertain: the real load reports errors, and an
 * item it cannot follow is simply not a known string.
 */
import { OP, OPCODE_BY_BYTE } from './opcodes';
import { opcodeEnd } from './scan';
import { decodeLatin1, decodeRawUnicodeEscape, decodeUtf8 } from './utf8';

/** A stack item the walk does not follow. */
export const OTHER = -1;
const MARK = -2;
// Items >= 0: the str pushed by the opcode at that position. Items <= -3: a seed string (when
// the walk reports globals) or a dict made by the opcode at position -3 - item (when it reports
// dict keys; such a walk starts from an empty stack).

/** What the walk reports to its caller. */
export interface WalkHooks {
  /**
   * A GLOBAL, INST or STACK_GLOBAL whose names are known, with the protocol in force there and
   * the opcode's position.
   */
  global?(module: string, name: string, proto: number, at: number): void;
  /** An EXT1/2/4 code. */
  ext?(code: number): void;
  /** A key set on a dict (SETITEM, SETITEMS): the dict's opcode position; whether the key is a str. */
  dictKey?(dictAt: number, keyIsStr: boolean): void;
}

/** Where a walk starts: the stack and memo it finds there (empty for a walk from the start). */
export interface WalkSeed {
  /** The stack, bottom first: strings as themselves, marks as `null`, anything else as OTHER. */
  readonly stack: readonly (string | null | typeof OTHER)[];
  /** The memo entry at an index the walk has not stored itself: a string, OTHER, or undefined when there is none. */
  memo(idx: number): string | typeof OTHER | undefined;
  /** How many memo entries there are (MEMOIZE's next index). */
  readonly memoSize: number;
  /** Whether Python 2 `str` opcodes load as strings (not with `encoding: 'bytes'`). */
  readonly py2StrIsStr: boolean;
  /** The protocol the last PROTO opcode announced (0 when none has). */
  readonly proto?: number;
}

/**
 * Walks from `pos` to STOP (or to the first opcode it cannot follow), reporting globals,
 * extension codes and dict keys to `hooks`.
 *
 * @param data The pickle.
 * @param pos An opcode boundary.
 * @param seed The stack and memo at `pos`.
 * @param hooks What to report.
 */
export function walkSymbols(data: Uint8Array, pos: number, seed: WalkSeed, hooks: WalkHooks): void {
  const known: string[] = [];
  const asItem = (x: string | null | typeof OTHER): number => {
    if (x === null) return MARK;
    if (x === OTHER) return OTHER;
    known.push(x);
    return -2 - known.length;
  };
  const stack = seed.stack.map(asItem);
  // The memo entries this walk stores: from the seed's size on in an array (picklers number
  // entries densely), anything below that (rare: a PUT over an earlier entry) in a Map.
  const base = seed.memoSize;
  const dense: number[] = [];
  const below = new Map<number, number>();
  let memoSize = base;
  let proto = seed.proto ?? 0;
  const dicts = hooks.dictKey !== undefined;
  const text = (item: number): string | undefined => {
    if (item <= -3) return dicts ? undefined : known[-3 - item];
    return item < 0 ? undefined : strAt(data, item);
  };
  const isStr = (item: number): boolean => item >= 0 || (item <= -3 && !dicts);
  /** Pops the topmost mark and what is above it; returns false when there is no mark. */
  const dropTo = (): boolean => {
    const m = stack.lastIndexOf(MARK);
    if (m < 0) return false;
    while (stack.length > m) stack.pop();
    return true;
  };
  const popTo = (): number[] | undefined => {
    const m = stack.lastIndexOf(MARK);
    return m < 0 ? undefined : stack.splice(m).slice(1);
  };
  /** Whether memo index `idx` holds an entry (stored by this walk or found in the seed). */
  const holds = (idx: number): boolean =>
    (below.size !== 0 && below.has(idx)) || (idx >= base && dense[idx - base] !== undefined) || seed.memo(idx) !== undefined;
  const store = (idx: number): boolean => {
    if (stack.length === 0) return false;
    const item = stack[stack.length - 1]!;
    // Note: MEMOIZE's next index is the number of entries, as in the loader; storing over an
    // existing entry (the seed's included) does not add one.
    if (!holds(idx)) memoSize++;
    if (idx >= base && idx - base <= dense.length) {
      if (below.size !== 0) below.delete(idx);
      if (idx - base === dense.length) dense.push(item);
      else dense[idx - base] = item;
    } else {
      below.set(idx, item);
    }
    return true;
  };
  const fetch = (idx: number): number | undefined => {
    if (below.size !== 0 && below.has(idx)) return below.get(idx);
    if (idx >= base) {
      const mine = dense[idx - base];
      if (mine !== undefined) return mine;
    }
    const theirs = seed.memo(idx);
    return theirs === undefined ? undefined : asItem(theirs);
  };

  while (pos < data.length) {
    const at = pos;
    const op = data[at]!;
    const next = opcodeEnd(data, at);
    if (next < 0) return;
    pos = next;
    const info = OPCODE_BY_BYTE[op]!;
    switch (op) {
      case OP.STOP:
        return;
      case OP.PROTO:
        proto = data[at + 1]!;
        break;
      case OP.FRAME:
        break;
      case OP.MARK:
        stack.push(MARK);
        break;
      case OP.POP:
      case OP.DUP:
      case OP.MEMOIZE:
        if (stack.length === 0) return;
        if (op === OP.POP) stack.pop();
        else if (op === OP.DUP) stack.push(stack[stack.length - 1]!);
        else if (!store(memoSize)) return;
        break;
      case OP.POP_MARK:
        if (!dropTo()) return;
        break;
      case OP.PUT:
      case OP.BINPUT:
      case OP.LONG_BINPUT:
      case OP.GET:
      case OP.BINGET:
      case OP.LONG_BINGET: {
        const idx = op === OP.BINPUT || op === OP.BINGET ? data[at + 1]! : op === OP.PUT || op === OP.GET ? lineIndex(data, at + 1, next - 1) : u32(data, at + 1);
        if (idx === undefined) return;
        if (op === OP.PUT || op === OP.BINPUT || op === OP.LONG_BINPUT) {
          if (!store(idx)) return;
        } else {
          const item = fetch(idx);
          if (item === undefined) return;
          stack.push(item);
        }
        break;
      }
      case OP.UNICODE:
      case OP.BINUNICODE:
      case OP.SHORT_BINUNICODE:
      case OP.BINUNICODE8:
        stack.push(at);
        break;
      case OP.STRING:
      case OP.BINSTRING:
      case OP.SHORT_BINSTRING:
        stack.push(seed.py2StrIsStr ? at : OTHER);
        break;
      case OP.EMPTY_DICT:
        stack.push(dicts ? -3 - at : OTHER);
        break;
      case OP.DICT: {
        const items = hooks.dictKey ? popTo() : dropTo() ? [] : undefined;
        if (items === undefined) return;
        // From protocol 2 DICT is always a Map (see the loader), below it a dict made at once.
        if (proto < 2 && hooks.dictKey) for (let i = 0; i < items.length; i += 2) hooks.dictKey(at, isStr(items[i]!));
        stack.push(dicts ? -3 - at : OTHER);
        break;
      }
      case OP.SETITEM:
      case OP.SETITEMS: {
        let items: number[] | undefined = [];
        if (op === OP.SETITEM) {
          if (stack.length < 3) return;
          const v = stack.pop()!;
          items = [stack.pop()!, v];
        } else {
          items = hooks.dictKey ? popTo() : dropTo() ? [] : undefined;
        }
        if (items === undefined || stack.length === 0) return;
        const target = stack[stack.length - 1]!;
        if (dicts && target <= -3) {
          for (let i = 0; i < items.length; i += 2) hooks.dictKey!(-3 - target, isStr(items[i]!));
        }
        break;
      }
      case OP.GLOBAL:
      case OP.INST: {
        const nl = data.indexOf(0x0a, at + 1);
        if (hooks.global) {
          const names = globalNames(data, at + 1, nl, next - 1, op === OP.INST);
          if (names !== undefined) hooks.global(names[0], names[1], proto, at);
        }
        if (op === OP.INST && !dropTo()) return;
        stack.push(OTHER);
        break;
      }
      case OP.STACK_GLOBAL: {
        if (stack.length < 2) return;
        const name = text(stack.pop()!);
        const module = text(stack.pop()!);
        if (module !== undefined && name !== undefined && hooks.global) hooks.global(module, name, proto, at);
        stack.push(OTHER);
        break;
      }
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4: {
        const code = op === OP.EXT1 ? data[at + 1]! : op === OP.EXT2 ? data[at + 1]! | (data[at + 2]! << 8) : u32(data, at + 1) | 0;
        hooks.ext?.(code);
        stack.push(OTHER);
        break;
      }
      default: {
        // The stack effect from the opcode table: items below a mark, the mark and what is above
        // it, then the results (which the walk does not follow).
        let n = POPS[op]!;
        if (info.popsMark && !dropTo()) return;
        if (stack.length < n) return;
        while (n-- > 0) stack.pop();
        for (let i = PUSHES[op]!; i > 0; i--) stack.push(OTHER);
      }
    }
  }
}

/** Per opcode byte: the items it pops below its mark (or in all), and the items it pushes. */
const POPS = new Int8Array(256);
const PUSHES = new Int8Array(256);
for (let op = 0; op < 256; op++) {
  const info = OPCODE_BY_BYTE[op];
  if (info === undefined) continue;
  POPS[op] = info.popsMark ? info.stackBefore.indexOf('mark') : info.stackBefore.length;
  PUSHES[op] = info.stackAfter.length;
}

function u32(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

/** A text PUT / GET index, or undefined for anything but plain decimal digits. */
function lineIndex(data: Uint8Array, start: number, end: number): number | undefined {
  // Note: read as the loader reads it (Python's int()); a negative index ends the load there.
  const t = decodeLatin1(data, start, end);
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(t)) return undefined;
  const n = Number(t.replace(/_/g, ''));
  return n >= 0 || Object.is(n, -0) ? Math.abs(n) : undefined;
}

/** The module and name of a GLOBAL / INST, decoded as the loader does, or undefined. */
function globalNames(data: Uint8Array, start: number, nl: number, end: number, ascii: boolean): [string, string] | undefined {
  try {
    if (ascii) {
      for (let i = start; i < end; i++) if (data[i]! > 0x7f) return undefined;
      return [decodeLatin1(data, start, nl), decodeLatin1(data, nl + 1, end)];
    }
    return [decodeUtf8(data, start, nl), decodeUtf8(data, nl + 1, end)];
  } catch {
    return undefined;
  }
}

/** The str a str opcode at `at` pushes, or undefined when it cannot be decoded here. */
function strAt(data: Uint8Array, at: number): string | undefined {
  const op = data[at]!;
  try {
    switch (op) {
      case OP.SHORT_BINUNICODE:
        return decodeUtf8(data, at + 2, at + 2 + data[at + 1]!);
      case OP.BINUNICODE:
        return decodeUtf8(data, at + 5, at + 5 + u32(data, at + 1));
      case OP.BINUNICODE8:
        return decodeUtf8(data, at + 9, at + 9 + u32(data, at + 1) + u32(data, at + 5) * 0x100000000);
      case OP.UNICODE:
        return decodeRawUnicodeEscape(data, at + 1, data.indexOf(0x0a, at + 1));
      case OP.SHORT_BINSTRING:
      case OP.BINSTRING: {
        // Python 2 str: ASCII text reads the same under every encoding the loader accepts.
        const start = op === OP.SHORT_BINSTRING ? at + 2 : at + 5;
        const end = start + (op === OP.SHORT_BINSTRING ? data[at + 1]! : u32(data, at + 1));
        for (let i = start; i < end; i++) if (data[i]! > 0x7f) return undefined;
        return decodeLatin1(data, start, end);
      }
      case OP.STRING: {
        // The quoted form: plain ASCII between matching quotes, no escapes.
        const end = data.indexOf(0x0a, at + 1);
        const q = data[at + 1];
        if (end - at < 3 || (q !== 0x27 && q !== 0x22) || data[end - 1] !== q) return undefined;
        for (let i = at + 2; i < end - 1; i++) if (data[i]! > 0x7f || data[i] === 0x5c) return undefined;
        return decodeLatin1(data, at + 2, end - 1);
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
