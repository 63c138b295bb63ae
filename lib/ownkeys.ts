/**
 * The own keys a copy or a pickle carries for an object, beyond what its kind holds itself: an
 * array's non-index properties, every own key of an Error, enumerable symbols. And the indices a
 * sparse array actually has, so that `a[1e9] = 1` is walked in time proportional to its items.
 */
import { Kind } from './builtins';

/**
 * Whether a property key is an array index.
 *
 * @param k A string key.
 * @returns True for "0", "1", … up to 2^32 - 2.
 */
export function isIndex(k: string): boolean {
  const len = k.length;
  const c = k.charCodeAt(0);
  if (len === 0 || c < 48 || c > 57) return false;
  if (len < 10) {
    // Note: digits alone, no leading zero; fewer than 10 digits is always below 2^32 - 1.
    if (c === 48) return len === 1;
    for (let i = 1; i < len; i++) {
      const d = k.charCodeAt(i);
      if (d < 48 || d > 57) return false;
    }
    return true;
  }
  const n = Number(k);
  // Note: "1.5" reads back as itself but is a property name, not an index.
  return Number.isInteger(n) && n < 4294967295 && String(n) === k;
}

/**
 * The own property keys that make up an object's state, the ones copy, deepcopy and the default
 * reduction carry over: enumerable string keys, then enumerable symbol keys. Errors also keep
 * their non-enumerable `message`, `stack` and `cause`. A built-in's internal parts are not state:
 * array and String indices, and typed-array contents. Extra string-keyed properties are not
 * looked for on typed arrays, nor on exact Arrays of 2^16 items or more without holes: listing
 * them would cost a string per element.
 *
 * @param x The object.
 * @param kind Its kind.
 * @returns The keys, strings first.
 */
export function stateKeys(x: object, kind: Kind): (string | symbol)[] {
  let keys: (string | symbol)[];
  if (kind === Kind.ERROR) {
    keys = Object.getOwnPropertyNames(x);
  } else if (kind === Kind.TYPED_ARRAY || kind === Kind.DATA_VIEW || kind === Kind.ARRAY_BUFFER) {
    keys = [];
  } else if (kind === Kind.ARRAY && isLongPackedArray(x)) {
    // Note: listing a long array's keys makes a string per index (70 ns each at this size, ten
    // times the copy of a number); its extra string-keyed properties are not looked for.
    keys = [];
  } else {
    const names = Object.keys(x);
    keys = kind === Kind.ARRAY || kind === Kind.BOXED ? nonIndexKeys(names, x as { length: number }) : names;
  }
  const symbols = Object.getOwnPropertySymbols(x);
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (kind === Kind.ERROR || Object.prototype.propertyIsEnumerable.call(x, s)) keys.push(s);
  }
  return keys;
}

/**
 * Whether `x` is an exact Array of at least {@link SPARSE_MIN} items with no hole: the arrays
 * whose extra string-keyed properties stateKeys does not look for. Checking every index costs a
 * fraction of a nanosecond each; the answer must not depend on chance (see looksDense).
 */
function isLongPackedArray(x: object): boolean {
  const a = x as unknown[];
  const n = a.length;
  if (n < SPARSE_MIN || Object.getPrototypeOf(a) !== Array.prototype) return false;
  for (let i = 0; i < n; i++) if (!(i in a)) return false;
  return true;
}

/** Arrays at least this long are checked for sparseness before a walk over every index. */
export const SPARSE_MIN = 1 << 16;

/**
 * The indices present in a sparse array (a length far beyond its items, as `a[1e9] = 1` makes),
 * or undefined for an ordinary array, which a loop over its length walks in reasonable time.
 *
 * @param x The array.
 * @returns The present indices, ascending, or undefined.
 */
export function sparseIndices(x: { length: number }): number[] | undefined {
  const n = x.length;
  if (n < SPARSE_MIN || looksDense(x, n)) return undefined;
  const present: number[] = [];
  // Note: indices come first in key order; the first other key ends them.
  for (const k of Object.keys(x)) {
    if (!isIndex(k)) break;
    present.push(Number(k));
  }
  return present.length * 4 < n ? present : undefined;
}

/** Present indices probed before an array is taken as dense without counting its items. */
const PROBES = 64;

/**
 * Whether `PROBES` random indices of `x` are all present. The probes are random because a fixed
 * pattern can be filled on purpose (items at the first, middle and last index of a length of
 * 2^32 - 1 made a copy walk four billion indices); an array with fewer than a quarter of its
 * indices present passes all of them with a chance below 4^-64.
 */
function looksDense(x: { length: number }, n: number): boolean {
  for (let i = 0; i < PROBES; i++) if (!(Math.floor(Math.random() * n) in x)) return false;
  return true;
}

/**
 * `Array.prototype.slice.call(x)`: the items with holes kept, in time proportional to the items
 * when `x` is sparse.
 *
 * @param x The array.
 * @param indices Its {@link sparseIndices}: undefined for an ordinary array.
 * @returns A new Array.
 */
export function sliceArray(x: unknown[], indices: readonly number[] | undefined): unknown[] {
  if (indices === undefined) return Array.prototype.slice.call(x);
  const y: unknown[] = [];
  y.length = x.length;
  for (const i of indices) y[i] = x[i];
  return y;
}

function nonIndexKeys(keys: string[], x: { length: number }): string[] {
  const n = keys.length;
  // Note: indices come first in key order, so when the last key is an index there are no others.
  if (n === 0 || (n <= x.length && isIndex(keys[n - 1]!))) return [];
  // Note: an index at or beyond the length is a real own property (a String object's s[5] = x).
  return keys.filter((k) => !isIndex(k) || Number(k) >= x.length);
}
