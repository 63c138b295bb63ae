/**
 * Checks that a copy (or a serialization round trip) of a workload is faithful.
 *
 * Two layers: {@link compareGraphs} walks the input and the copy in lockstep
 * and checks every object generically; each workload then adds a few explicit
 * assertions (see `workloads.ts`) that spell out what "sharing" or "cycles"
 * means for that data, so a verdict never rests on the generic walk alone.
 */

/** Verdict for one fidelity property; `n/a` when the workload does not exercise it. */
export type Verdict = 'yes' | 'no' | 'n/a';

/** Fidelity of one copy of a workload. */
export interface Fidelity {
  /** Same data, and no object of the input is reachable from the copy (a real deep copy). */
  values: Verdict;
  /** Class instances, Map, Set and Date keep their prototype. */
  prototypes: Verdict;
  /** Two references to one object in the input are one object in the copy. */
  sharing: Verdict;
  /** Cyclic input is copied, and the copy's cycles close inside the copy. */
  cycles: Verdict;
  /** First reason each property failed, for debugging (`BENCH_DETAILS=1` prints them). */
  details: Partial<Record<FidelityProperty, string>>;
}

/** Names of the fidelity properties, in table order. */
export const FIDELITY_PROPERTIES = ['values', 'prototypes', 'sharing', 'cycles'] as const;

/** One of {@link FIDELITY_PROPERTIES}. */
export type FidelityProperty = (typeof FIDELITY_PROPERTIES)[number];

/** Result of {@link compareGraphs}: `undefined` means the property holds, a string says why not. */
export interface GraphComparison {
  values?: string;
  prototypes?: string;
  sharing?: string;
}

type AnyObject = object;

function isObject(x: unknown): x is AnyObject {
  return (typeof x === 'object' && x !== null) || typeof x === 'function';
}

const tagOf = (x: unknown): string => Object.prototype.toString.call(x);

/**
 * Walks `input` and `output` in lockstep (iteratively, so million-deep
 * structures are fine) and reports whether
 * - `values`: every primitive matches, every container has the same kind and
 *   shape (own enumerable keys, array length, Map/Set entries in order, Date
 *   time), and no object of the input appears in the output;
 * - `prototypes`: every pair of objects has the same prototype;
 * - `sharing`: the pairing of input and output objects is one-to-one, i.e.
 *   nothing shared was duplicated and nothing distinct was merged.
 *
 * Functions are compared by identity (copiers share them by design).
 */
