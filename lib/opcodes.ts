/**
 * The pickle opcodes of protocols 0 to 5, as byte constants and as a descriptive table.
 *
 * Names are CPython's, so every constant can be looked up in `pickle.py` / `pickletools.py`.
 * This module imports nothing: the pickler, the unpickler and `dis` all build on it.
 */

/** Every pickle opcode byte, keyed by its CPython name. */
export const OP = {
  // Protocol 0: the text protocol.
  MARK: 0x28, // start a variable-length group on the stack
  STOP: 0x2e, // end of pickle: the top of the stack is the result
  POP: 0x30, // drop the top item (or an empty topmost mark)
  DUP: 0x32, // push the top item a second time
  FLOAT: 0x46, // float written as decimal text, newline-terminated
  INT: 0x49, // int written as decimal text; 00 / 01 stand for False / True
  LONG: 0x4c, // arbitrary int as decimal text, with an optional trailing L
  NONE: 0x4e, // push None
  PERSID: 0x50, // persistent id as a text line
  REDUCE: 0x52, // call a callable with an argument tuple
  STRING: 0x53, // Python 2 str as a quoted, escaped literal
  UNICODE: 0x56, // str in raw-unicode-escape text, newline-terminated
  APPEND: 0x61, // append one item to the list below it
  BUILD: 0x62, // apply state to an object (__setstate__ or dict update)
  GLOBAL: 0x63, // push a global named by module and name lines
  DICT: 0x64, // dict from the key/value pairs above the mark
  GET: 0x67, // push a memo entry; decimal index
  INST: 0x69, // instantiate a class named inline with the items above the mark
  LIST: 0x6c, // list from the items above the mark
  PUT: 0x70, // store the top in the memo; decimal index
  SETITEM: 0x73, // set one key/value pair in the dict below them
  TUPLE: 0x74, // tuple from the items above the mark
  // Protocol 1: the first binary opcodes.
  EMPTY_TUPLE: 0x29, // push ()
  POP_MARK: 0x31, // drop the topmost mark and everything above it
  BINFLOAT: 0x47, // float as 8 big-endian IEEE-754 bytes
  BININT: 0x4a, // signed 32-bit little-endian int
  BININT1: 0x4b, // unsigned 8-bit int
  BININT2: 0x4d, // unsigned 16-bit little-endian int
  BINPERSID: 0x51, // persistent id taken from the stack
  BINSTRING: 0x54, // Python 2 str with a 4-byte length
  SHORT_BINSTRING: 0x55, // Python 2 str with a 1-byte length
  BINUNICODE: 0x58, // UTF-8 str with a 4-byte length
  EMPTY_LIST: 0x5d, // push []
  APPENDS: 0x65, // extend the list below the mark with the items above it
  BINGET: 0x68, // push a memo entry; 1-byte index
  LONG_BINGET: 0x6a, // push a memo entry; 4-byte index
  OBJ: 0x6f, // instantiate the class just above the mark with the rest as arguments
  BINPUT: 0x71, // store the top in the memo; 1-byte index
  LONG_BINPUT: 0x72, // store the top in the memo; 4-byte index
  SETITEMS: 0x75, // add the key/value pairs above the mark to the dict below it
  EMPTY_DICT: 0x7d, // push {}
  // Protocol 2 (PEP 307).
  PROTO: 0x80, // announce the protocol version
  NEWOBJ: 0x81, // cls.__new__(cls, *args)
  EXT1: 0x82, // push a registered extension; 1-byte code
  EXT2: 0x83, // push a registered extension; 2-byte code
  EXT4: 0x84, // push a registered extension; 4-byte signed code
  TUPLE1: 0x85, // 1-tuple from the top item
  TUPLE2: 0x86, // 2-tuple from the top two items
  TUPLE3: 0x87, // 3-tuple from the top three items
  NEWTRUE: 0x88, // push True
  NEWFALSE: 0x89, // push False
  LONG1: 0x8a, // two's-complement int with a 1-byte length
  LONG4: 0x8b, // two's-complement int with a 4-byte length
  // Protocol 3: bytes.
  BINBYTES: 0x42, // bytes with a 4-byte length
  SHORT_BINBYTES: 0x43, // bytes with a 1-byte length
  // Protocol 4 (PEP 3154).
  SHORT_BINUNICODE: 0x8c, // UTF-8 str with a 1-byte length
  BINUNICODE8: 0x8d, // UTF-8 str with an 8-byte length
  BINBYTES8: 0x8e, // bytes with an 8-byte length
  EMPTY_SET: 0x8f, // push set()
  ADDITEMS: 0x90, // add the items above the mark to the set below it
  FROZENSET: 0x91, // frozenset from the items above the mark
  NEWOBJ_EX: 0x92, // cls.__new__(cls, *args, **kwargs)
  STACK_GLOBAL: 0x93, // push a global named by two str items on the stack
  MEMOIZE: 0x94, // store the top in the memo at the next free index
  FRAME: 0x95, // the next N bytes form one frame
  // Protocol 5 (PEP 574).
  BYTEARRAY8: 0x96, // bytearray with an 8-byte length
  NEXT_BUFFER: 0x97, // push the next out-of-band buffer
  READONLY_BUFFER: 0x98, // make the buffer on top read-only
} as const;

