// Property tests: for arbitrary graphs of JS values, with shared references and cycles added
// after generation, deepcopy(x) is isomorphic to x (same shape, same primitives by Object.is, same
// prototypes, the same sharing pattern) and shares no object with it; copy(x) is a new top-level
// container holding the very same children.
import { expect } from 'chai';
import fc from 'fast-check';

import { copy, deepcopy } from '../lib/index';

/**
 * A value to build, as plain data: fast-check's generated values are never mutated (shrinking
 * reuses them), so each run builds fresh objects from the description and then adds the extra
 * references.
 */
type Desc =
  | { readonly t: 'prim'; readonly v: unknown }
  | { readonly t: 'array'; readonly items: readonly Desc[] }
  | {
      readonly t: 'object';
      readonly entries: readonly (readonly [string, Desc])[];
      readonly nullProto: boolean;
    }
  | { readonly t: 'map'; readonly entries: readonly (readonly [Desc, Desc])[] }
  | { readonly t: 'set'; readonly items: readonly Desc[] }
  | { readonly t: 'date'; readonly time: number };

/** An extra reference: `from` gets a reference to `to` (indices modulo the objects built). */
interface Edge {
  readonly from: number;
  readonly to: number;
  readonly key: string;
  readonly asKey: boolean;
}

const primitive = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, NaN, Infinity, -Infinity, 0.5),
  fc.bigInt(),
  fc.string({ maxLength: 5 }),
  fc.boolean(),
  fc.constant(undefined),
  fc.constant(null),
);

const { value: descArb } = fc.letrec<{ value: Desc }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive.map((v): Desc => ({ t: 'prim', v })),
    fc.sparseArray(tie('value'), { maxLength: 5 }).map((items): Desc => ({ t: 'array', items })),
    fc
      .tuple(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), tie('value')), {
          selector: (e) => e[0],
          maxLength: 4,
        }),
        fc.boolean(),
      )
      .map(([entries, nullProto]): Desc => ({ t: 'object', entries, nullProto })),
    fc
      .array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 })
      .map((entries): Desc => ({ t: 'map', entries })),
    fc.array(tie('value'), { maxLength: 3 }).map((items): Desc => ({ t: 'set', items })),
    fc
      .oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constant(NaN))
      .map((time): Desc => ({ t: 'date', time })),
  ),
}));

const edgesArb = fc.array(
  fc.record({
    from: fc.nat(),
    to: fc.nat(),
    key: fc.string({ maxLength: 3 }),
    asKey: fc.boolean(),
  }),
  { maxLength: 8 },
);

