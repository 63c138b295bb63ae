/**
 * The JS ⇄ Python type mapping, both directions in one table.
 *
 * Values with a pickle opcode of their own (None, bool, int, float, str, bytes, bytearray, list,
 * tuple, dict, set, frozenset) are written by the pickler directly. Everything else that JS has
 * built in is written as a reduction of a named global: a Python global where Python has the
 * type (Date → `datetime.datetime`, Map → `builtins.dict`, null-prototype object →
 * `collections.OrderedDict`, Error → `builtins.TypeError` …), else a name in the `copyreg_js`
 * module (undefined, array holes, RegExp, typed arrays, …). `NATIVES` holds the JS implementation
 * of each such global; it is also the loader's fixed allow-list of Python globals.
 */
import { Kind, TYPED_ARRAYS, typedArrayBase, withoutStackTrace } from './builtins';
import {
  allocatesPerUnit,
  copiesItems,
  fail,
  itemsOf,
  need,
  optional,
  pyBytearray,
  pyBytes,
  pyDict,
  pyEncode,
  pyFrozenset,
  pyOrderedDict,
  pySet,
} from './natives';
import { stateKeys } from './ownkeys';
import { JS_MODULE, PyGlobal, PyObject } from './pyobjects';
import { newobj, newobjEx, reconstructor } from './reduce';
import type { ReduceValue } from './reduction';

/** The value `copyreg_js.hole` loads as; list-building opcodes turn it into an array hole. */
export const HOLE: unique symbol = Symbol('copyreg.hole');

const NATIVES = new Map<string, unknown>();
const NATIVE_NAMES = new Map<unknown, PyGlobal>();

/** The Python name of each native, for messages. */
const LABELS = new Map<unknown, string>();

function def(module: string, name: string, value: unknown, writable = true): void {
  NATIVES.set(module + '\u0000' + name, value);
  if (!LABELS.has(value)) LABELS.set(value, `${module}.${name}`);
  if (writable && !NATIVE_NAMES.has(value)) NATIVE_NAMES.set(value, new PyGlobal(module, name));
}

/**
 * The JS implementation of an allow-listed global (Python 3 name, after `fix_imports`).
 *
 * @param module The module.
 * @param name The name.
 * @returns `{ value }`, or `undefined` when the global is not in the allow-list.
 */
export function nativeGlobal(module: string, name: string): { value: unknown } | undefined {
  const key = module + '\u0000' + name;
  return NATIVES.has(key) ? { value: NATIVES.get(key) } : undefined;
}

/**
 * Whether a value is one of the allow-list's own natives (which run no code of the user's).
 *
 * @param value A value a global resolved to.
 * @returns True for the natives.
 */
export function isNative(value: unknown): boolean {
  return LABELS.has(value);
}

/**
 * The global name a built-in callable is written under (the inverse of {@link nativeGlobal}).
 *
 * @param fn A callable or singleton.
 * @returns Its name, or `undefined`.
 */
export function nativeName(fn: unknown): PyGlobal | undefined {
  return NATIVE_NAMES.get(fn);
}

/** A JS-only global, `copyreg_js.<name>`. */
export function jsGlobal(name: string): PyGlobal {
  return new PyGlobal(JS_MODULE, name);
}

def('copyreg', '_reconstructor', reconstructor);
def('copyreg', '__newobj__', newobj);
def('copyreg', '__newobj_ex__', newobjEx);
def('builtins', 'object', Object);
def('builtins', 'list', Array);
def('builtins', 'dict', pyDict);
def('builtins', 'set', pySet);
def('builtins', 'frozenset', pyFrozenset);
def('builtins', 'bytes', pyBytes);
def('builtins', 'bytearray', pyBytearray);
def('_codecs', 'encode', pyEncode);
def('collections', 'OrderedDict', pyOrderedDict);

/**
 * The name of a callable for messages: a native's Python name, else the function's own.
 *
 * @param fn The callable.
 * @returns The name.
 */
export function callableName(fn: Function): string {
  return LABELS.get(fn) ?? (fn.name || 'a callable');
}

/** The JS base a native stands for when it is `_reconstructor`'s base argument. */
export const NATIVE_BASES = new Map<unknown, Function>([
  [pyDict, Map],
  [pySet, Set],
  [pyFrozenset, Set],
]);