export function compareGraphs(input: unknown, output: unknown): GraphComparison {
  const result: GraphComparison = {};
  const inputObjects = collectObjects(input);
  const copyOf = new Map<AnyObject, AnyObject>(); // input object -> first output object paired with it
  const originalOf = new Map<AnyObject, AnyObject>(); // output object -> input object paired with it
  const stack: [unknown, unknown][] = [[input, output]];

  const fail = (property: keyof GraphComparison, why: string): void => {
    result[property] ??= why;
  };

  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    if (!isObject(a) || typeof a === 'function') {
      if (!Object.is(a, b)) fail('values', `expected ${describe(a)}, got ${describe(b)}`);
      continue;
    }
    if (!isObject(b)) {
      fail('values', `expected ${describe(a)}, got ${describe(b)}`);
      continue;
    }
    if (inputObjects.has(b)) {
      // The copy reaches back into the input (e.g. a cycle closed on the original).
      fail('values', `copy contains an object of the input (${describe(b)})`);
      continue;
    }

    const pairedInput = originalOf.get(b);
    if (pairedInput !== undefined) {
      if (pairedInput !== a) fail('sharing', `one copied ${describe(b)} stands for two input objects`);
      continue; // already compared
    }
    originalOf.set(b, a);
    const firstCopy = copyOf.get(a);
    if (firstCopy === undefined) copyOf.set(a, b);
    else fail('sharing', `a shared ${describe(a)} was copied more than once`);

    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
      fail('prototypes', `${describe(a)} copied as ${describe(b)}`);
    }

    const tag = tagOf(a);
    if (tag !== tagOf(b)) {
      fail('values', `${describe(a)} copied as ${describe(b)}`);
      continue;
    }
    if (a instanceof Date) {
      if (!Object.is(a.getTime(), (b as Date).getTime())) fail('values', 'Date time differs');
    } else if (a instanceof Map) {
      const bm = b as Map<unknown, unknown>;
      if (a.size !== bm.size) fail('values', 'Map size differs');
      const bEntries = [...bm];
      let i = 0;
      for (const [k, v] of a) {
        const e = bEntries[i++];
        if (!e) break;
        stack.push([k, e[0]], [v, e[1]]);
      }
    } else if (a instanceof Set) {
      const bs = b as Set<unknown>;
      if (a.size !== bs.size) fail('values', 'Set size differs');
      const bValues = [...bs];
      let i = 0;
      for (const v of a) {
        if (i >= bValues.length) break;
        stack.push([v, bValues[i++]]);
      }
    } else if (Array.isArray(a)) {
      const ba = b as unknown[];
      if (a.length !== ba.length) fail('values', `array length ${a.length} copied as ${ba.length}`);
      for (let i = 0; i < a.length; i++) stack.push([a[i], ba[i]]);
    } else if (tag === '[object Object]') {
      const aKeys = Object.keys(a);
      const bKeys = Object.keys(b);
      if (aKeys.length !== bKeys.length) fail('values', `keys ${aKeys} copied as ${bKeys}`);
      const ar = a as Record<string, unknown>;
      const br = b as Record<string, unknown>;
      for (const k of aKeys) {
        if (!Object.prototype.hasOwnProperty.call(b, k)) fail('values', `key ${k} missing`);
        else stack.push([ar[k], br[k]]);
      }
    } else if (String(a) !== String(b)) {
      // Other built-ins (RegExp, typed arrays...) are not in our workloads; a cheap check suffices.
      fail('values', `${tag} differs`);
    }
  }
  return result;
}

/** All objects reachable from `root` through own enumerable properties and Map/Set entries. */
export function collectObjects(root: unknown): Set<AnyObject> {
  const seen = new Set<AnyObject>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const x = stack.pop();
    if (!isObject(x) || typeof x === 'function' || seen.has(x)) continue;
    seen.add(x);
    if (x instanceof Map) {
      for (const [k, v] of x) stack.push(k, v);
    } else if (x instanceof Set) {
      for (const v of x) stack.push(v);
    } else {
      for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
    }
  }
  return seen;
}

/** Short description of a value for failure details. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'function') return `function ${x.name}`;
  if (typeof x !== 'object') return typeof x === 'string' ? JSON.stringify(x.slice(0, 20)) : String(x);
  const proto = Object.getPrototypeOf(x);
  const name = proto === null ? 'null-prototype object' : (proto.constructor?.name ?? 'object');
  return name === 'Object' ? 'plain Object' : name;
}

/**
 * Accumulates explicit per-workload assertions: `expect(property, ok, why)`
 * records the first failure of each property.
 */
export class Expectations {
  readonly failures: Partial<Record<FidelityProperty, string>> = {};

  /** Records `why` as the failure of `property` unless `ok` (keeps the first failure only). */
  expect(property: FidelityProperty, ok: boolean, why: string): void {
    if (!ok) this.failures[property] ??= why;
  }
}

/**
 * Combines the generic walk with a workload's explicit assertions into a
 * {@link Fidelity}; properties not in `applicable` are `n/a`.
 */
export function verdict(
  applicable: readonly FidelityProperty[],
  generic: GraphComparison,
  explicit: Expectations,
): Fidelity {
  const details: Partial<Record<FidelityProperty, string>> = {};
  const judge = (p: FidelityProperty): Verdict => {
    if (!applicable.includes(p)) return 'n/a';
    const why = explicit.failures[p] ?? (p === 'cycles' ? undefined : generic[p]);
    if (why === undefined) return 'yes';
    details[p] = why;
    return 'no';
  };
  return {
    values: judge('values'),
    prototypes: judge('prototypes'),
    sharing: judge('sharing'),
    cycles: judge('cycles'),
    details,
  };
}

/** Fidelity of a copier that threw or was skipped: nothing could be checked. */
export function unknownFidelity(): Fidelity {
  return { values: 'n/a', prototypes: 'n/a', sharing: 'n/a', cycles: 'n/a', details: {} };
}