/** Builds a fresh value from a description, listing the objects and the containers it made. */
function build(d: Desc, objects: object[], containers: object[]): unknown {
  switch (d.t) {
    case 'prim':
      return d.v;
    case 'date': {
      const date = new Date(d.time);
      objects.push(date);
      return date;
    }
    case 'array': {
      const arr = new Array<unknown>(d.items.length);
      objects.push(arr);
      containers.push(arr);
      d.items.forEach((item, i) => (arr[i] = build(item, objects, containers)));
      return arr;
    }
    case 'object': {
      const obj = (d.nullProto ? Object.create(null) : {}) as Record<string, unknown>;
      objects.push(obj);
      containers.push(obj);
      for (const [k, v] of d.entries) {
        // defineProperty, so that a generated '__proto__' key is an own property.
        const value = build(v, objects, containers);
        Object.defineProperty(obj, k, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
      return obj;
    }
    case 'map': {
      const map = new Map<unknown, unknown>();
      objects.push(map);
      containers.push(map);
      for (const [k, v] of d.entries) {
        map.set(build(k, objects, containers), build(v, objects, containers));
      }
      return map;
    }
    case 'set': {
      const set = new Set<unknown>();
      objects.push(set);
      containers.push(set);
      for (const item of d.items) set.add(build(item, objects, containers));
      return set;
    }
  }
}

/** Adds the extra references: sharing between containers, and cycles when one reaches back. */
function addEdges(edges: readonly Edge[], objects: object[], containers: object[]): void {
  if (containers.length === 0) return;
  for (const { from, to, key, asKey } of edges) {
    const target = containers[from % containers.length]!;
    const ref = objects[to % objects.length]!;
    if (Array.isArray(target)) target.push(ref);
    else if (target instanceof Map) {
      if (asKey) target.set(ref, key);
      else target.set(key, ref);
    } else if (target instanceof Set) target.add(ref);
    else {
      Object.defineProperty(target, `ref:${key}`, {
        value: ref,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
}

/** The parts of a container in a fixed order: [label, value] pairs (Map keys are parts too). */
function parts(x: object): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (x instanceof Map) {
    let i = 0;
    for (const [k, v] of x) {
      out.push([`key ${i}`, k], [`value ${i}`, v]);
      i++;
    }
  } else if (x instanceof Set) {
    let i = 0;
    for (const v of x) out.push([`item ${i++}`, v]);
  } else if (!(x instanceof Date)) {
    for (const k of Reflect.ownKeys(x)) {
      if (Array.isArray(x) && k === 'length') continue;
      const desc = Object.getOwnPropertyDescriptor(x, k)!;
      out.push([String(k), desc.value]);
    }
  }
  return out;
}

/** A short description of a value for failure messages. */
function kindName(x: unknown): string {
  if (typeof x !== 'object' || x === null) return typeof x;
  return Object.prototype.toString.call(x);
}

/**
 * Checks that `y` is an isomorphic copy of `x`: walking both in parallel, primitives are equal by
 * Object.is, objects have the same prototype, kind, keys (in order), size and time, and the
 * mapping original → copy is a bijection onto objects that are not originals.
 */
function expectIsomorphicCopy(x: unknown, y: unknown): void {
  const forward = new Map<object, object>();
  const backward = new Map<object, object>();
  const work: [unknown, unknown, string][] = [[x, y, '$']];
  while (work.length > 0) {
    const [a, b, path] = work.pop()!;
    if (typeof a !== 'object' || a === null) {
      expect(Object.is(a, b), `${path}: ${String(a)} vs ${String(b)}`).to.equal(true);
      continue;
    }
    const isObject = typeof b === 'object' && b !== null;
    expect(isObject, `${path}: object copied to ${kindName(b)}`).to.equal(true);
    const bo = b as object;
    const seen = forward.get(a);
    if (seen !== undefined) {
      expect(seen === bo, `${path}: sharing not preserved`).to.equal(true);
      continue;
    }
    expect(backward.has(bo), `${path}: two originals copied to one object`).to.equal(false);
    forward.set(a, bo);
    backward.set(bo, a);
    const sameProto = Object.getPrototypeOf(bo) === Object.getPrototypeOf(a);
    expect(sameProto, `${path}: prototype`).to.equal(true);
    expect(kindName(bo), path).to.equal(kindName(a));
    if (a instanceof Date) {
      expect(Object.is((bo as Date).getTime(), a.getTime()), `${path}: time`).to.equal(true);
    }
    if (Array.isArray(a)) expect((bo as unknown[]).length, `${path}: length`).to.equal(a.length);
    const pa = parts(a);
    const pb = parts(bo);
    expect(pb.map((p) => p[0]), `${path}: keys`).to.deep.equal(pa.map((p) => p[0]));
    pa.forEach(([label, v], i) => work.push([v, pb[i]![1], `${path}.${label}`]));
  }
  for (const copied of backward.keys()) {
    expect(forward.has(copied), 'the copy shares an object with the original').to.equal(false);
  }
}

/** Checks a shallow copy: a new top-level object whose parts are the very same values. */
function expectShallowCopy(x: unknown, y: unknown): void {
  if (typeof x !== 'object' || x === null) {
    expect(Object.is(x, y)).to.equal(true);
    return;
  }
  expect(y).to.not.equal(x);
  expect(Object.getPrototypeOf(y)).to.equal(Object.getPrototypeOf(x));
  expect(kindName(y)).to.equal(kindName(x));
  if (x instanceof Date) expect(Object.is((y as Date).getTime(), x.getTime())).to.equal(true);
  if (Array.isArray(x)) expect((y as unknown[]).length).to.equal(x.length);
  const px = parts(x);
  const py = parts(y as object);
  expect(py.map((p) => p[0])).to.deep.equal(px.map((p) => p[0]));
  px.forEach(([label, v], i) => expect(Object.is(py[i]![1], v), label).to.equal(true));
}

describe('properties', () => {
  it('deepcopy(x) is isomorphic to x and shares no object with it', () => {
    fc.assert(
      fc.property(descArb, edgesArb, (desc, edges) => {
        const objects: object[] = [];
        const containers: object[] = [];
        const x = build(desc, objects, containers);
        addEdges(edges, objects, containers);
        expectIsomorphicCopy(x, deepcopy(x));
      }),
      { numRuns: 200 },
    );
  });

  it('deepcopy keeps sharing between two roots copied with one memo', () => {
    fc.assert(
      fc.property(descArb, edgesArb, (desc, edges) => {
        const objects: object[] = [];
        const containers: object[] = [];
        const x = build(desc, objects, containers);
        addEdges(edges, objects, containers);
        const memo = new Map<unknown, unknown>();
        const y = deepcopy(x, memo);
        // Every original object reached is in the memo, and copying it again gives that copy.
        for (const o of objects) {
          if (memo.has(o)) expect(deepcopy(o, memo)).to.equal(memo.get(o));
        }
        expectIsomorphicCopy([x, objects], [y, objects.map((o) => deepcopy(o, memo))]);
      }),
      { numRuns: 100 },
    );
  });

  it('copy(x) is a new top-level container holding the same children', () => {
    fc.assert(
      fc.property(descArb, edgesArb, (desc, edges) => {
        const objects: object[] = [];
        const containers: object[] = [];
        const x = build(desc, objects, containers);
        addEdges(edges, objects, containers);
        expectShallowCopy(x, copy(x));
      }),
      { numRuns: 200 },
    );
  });
});