/** The CPython name of an opcode. */
export type OpcodeName = keyof typeof OP;

/** The highest protocol this library reads and writes (CPython's `pickle.HIGHEST_PROTOCOL`). */
export const HIGHEST_PROTOCOL = 5;

/** The protocol `dumps` uses when none is given. */
export const DEFAULT_PROTOCOL = 5;

/**
 * How an opcode's inline argument is encoded, named after pickletools' argument descriptors.
 *
 * Fixed-size kinds are little-endian except `float8`; the `*nl` kinds run up to a newline;
 * the counted kinds (`string1`, `bytes8`, `long4`, ...) carry their own length prefix.
 */
export type ArgKind =
  | 'none'
  | 'uint1'
  | 'uint2'
  | 'int4'
  | 'uint4'
  | 'uint8'
  | 'decimalnl_short'
  | 'decimalnl_long'
  | 'floatnl'
  | 'float8'
  | 'stringnl'
  | 'stringnl_noescape'
  | 'stringnl_noescape_pair'
  | 'string1'
  | 'string4'
  | 'bytes1'
  | 'bytes4'
  | 'bytes8'
  | 'bytearray8'
  | 'unicodestringnl'
  | 'unicodestring1'
  | 'unicodestring4'
  | 'unicodestring8'
  | 'long1'
  | 'long4';

/**
 * What an opcode expects on, or leaves on, the stack, in pickletools' vocabulary.
 *
 * `'mark'` is the mark object and `'stackslice'` stands for everything above the topmost mark.
 */
export type StackKind =
  | 'any'
  | 'int'
  | 'int_or_bool'
  | 'bool'
  | 'float'
  | 'bytes_or_str'
  | 'bytes'
  | 'bytearray'
  | 'str'
  | 'None'
  | 'tuple'
  | 'list'
  | 'dict'
  | 'set'
  | 'frozenset'
  | 'buffer'
  | 'mark'
  | 'stackslice';

/** One row of {@link OPCODE_INFO}: what an opcode is, reads and does. */
export interface OpcodeInfo {
  /** The CPython name. */
  readonly name: OpcodeName;
  /** The opcode byte. */
  readonly code: number;
  /** How the inline argument is encoded (`'none'` when there is none). */
  readonly arg: ArgKind;
  /** The protocol that introduced the opcode. */
  readonly proto: number;
  /** Whether the opcode consumes the topmost mark and the items above it. */
  readonly popsMark: boolean;
  /** Whether the opcode pushes a mark. */
  readonly pushesMark: boolean;
  /** The top of the stack the opcode consumes, bottom first. */
  readonly stackBefore: readonly StackKind[];
  /** What the opcode pushes, bottom first. */
  readonly stackAfter: readonly StackKind[];
  /** A one-line description. */
  readonly doc: string;
}

function row(
  name: OpcodeName,
  arg: ArgKind,
  proto: number,
  stackBefore: readonly StackKind[],
  stackAfter: readonly StackKind[],
  doc: string,
): OpcodeInfo {
  return {
    name,
    code: OP[name],
    arg,
    proto,
    popsMark: stackBefore.includes('mark'),
    pushesMark: stackAfter.includes('mark'),
    stackBefore,
    stackAfter,
    doc,
  };
}

