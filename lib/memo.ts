/**
 * An identity memo faster than a `Map` for one walk over an object graph.
 *
 * deepcopy looks up and records every object it meets. A `Map` keyed by objects costs much of a
 * copy's time once the graph has thousands of objects (hashing, growing the table, and the
 * garbage that leaves). Here each object instead carries one hidden private
 * field, a small integer: its position in this walk's own arrays of originals and results. A
 * stamp is trusted only when the originals array holds that very object at that position, so
 * stamps left by earlier walks, or by walks that were abandoned, are harmless.
 *
 * Private fields are invisible to JavaScript code (no key, no descriptor, no proxy trap, not in
 * JSON or `util.inspect`), so the objects behave exactly as before. They do show in browser
 * DevTools as `#copyregMemo`. The stamp is a small integer and keeps nothing alive.
 *
 * Only one walk may stamp at a time (a nested walk, e.g. a hook that calls `deepcopy`, would
 * overwrite the outer walk's stamps), so {@link StampedMemo.acquire} hands out at most one memo
 * at a time and nested walks use a `Map`.
 */

/** The base whose constructor returns its argument, so a subclass can add a field to any object. */
class Identity {
  constructor(o: object) {
    return o;
  }
}

/** Reads and writes the hidden stamp. */
class Stamp extends Identity {
  #copyregMemo = -1;

  /** The stamp on `o`, or -1 when it has none. */
  static read(o: object): number {
    return #copyregMemo in o ? (o as Stamp).#copyregMemo : -1;
  }

  /** Sets the stamp on `o` (adding the field the first time). */
  static write(o: object, index: number): void {
    if (!(#copyregMemo in o)) new Stamp(o);
    (o as Stamp).#copyregMemo = index;
  }
}

/** The lookups a walker needs; `Map` has them too, so a caller's own memo serves as is. */
export interface IdentityMemo<V = unknown> {
  get(key: unknown): V | undefined;
  set(key: unknown, value: V): unknown;
}

let inUse = false;

/**
 * An identity memo that keeps its entries in arrays and finds them through stamps. Keys that
 * cannot carry a stamp (primitives such as symbols, non-extensible objects) go to a `Map`.
 */
export class StampedMemo<V = unknown> implements IdentityMemo<V> {
  private readonly keys: object[] = [];
  private readonly values: V[] = [];
  private readonly others = new Map<unknown, V>();
  private released = false;

  private constructor() {}

  /** A memo for a new walk, or undefined while another walk holds one (use a `Map` then). */
  static acquire<V = unknown>(): StampedMemo<V> | undefined {
    if (inUse) return undefined;
    inUse = true;
    return new StampedMemo<V>();
  }

  /** Ends this memo's walk; another walk may then stamp. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    inUse = false;
  }

  /** The value recorded for `key`, or undefined. */
  get(key: unknown): V | undefined {
    if (typeof key === 'object' ? key !== null : typeof key === 'function') {
      const i = Stamp.read(key as object);
      if (i >= 0 && this.keys[i] === key) return this.values[i];
    }
    return this.others.size === 0 ? undefined : this.others.get(key);
  }

  /** Records `value` for `key` (a later call for the same key replaces it). */
  set(key: unknown, value: V): this {
    const stampable = typeof key === 'object' ? key !== null : typeof key === 'function';
    if (stampable && Object.isExtensible(key)) this.setExtensible(key as object, value);
    else this.others.set(key, value);
    return this;
  }

  /** {@link set} for an object the caller has just seen to be extensible. */
  setExtensible(key: object, value: V): void {
    const i = Stamp.read(key);
    if (i >= 0 && this.keys[i] === key) this.values[i] = value;
    else this.add(key, value);
  }

  /**
   * Records an extensible object that has no entry yet (the caller has just looked it up).
   * Recording one twice leaves a stale entry that lookups skip but iteration would show.
   */
  add(key: object, value: V): void {
    try {
      Stamp.write(key, this.keys.length);
    } catch {
      // Engines may refuse new private fields on some exotic objects (a browser's global proxy).
      this.others.set(key, value);
      return;
    }
    this.keys.push(key);
    this.values.push(value);
  }

  /** The entries, in the order they were first recorded (stamped keys first). */
  *[Symbol.iterator](): IterableIterator<[unknown, V]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i], this.values[i]!];
    yield* this.others;
  }

  /** The entries as a `Map` (for hooks that take the memo). */
  toMap(): Map<unknown, V> {
    return new Map(this);
  }
}

/**
 * Memos up to this size stay `Map`s: stamping adds a field to each object the first time, which
 * a copy of a handful of new objects does not earn back. Past it, stamps win even on graphs of
 * many shapes (measured on the bench workloads: a threshold of 2048 was 5-20% slower).
 */
export const STAMP_THRESHOLD = 32;

/**
 * Moves a Map memo's entries into a new {@link StampedMemo}, or returns undefined (leaving the
 * Map as it is) while another walk holds the stamps.
 */
export function stampAll<V>(map: ReadonlyMap<unknown, V>): StampedMemo<V> | undefined {
  const stamped = StampedMemo.acquire<V>();
  if (stamped === undefined) return undefined;
  for (const [k, v] of map) stamped.set(k, v);
  return stamped;
}