// --- datetime ---

const DATETIME = new PyGlobal('datetime', 'datetime');
const TIMEZONE = new PyGlobal('datetime', 'timezone');
const TIMEDELTA = new PyGlobal('datetime', 'timedelta');

/** CPython's `datetime.timezone.utc`, one object so that a pickle writes it once. */
export const UTC = new PyObject(TIMEZONE, [new PyObject(TIMEDELTA, [0, 0, 0])]);

function stateBytes(x: unknown, n: number): Uint8Array {
  let b: Uint8Array;
  if (x instanceof Uint8Array) b = x;
  else if (typeof x === 'string') b = pyEncode(x, 'latin1');
  else return fail('datetime state must be bytes');
  if (b.length !== n) fail(`bad datetime state: expected ${n} bytes, got ${b.length}`);
  return b;
}

function isGlobal(x: unknown, g: PyGlobal): boolean {
  return x instanceof PyGlobal && x.module === g.module && x.name === g.name;
}

/** A timezone's UTC offset in microseconds (0 for none). */
function offsetMicros(tz: unknown): number {
  if (tz === undefined || tz === null) return 0;
  if (tz instanceof PyObject && isGlobal(tz.cls, TIMEZONE)) {
    const delta = tz.args[0];
    if (delta instanceof PyObject && isGlobal(delta.cls, TIMEDELTA)) {
      const [d = 0, s = 0, us = 0] = delta.args;
      if (typeof d !== 'number' || typeof s !== 'number' || typeof us !== 'number') fail('bad timedelta in a timezone');
      const micros = (d * 86400 + s) * 1e6 + us;
      // CPython: offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24).
      if (!(Math.abs(d * 86400 + s + us / 1e6) < 86400)) fail('offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)');
      return micros;
    }
  }
  return fail('datetime tzinfo must be a datetime.timezone');
}

/** The time value of Python's datetime fields, all UTC. */
function utcTime(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, h, m, s, ms);
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear keeps them as they are.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, m, s, ms);
  return d.getTime();
}

function pyDatetime(state: unknown, tz?: unknown): Date {
  const b = stateBytes(state, 10);
  const us = (b[7]! << 16) | (b[8]! << 8) | b[9]!;
  // Note: CPython adds 128 to the month byte for fold=1 (the second of a repeated hour).
  const year = (b[0]! << 8) | b[1]!;
  const month = b[2]! & 0x7f;
  checkDate(year, month, b[3]!);
  if (b[4]! > 23 || b[5]! > 59 || b[6]! > 59 || us > 999_999) fail('bad datetime state: time out of range');
  const t = utcTime(year, month, b[3]!, b[4]!, b[5]!, b[6]!, Math.floor(us / 1000));
  // Note: local time minus the offset, in microseconds, floored to milliseconds; in integer parts,
  // since microseconds since 1970 outgrow a double's exact integers after the year 2255.
  const offset = offsetMicros(tz);
  const q = Math.floor(offset / 1000);
  return new Date(t - q - (us % 1000 < offset - q * 1000 ? 1 : 0));
}
function pyDate(state: unknown): Date {
  const b = stateBytes(state, 4);
  const year = (b[0]! << 8) | b[1]!;
  checkDate(year, b[2]!, b[3]!);
  return new Date(utcTime(year, b[2]!, b[3]!));
}
/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Refuses fields that are not a real date in years 1-9999, as CPython's datetime does. */
function checkDate(year: number, month: number, day: number): void {
  if (year < 1 || year > 9999 || month < 1 || month > 12) fail('bad datetime state: date out of range');
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day < 1 || day > MONTH_DAYS[month - 1]! + (leap ? 1 : 0)) fail('bad datetime state: day is out of range for month');
}
function TIMEZONE_NATIVE(offset: unknown, name?: unknown): PyObject {
  return new PyObject(TIMEZONE, name === undefined ? [offset] : [offset, name]);
}
function TIMEDELTA_NATIVE(days = 0, seconds = 0, us = 0): PyObject {
  return new PyObject(TIMEDELTA, [days, seconds, us]);
}
def('datetime', 'datetime', pyDatetime);
def('datetime', 'date', pyDate, false);
def('datetime', 'timezone', TIMEZONE_NATIVE, false);
def('datetime', 'timedelta', TIMEDELTA_NATIVE, false);

