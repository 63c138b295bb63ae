/**
 * Classes the reduce specs (reduce.spec.ts, reduce-default.spec.ts) reduce and rebuild.
 */

/** An ordinary class whose constructor leaves a mark (`ran`), so a spec can tell it did not run. */
export class Point {
  ran = true;
  constructor(
    public x = 0,
    public y = 0,
  ) {}
}

/** Subclasses of the built-ins with items or an internal value. */
export class Stack extends Array<unknown> {}
export class Stamp extends Date {}
export class Dict extends Map<unknown, unknown> {}