const SLICE: readonly StackKind[] = ['mark', 'stackslice'];

/** All 68 opcodes of protocols 0 to 5, grouped by the protocol that introduced them. */
export const OPCODE_INFO: readonly OpcodeInfo[] = [
  row('MARK', 'none', 0, [], ['mark'], 'Push the mark object that opens a variable-size group.'),
  row('STOP', 'none', 0, ['any'], [], 'End the pickle; the top of the stack is the result.'),
  row('POP', 'none', 0, ['any'], [], 'Discard the top item, or an empty topmost mark.'),
  row('DUP', 'none', 0, ['any'], ['any', 'any'], 'Push the top item again.'),
  row('FLOAT', 'floatnl', 0, [], ['float'], 'Push a float given as repr() text.'),
  row('INT', 'decimalnl_short', 0, [], ['int_or_bool'], 'Push an int given as decimal text.'),
  row('LONG', 'decimalnl_long', 0, [], ['int'], 'Push an int given as decimal text ending in L.'),
  row('NONE', 'none', 0, [], ['None'], 'Push None.'),
  row('PERSID', 'stringnl_noescape', 0, [], ['any'], 'Push the object for a text persistent id.'),
  row('REDUCE', 'none', 0, ['any', 'any'], ['any'], 'Call the callable below with the tuple.'),
  row('STRING', 'stringnl', 0, [], ['bytes_or_str'], 'Push a Python 2 str from a quoted literal.'),
  row('UNICODE', 'unicodestringnl', 0, [], ['str'], 'Push a str in raw-unicode-escape form.'),
  row('APPEND', 'none', 0, ['list', 'any'], ['list'], 'Append the top item to the list below.'),
  row('BUILD', 'none', 0, ['any', 'any'], ['any'], 'Give the object below the state on top.'),
  row('GLOBAL', 'stringnl_noescape_pair', 0, [], ['any'], 'Push a global named module, name.'),
  row('DICT', 'none', 0, SLICE, ['dict'], 'Build a dict from the pairs above the mark.'),
  row('GET', 'decimalnl_short', 0, [], ['any'], 'Push a memo entry (decimal index).'),
  row('INST', 'stringnl_noescape_pair', 0, SLICE, ['any'], 'Instantiate a named class.'),
  row('LIST', 'none', 0, SLICE, ['list'], 'Build a list from the items above the mark.'),
  row('PUT', 'decimalnl_short', 0, [], [], 'Store the top item in the memo (decimal index).'),
  row('SETITEM', 'none', 0, ['dict', 'any', 'any'], ['dict'], 'Set one key in the dict below.'),
  row('TUPLE', 'none', 0, SLICE, ['tuple'], 'Build a tuple from the items above the mark.'),

  row('EMPTY_TUPLE', 'none', 1, [], ['tuple'], 'Push the empty tuple.'),
  row('POP_MARK', 'none', 1, SLICE, [], 'Discard the topmost mark and all items above it.'),
  row('BINFLOAT', 'float8', 1, [], ['float'], 'Push a float from 8 big-endian bytes.'),
  row('BININT', 'int4', 1, [], ['int'], 'Push a signed 4-byte int.'),
  row('BININT1', 'uint1', 1, [], ['int'], 'Push an unsigned 1-byte int.'),
  row('BININT2', 'uint2', 1, [], ['int'], 'Push an unsigned 2-byte int.'),
  row('BINPERSID', 'none', 1, ['any'], ['any'], 'Replace the persistent id on top by its object.'),
  row('BINSTRING', 'string4', 1, [], ['bytes_or_str'], 'Push a Python 2 str, 4-byte length.'),
  row('SHORT_BINSTRING', 'string1', 1, [], ['bytes_or_str'], 'Push a Python 2 str, 1-byte length.'),
  row('BINUNICODE', 'unicodestring4', 1, [], ['str'], 'Push a UTF-8 str, 4-byte length.'),
  row('EMPTY_LIST', 'none', 1, [], ['list'], 'Push an empty list.'),
  row('APPENDS', 'none', 1, ['list', ...SLICE], ['list'], 'Extend the list below the mark.'),
  row('BINGET', 'uint1', 1, [], ['any'], 'Push a memo entry (1-byte index).'),
  row('LONG_BINGET', 'uint4', 1, [], ['any'], 'Push a memo entry (4-byte index).'),
  row('OBJ', 'none', 1, ['mark', 'any', 'stackslice'], ['any'], 'Instantiate the marked class.'),
  row('BINPUT', 'uint1', 1, [], [], 'Store the top item in the memo (1-byte index).'),
  row('LONG_BINPUT', 'uint4', 1, [], [], 'Store the top item in the memo (4-byte index).'),
  row('SETITEMS', 'none', 1, ['dict', ...SLICE], ['dict'], 'Add the pairs above the mark.'),
  row('EMPTY_DICT', 'none', 1, [], ['dict'], 'Push an empty dict.'),

  row('PROTO', 'uint1', 2, [], [], 'Declare the protocol version.'),
  row('NEWOBJ', 'none', 2, ['any', 'any'], ['any'], 'Create an object with cls.__new__(*args).'),
  row('EXT1', 'uint1', 2, [], ['any'], 'Push the extension registered under a 1-byte code.'),
  row('EXT2', 'uint2', 2, [], ['any'], 'Push the extension registered under a 2-byte code.'),
  row('EXT4', 'int4', 2, [], ['any'], 'Push the extension registered under a 4-byte code.'),
  row('TUPLE1', 'none', 2, ['any'], ['tuple'], 'Wrap the top item in a 1-tuple.'),
  row('TUPLE2', 'none', 2, ['any', 'any'], ['tuple'], 'Pack the top two items in a tuple.'),
  row('TUPLE3', 'none', 2, ['any', 'any', 'any'], ['tuple'], 'Pack the top three in a tuple.'),
  row('NEWTRUE', 'none', 2, [], ['bool'], 'Push True.'),
  row('NEWFALSE', 'none', 2, [], ['bool'], 'Push False.'),
  row('LONG1', 'long1', 2, [], ['int'], "Push a two's-complement int, 1-byte length."),
  row('LONG4', 'long4', 2, [], ['int'], "Push a two's-complement int, 4-byte length."),

  row('BINBYTES', 'bytes4', 3, [], ['bytes'], 'Push bytes with a 4-byte length.'),
  row('SHORT_BINBYTES', 'bytes1', 3, [], ['bytes'], 'Push bytes with a 1-byte length.'),

  row('SHORT_BINUNICODE', 'unicodestring1', 4, [], ['str'], 'Push a UTF-8 str, 1-byte length.'),
  row('BINUNICODE8', 'unicodestring8', 4, [], ['str'], 'Push a UTF-8 str, 8-byte length.'),
  row('BINBYTES8', 'bytes8', 4, [], ['bytes'], 'Push bytes with an 8-byte length.'),
  row('EMPTY_SET', 'none', 4, [], ['set'], 'Push an empty set.'),
  row('ADDITEMS', 'none', 4, ['set', ...SLICE], ['set'], 'Add the items above the mark.'),
  row('FROZENSET', 'none', 4, SLICE, ['frozenset'], 'Build a frozenset from the marked items.'),
  row('NEWOBJ_EX', 'none', 4, ['any', 'any', 'any'], ['any'], 'cls.__new__ with args and kwargs.'),
  row('STACK_GLOBAL', 'none', 4, ['str', 'str'], ['any'], 'Push a global named by two strs.'),
  row('MEMOIZE', 'none', 4, ['any'], ['any'], 'Store the top item at the next memo index.'),
  row('FRAME', 'uint8', 4, [], [], 'Announce a frame of the given byte length.'),

  row('BYTEARRAY8', 'bytearray8', 5, [], ['bytearray'], 'Push a bytearray, 8-byte length.'),
  row('NEXT_BUFFER', 'none', 5, [], ['buffer'], 'Push the next out-of-band buffer.'),
  row('READONLY_BUFFER', 'none', 5, ['buffer'], ['buffer'], 'Make the buffer on top read-only.'),
];

/** {@link OPCODE_INFO} indexed by opcode byte; bytes that are not opcodes map to `undefined`. */
export const OPCODE_BY_BYTE: readonly (OpcodeInfo | undefined)[] = (() => {
  const table = new Array<OpcodeInfo | undefined>(256).fill(undefined);
  for (const info of OPCODE_INFO) table[info.code] = info;
  return table;
})();