/**
 * The `datetime.datetime` reduction of a Date: UTC-aware, microseconds from milliseconds. Dates
 * outside Python's range (years 1-9999) or invalid ones use `copyreg_js.Date` instead.
 *
 * @param d The Date.
 * @returns The reduce value.
 */
export function reduceDate(d: Date): ReduceValue {
  const b = datetimeState(d);
  if (b === undefined) return [JS_DATE, [Date.prototype.getTime.call(d)]] as unknown as ReduceValue;
  return [DATETIME, [b, UTC]] as unknown as ReduceValue;
}

/**
 * The 10-byte state CPython's `datetime` pickles (year, month, day, hour, minute, second,
 * microsecond, big-endian), in UTC.
 *
 * @param d A Date.
 * @returns The bytes, or `undefined` for a Date outside years 1-9999 or invalid.
 */
export function datetimeState(d: Date): Uint8Array | undefined {
  return datetimeStateInto(d, new Uint8Array(10));
}

/**
 * {@link datetimeState} written into `out` (10 bytes), computed from the time value without
 * making Date objects: the pickler calls it once per Date.
 *
 * @param d A Date.
 * @param out Where the 10 bytes go.
 * @returns `out`, or `undefined` for a Date outside years 1-9999 or invalid.
 */
export function datetimeStateInto(d: Date, out: Uint8Array): Uint8Array | undefined {
  const t = Date.prototype.getTime.call(d);
  if (Number.isNaN(t)) return undefined;
  const days = Math.floor(t / MS_PER_DAY);
  let ms = t - days * MS_PER_DAY;
  // Civil date from a day count: shift the epoch to 0000-03-01 so leap days end each 4-, 100- and
  // 400-year cycle, then read the year, the day in it and the month (March = 0) off the cycles.
  const shifted = days + DAYS_0000_03_01_TO_1970;
  const cycle = Math.floor(shifted / DAYS_PER_400Y);
  const dayOfCycle = shifted - cycle * DAYS_PER_400Y;
  const yearOfCycle = Math.floor(
    (dayOfCycle - Math.floor(dayOfCycle / 1460) + Math.floor(dayOfCycle / 36524) - Math.floor(dayOfCycle / 146096)) / 365,
  );
  const dayOfYear = dayOfCycle - (365 * yearOfCycle + Math.floor(yearOfCycle / 4) - Math.floor(yearOfCycle / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfCycle + cycle * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) return undefined;
  const hour = Math.floor(ms / 3_600_000);
  ms -= hour * 3_600_000;
  const minute = Math.floor(ms / 60_000);
  ms -= minute * 60_000;
  const second = Math.floor(ms / 1000);
  const us = (ms - second * 1000) * 1000;
  out[0] = year >> 8;
  out[1] = year & 0xff;
  out[2] = month;
  out[3] = day;
  out[4] = hour;
  out[5] = minute;
  out[6] = second;
  out[7] = us >> 16;
  out[8] = (us >> 8) & 0xff;
  out[9] = us & 0xff;
  return out;
}

const MS_PER_DAY = 86_400_000;
const DAYS_PER_400Y = 146_097;
/** Days from 0000-03-01 (proleptic Gregorian) to 1970-01-01. */
const DAYS_0000_03_01_TO_1970 = 719_468;

// --- Exceptions ---

/** Python exceptions that load as the JS error of the same meaning. */
const ERROR_CLASSES: Readonly<Record<string, ErrorConstructor>> = {
  Exception: Error,
  TypeError,
  SyntaxError,
};
/** Every exception class of Python 3.11's builtins. */
const PY_EXCEPTIONS = [
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'BaseExceptionGroup',
  'BlockingIOError', 'BrokenPipeError', 'BufferError', 'BytesWarning', 'ChildProcessError',
  'ConnectionAbortedError', 'ConnectionError', 'ConnectionRefusedError', 'ConnectionResetError',
  'DeprecationWarning', 'EOFError', 'EncodingWarning', 'EnvironmentError', 'Exception',
  'ExceptionGroup', 'FileExistsError', 'FileNotFoundError', 'FloatingPointError', 'FutureWarning',
  'GeneratorExit', 'IOError', 'ImportError', 'ImportWarning', 'IndentationError', 'IndexError',
  'InterruptedError', 'IsADirectoryError', 'KeyError', 'KeyboardInterrupt', 'LookupError',
  'MemoryError', 'ModuleNotFoundError', 'NameError', 'NotADirectoryError', 'NotImplementedError',
  'OSError', 'OverflowError', 'PendingDeprecationWarning', 'PermissionError', 'ProcessLookupError',
  'RecursionError', 'ReferenceError', 'ResourceWarning', 'RuntimeError', 'RuntimeWarning',
  'StopAsyncIteration', 'StopIteration', 'SyntaxError', 'SyntaxWarning', 'SystemError',
  'SystemExit', 'TabError', 'TimeoutError', 'TypeError', 'UnboundLocalError', 'UnicodeDecodeError',
  'UnicodeEncodeError', 'UnicodeError', 'UnicodeTranslateError', 'UnicodeWarning', 'UserWarning',
  'ValueError', 'Warning', 'ZeroDivisionError',
];

function makeError(ctor: ErrorConstructor, pyName: string | undefined, args: unknown[]): Error {
  const first = args[0];
  // Note: an object argument is not converted (see need()); it stays in `args`.
  const primitive = typeof first !== 'object' && typeof first !== 'function';
  const message = typeof first === 'string' ? first : primitive ? String(first) : '';
  // Note: Python's Exception() has no args; a JS Error made without a message has no own message.
  // Note: no stack of the loader's; BUILD state brings the original's when there is one.
  const e = withoutStackTrace(() => (args.length === 0 ? new ctor() : new ctor(message)));
  if (pyName !== undefined && ERROR_CLASSES[pyName] === undefined) {
    Object.defineProperty(e, 'name', { value: pyName, writable: true, configurable: true });
  }
  if (args.length > 1 || !primitive) {
    Object.defineProperty(e, 'args', { value: args, writable: true, configurable: true });
  }
  return e;
}

for (const name of PY_EXCEPTIONS) {
  const ctor = ERROR_CLASSES[name] ?? Error;
  const fn = { [name]: (...args: unknown[]) => makeError(ctor, name, args) }[name]!;
  def('builtins', name, fn, false);
  NATIVE_BASES.set(fn, ctor);
}

/** The global a built-in JS error class is written as. */
function errorGlobal(e: Error): PyGlobal {
  const proto = Object.getPrototypeOf(e) as object;
  // An Error loaded from a Python exception keeps its Python class name as `name`.
  const own = Object.getOwnPropertyDescriptor(e, 'name');
  if (proto === Error.prototype && typeof own?.value === 'string' && PY_EXCEPTIONS.includes(own.value)) {
    return new PyGlobal('builtins', own.value);
  }
  if (proto === Error.prototype) return new PyGlobal('builtins', 'Exception');
  if (proto === TypeError.prototype) return new PyGlobal('builtins', 'TypeError');
  if (proto === SyntaxError.prototype) return new PyGlobal('builtins', 'SyntaxError');
  return jsGlobal((proto as { name?: string }).name ?? 'Error');
}

// --- JS-only values: the copyreg_js module ---

const JS_DATE = jsGlobal('Date');
def(JS_MODULE, 'undefined', undefined);
def(JS_MODULE, 'hole', HOLE);
def(JS_MODULE, 'Array', () => [] as unknown[], false);
// A Map or Set with own properties (Python's dict and set have no attributes); items follow.
def(JS_MODULE, 'Map', () => new Map(), false);
def(JS_MODULE, 'Set', () => new Set(), false);
def(JS_MODULE, 'Symbol.for', (key: unknown) => Symbol.for(need<string>(key, 'string', 'Symbol.for key')), false);
// Below protocol 4 CPython writes the dotted name as getattr(copyreg_js.Symbol, 'for').
def(JS_MODULE, 'Symbol', Object.freeze({ __doc__: 'copyreg_js.Symbol' }));

/**
 * A JS-only constructor: `copyreg_js.<name>` loads as `make`, and a class extending `ctor` uses it
 * as `_reconstructor`'s base at protocols 0 and 1 (written under that name, rebuilt by `ctor`).
 */
function defBase(name: string, ctor: Function, make: Function): void {
  def(JS_MODULE, name, make, false);
  NATIVE_BASES.set(make, ctor);
  if (!NATIVE_NAMES.has(ctor)) NATIVE_NAMES.set(ctor, jsGlobal(name));
}
defBase('Date', Date, (t: unknown) => new Date(need<number>(t, 'number', 'Date time value')));
defBase('RegExp', RegExp, (source: unknown, flags?: unknown) =>
  new RegExp(need<string>(source, 'string', 'RegExp source'), optional<string>(flags, 'string', 'RegExp flags')));
defBase('Number', Number, (v: unknown) => new Number(need<number>(v, 'number', 'Number value')));
defBase('String', String, (v: unknown) => new String(need<string>(v, 'string', 'String value')));
defBase('Boolean', Boolean, (v: unknown) => new Boolean(need<boolean>(v, 'boolean', 'Boolean value')));
def(JS_MODULE, 'BigInt', (v: unknown) => Object(typeof v === 'number' ? BigInt(v) : need<bigint>(v, 'bigint', 'BigInt value')), false);
defBase('DataView', DataView, (b: unknown, off?: unknown, len?: unknown) =>
  new DataView(buffer(b), optional<number>(off, 'number', 'DataView offset'), optional<number>(len, 'number', 'DataView length')));
for (const ctor of TYPED_ARRAYS) {
  defBase(ctor.name, ctor, (b: unknown, off?: unknown, len?: unknown) => {
    if (off === undefined && len === undefined && typeof b !== 'number') {
      if (b instanceof ArrayBuffer) return new ctor(b);
      const items = Array.from(itemsOf(b, ctor.name), (v) => (typeof v === 'object' ? fail(`${ctor.name} items must be numbers`) : v));
      return new ctor(items as never);
    }
    if (typeof b === 'number') return new ctor(b);
    return new ctor(buffer(b), optional<number>(off, 'number', 'offset'), optional<number>(len, 'number', 'length'));
  });
  allocatesPerUnit(NATIVES.get(JS_MODULE + '\u0000' + ctor.name), ctor.BYTES_PER_ELEMENT);
}

function buffer(b: unknown): ArrayBuffer {
  return b instanceof ArrayBuffer ? b : fail(`expected an ArrayBuffer, not ${typeof b}`);
}
for (const ctor of [Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError]) {
  defBase(ctor.name, ctor, (message: string) => new ctor(message));
}
if (typeof AggregateError === 'function') {
  defBase('AggregateError', AggregateError, (errors: unknown, message?: unknown) =>
    new AggregateError(itemsOf(errors, 'AggregateError'), optional<string>(message, 'string', 'AggregateError message')));
  copiesItems(NATIVES.get(JS_MODULE + '\u0000AggregateError'));
}
// Python's own names win for the bases Python has.
NATIVE_NAMES.set(Map, new PyGlobal('builtins', 'dict'));
NATIVE_NAMES.set(Set, new PyGlobal('builtins', 'set'));
NATIVE_NAMES.set(Error, new PyGlobal('builtins', 'Exception'));
NATIVE_NAMES.set(TypeError, new PyGlobal('builtins', 'TypeError'));
NATIVE_NAMES.set(SyntaxError, new PyGlobal('builtins', 'SyntaxError'));

/**
 * The reduction of an exact JS built-in that has no opcode of its own (SPEC §6's documented
 * mapping). Own properties beyond the built-in's value travel as the state (BUILD).
 *
 * @param x The object.
 * @param kind Its kind.
 * @param state Its own enumerable properties as a plain object, or null.
 * @returns The reduce value, or `undefined` when the kind has no mapping (the caller reports it).
 */
export function reduceBuiltin(x: object, kind: Kind, state: object | null): ReduceValue | undefined {
  switch (kind) {
    case Kind.DATE:
      if (state === null) return reduceDate(x as Date);
      return [JS_DATE, [Date.prototype.getTime.call(x)], state] as unknown as ReduceValue;
    case Kind.REGEXP: {
      const re = x as RegExp;
      const s = re.lastIndex !== 0 ? { ...(state ?? {}), lastIndex: re.lastIndex } : state;
      return [jsGlobal('RegExp'), [re.source, re.flags], s] as unknown as ReduceValue;
    }
    case Kind.ERROR: {
      const e = x as Error;
      // Note: an Error made without a message has no own `message` (Python's Exception() has no args).
      const message = Object.prototype.hasOwnProperty.call(e, 'message') ? [e.message] : [];
      const args = e instanceof AggregateError ? [e.errors, ...message] : message;
      const g = errorGlobal(e);
      let s = state as Record<string, unknown> | null;
      if (s !== null && g.module === 'builtins' && s.name === g.name) {
        // The class carries the name; keeping it as state too would add an attribute.
        const { name: _name, ...rest } = s;
        s = Object.keys(rest).length > 0 ? rest : null;
      }
      if (s !== null && e instanceof AggregateError && 'errors' in s) {
        const { errors: _errors, ...rest } = s;
        s = Object.keys(rest).length > 0 ? rest : null;
      }
      return [g, args, s] as unknown as ReduceValue;
    }
    case Kind.TYPED_ARRAY: {
      const ta = x as Uint8Array;
      return [jsGlobal(typedArrayBase(x).name), [ta.buffer, ta.byteOffset, ta.length], state] as unknown as ReduceValue;
    }
    case Kind.DATA_VIEW: {
      const dv = x as DataView;
      return [jsGlobal('DataView'), [dv.buffer, dv.byteOffset, dv.byteLength], state] as unknown as ReduceValue;
    }
    case Kind.BOXED: {
      const v = (x as { valueOf(): unknown }).valueOf();
      if (typeof v === 'symbol') return undefined;
      const name = typeof v === 'number' ? 'Number' : typeof v === 'string' ? 'String' : typeof v === 'bigint' ? 'BigInt' : 'Boolean';
      return [jsGlobal(name), [v], state] as unknown as ReduceValue;
    }
    default:
      return undefined;
  }
}

/** The global an array hole is written as. */
export const HOLE_GLOBAL = jsGlobal('hole');
/** The global `undefined` is written with. */
export const UNDEFINED_GLOBAL = jsGlobal('undefined');
/** The global `Symbol.for(key)` is written with. */
export const SYMBOL_FOR = jsGlobal('Symbol.for');
/** The global an Array with extra own properties is written with. */
export const JS_ARRAY = jsGlobal('Array');
/** The global a Map with own properties is written with. */
export const JS_MAP = jsGlobal('Map');
/** The global a Set with own properties is written with. */
export const JS_SET = jsGlobal('Set');
/** The global a Map with string keys (`builtins.dict()`) is written with. */
export const DICT = new PyGlobal('builtins', 'dict');
/** The global a null-prototype object is written with. */
export const ORDERED_DICT = new PyGlobal('collections', 'OrderedDict');
/** The global a Set below protocol 4 is written with. */
export const SET = new PyGlobal('builtins', 'set');
/** The global a frozen Set below protocol 4 is written with. */
export const FROZENSET = new PyGlobal('builtins', 'frozenset');
/** The global empty bytes below protocol 3 is written with. */
export const BYTES = new PyGlobal('builtins', 'bytes');
/** The global an ArrayBuffer below protocol 5 is written with. */
export const BYTEARRAY = new PyGlobal('builtins', 'bytearray');
/** The global bytes below protocol 3 (`_codecs.encode(text, 'latin1')`) is written with. */
export const CODECS_ENCODE = new PyGlobal('_codecs', 'encode');
/** The global a dotted global below protocol 4 (`getattr(parent, name)`) is written with. */
export const GETATTR = new PyGlobal('builtins', 'getattr');
/** The global NEWOBJ_EX at protocols 2-3 (`functools.partial(cls.__new__, …)`) is written with. */
export const PARTIAL = new PyGlobal('functools', 'partial');

/** A plain object's own state entries, for an OrderedDict's dict items. */
export function ownEntries(obj: object): [string | symbol, unknown][] {
  const keys = stateKeys(obj, Kind.PLAIN);
  return keys.map((k) => [k, (obj as Record<string | symbol, unknown>)[k]]);
}

/** A built-in's own properties as a state dict (an Error's message is in its arguments), or null. */
export function ownState(obj: object, kind: Kind): object | null {
  const keys = stateKeys(obj, kind);
  const skip = kind === Kind.ERROR ? 'message' : undefined;
  let state: Record<string | symbol, unknown> | null = null;
  for (const k of keys) {
    if (k === skip) continue;
    state ??= {};
    state[k] = (obj as Record<string | symbol, unknown>)[k];
  }
  return state;
}

