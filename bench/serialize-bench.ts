/**
 * Serialization comparison: a round trip (serialize, then deserialize) through
 * copyreg's `dumps`/`loads` against JSON, v8, superjson, devalue, seroval,
 * msgpackr (structured clone), class-transformer and CPython's C pickle, on
 * the same workloads as the copy bench. Reports time per round trip (and its
 * two halves), output size, and the fidelity of the round-tripped value.
 *
 * CPython runs in a child process (bench/python/pickle_roundtrip.py): it
 * receives copyreg's protocol-5 pickle of the workload, so both sides time
 * exactly the same data, and it checks its own round trip's fidelity.
 */

import 'reflect-metadata';

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

import * as devalue from 'devalue';
import { instanceToPlain, plainToInstance, Type } from 'class-transformer';
import { addExtension as addMsgpackrExtension, Packr } from 'msgpackr';
import { createPlugin, createReference, deserialize as serovalDeserialize, serialize as serovalSerialize } from 'seroval';
import { SuperJSON } from 'superjson';

import { constructor, dumps, loads } from '../lib/index';
import {
  BenchUsageError,
  clearProgress,
  describeError,
  errorLabel,
  formatCount,
  formatDuration,
  formatRatio,
  isStackOverflow,
  measure,
  progress,
  renderTable,
  tick,
  type Column,
  type MeasureOptions,
  type Measurement,
} from './harness';
import { FIDELITY_PROPERTIES, unknownFidelity, type Fidelity, type FidelityProperty, type Verdict } from './fidelity';
import {
  Address,
  Customer,
  DOMAIN_CLASSES,
  LineItem,
  measureSize,
  Order,
  Product,
  Store,
  WORKLOADS,
  type Workload,
} from './workloads';

// ---------------------------------------------------------------------------
// Systems under test
// ---------------------------------------------------------------------------

type Encoded = string | Uint8Array;

/** A serializer under test: `decode(encode(x))` is one round trip. */
export interface Serializer {
  name: string;
  encode: (x: unknown, workload: Workload) => Encoded;
  decode: (data: Encoded, workload: Workload) => unknown;
  /** Documented behaviour and how it is set up, printed once above the tables. */
  note: string;
}

type DomainClass = (typeof DOMAIN_CLASSES)[number];

/** Name of our implementation in tables and summaries. */
export const OURS = 'copyreg';
/** The CPython reference (run in a child process, not through {@link Serializer}). */
export const CPYTHON = 'CPython pickle';
/** Peers copyreg should beat by {@link TARGET_SPEEDUP} or more. */
const JSON_PEERS = ['superjson', 'devalue', 'seroval'] as const;
const TARGET_SPEEDUP = 3;
/** The binary structured-clone peer copyreg should stay within {@link MSGPACKR_SLACK} of. */
const MSGPACKR = 'msgpackr (structuredClone)';
const MSGPACKR_SLACK = 1.5;

// copyreg: declaring the classes loadable is what `@constructor` does; the
// default reduction then writes NEWOBJ + BUILD (no constructor call on load).
// Names are `__main__.<class>`, where the Python script defines them.
for (const cls of DOMAIN_CLASSES) constructor(cls);

// superjson: one private instance, default options (no dedupe), classes registered.
const superjson = new SuperJSON();
for (const cls of DOMAIN_CLASSES) superjson.registerClass(cls, { identifier: cls.name });

// devalue: a reducer/reviver pair per class: own properties as a plain object,
// revived with the class's prototype (the constructor is never called).
const devalueReducers: Record<string, (value: unknown) => unknown> = {};
const devalueRevivers: Record<string, (value: any) => unknown> = {};
for (const cls of DOMAIN_CLASSES) {
  devalueReducers[cls.name] = (value) => value instanceof cls && { ...value };
  devalueRevivers[cls.name] = (fields: object) => Object.assign(Object.create(cls.prototype), fields);
}

// seroval: `serialize` emits JavaScript that `deserialize` evaluates, so a
// class is referenced through createReference (a global registry) and each
// instance is rebuilt as Object.assign(Object.create(Class.prototype), fields).
const serovalPlugins = DOMAIN_CLASSES.map((cls) => {
  const ref = createReference(`bench.${cls.name}`, cls);
  return createPlugin<object, { cls: any; fields: any }>({
    tag: `bench/${cls.name}`,
    skipPlainObjects: true,
    test: (value) => value instanceof cls,
    parse: { sync: (value, ctx) => ({ cls: ctx.parse(ref), fields: ctx.parse({ ...value }) }) },
    // Parenthesised: seroval may emit the reference as an assignment (`k=…`) when reused.
    serialize: (node, ctx) => `Object.assign(Object.create((${ctx.serialize(node.cls)}).prototype),${ctx.serialize(node.fields)})`,
    deserialize: (node, ctx) =>
      Object.assign(Object.create((ctx.deserialize(node.cls) as DomainClass).prototype), ctx.deserialize(node.fields)),
  });
});

// msgpackr: structured clone (references, cycles, Map/Set/Date), plus one
// extension per class (registered globally, as msgpackr does) in the README's
// idiom: `write` returns the instance itself (encoded as a map), `read` sets
// the prototype back on the decoded object.
const packr = new Packr({ structuredClone: true, moreTypes: true });
DOMAIN_CLASSES.forEach((cls, i) => {
  addMsgpackrExtension({
    Class: cls,
    type: 40 + i,
    write: (instance: object) => instance,
    read: (fields: object) => Object.setPrototypeOf(fields, cls.prototype),
  });
});

// class-transformer: what `@Type(() => X)` plus `emitDecoratorMetadata` would
// record on the classes, applied at runtime (the workload classes are shared
// with the copy bench and carry no decorators).
function typed(cls: Function, prop: string, designType: Function, elementType?: () => Function): void {
  Reflect.defineMetadata('design:type', designType, cls.prototype, prop);
  if (elementType) Type(elementType)(cls.prototype, prop);
}
typed(Store, 'customers', Array, () => Customer);
typed(Store, 'products', Array, () => Product);
typed(Store, 'orders', Array, () => Order);
typed(Store, 'productsBySku', Map, () => Product);
typed(Customer, 'address', Address, () => Address);
typed(Customer, 'since', Date, () => Date);
typed(Customer, 'orders', Set, () => Order);
typed(Product, 'categories', Set, () => String);
typed(Product, 'attributes', Map);
typed(LineItem, 'product', Product, () => Product);
typed(Order, 'customer', Customer, () => Customer);
typed(Order, 'placedAt', Date, () => Date);
typed(Order, 'shippingAddress', Address, () => Address);
typed(Order, 'items', Array, () => LineItem);

/** Root class of each workload for class-transformer (plain data maps to Object). */
const ROOT_CLASS: Record<string, Function> = { domainModel: Store };

const encoder = new TextEncoder();

/** Every system, in table order (CPython is added separately). Options are the defaults unless noted. */
export const SERIALIZERS: readonly Serializer[] = [
  {
    name: OURS,
    encode: (x) => dumps(x),
    decode: (b) => loads(b as Uint8Array),
    note: '`loads(dumps(x))`, protocol 5; domain classes declared with `constructor(Class)` (default reduction: NEWOBJ + BUILD).',
  },
  {
    name: 'JSON',
    encode: (x) => JSON.stringify(x),
    decode: (s) => JSON.parse(s as string),
    note: '`JSON.parse(JSON.stringify(x))`: classes, Map/Set and Date are lost; throws on cycles (domainModel\'s only cycle runs through a Set, which JSON writes as `{}`).',
  },
  {
    name: 'v8',
    encode: (x) => v8.serialize(x),
    decode: (b) => v8.deserialize(b as Uint8Array),
    note: "`v8.deserialize(v8.serialize(x))` (structured clone): keeps Map/Set/Date, sharing and cycles; class instances become plain objects.",
  },
  {
    name: 'superjson',
    encode: (x) => superjson.stringify(x as never),
    decode: (s) => superjson.parse(s as string),
    note: '`parse(stringify(x))` on a SuperJSON instance with `registerClass` for each domain class (default: no dedupe); class instances met again inside a cycle come back as null.',
  },
  {
    name: 'devalue',
    encode: (x) => devalue.stringify(x, devalueReducers),
    decode: (s) => devalue.parse(s as string, devalueRevivers),
    note: '`parse(stringify(x, reducers), revivers)`; one reducer/reviver per class (own properties, prototype restored). A reviver runs after its contents, so a cycle through a class instance comes back broken.',
  },
  {
    name: 'seroval',
    encode: (x) => serovalSerialize(x, { plugins: serovalPlugins }),
    decode: (s) => serovalDeserialize(s as string),
    note: '`deserialize(serialize(x, { plugins }))` (JS source, evaluated); one plugin per class referencing it with `createReference`. An instance is built after its fields, so a cycle through one comes back broken.',
  },
  {
    name: MSGPACKR,
    encode: (x) => packr.pack(x),
    decode: (b) => packr.unpack(b as Uint8Array),
    note: '`new Packr({ structuredClone: true, moreTypes: true })`, `addExtension` per class (`write` returns the instance, `read` restores its prototype); pure JS (no msgpackr-extract). Class instances that sit on a cycle come back as plain objects.',
  },
  {
    name: 'class-transformer',
    encode: (x) => JSON.stringify(instanceToPlain(x)),
    decode: (s, w) => plainToInstance((ROOT_CLASS[w.name] ?? Object) as never, JSON.parse(s as string)),
    note: '`plainToInstance(Root, JSON.parse(JSON.stringify(instanceToPlain(x))))`, `@Type` and design-type metadata set on the domain classes; no cycle support.',
  },
];

function byteLength(data: Encoded): number {
  return typeof data === 'string' ? encoder.encode(data).length : data.byteLength;
}

// ---------------------------------------------------------------------------
// Map/Set/Date fidelity (the workloads' "prototypes" lumps them with classes)
// ---------------------------------------------------------------------------

/** Whether every Map, Set and Date of `input` is again a Map, Set, Date at the same place in `output`. */
export function builtinsKept(input: unknown, output: unknown): { verdict: Verdict; why?: string } {
  const seen = new Set<object>();
  const stack: [unknown, unknown][] = [[input, output]];
  let found = false;
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    if (typeof a !== 'object' || a === null || seen.has(a)) continue;
    seen.add(a);
    if (typeof b !== 'object' || b === null) {
      if (a instanceof Map || a instanceof Set || a instanceof Date) return { verdict: 'no', why: `${a.constructor.name} became ${b === null ? 'null' : typeof b}` };
      continue;
    }
    for (const kind of [Map, Set, Date] as const) {
      if (a instanceof kind) {
        found = true;
        if (!(b instanceof kind)) return { verdict: 'no', why: `${kind.name} became ${Object.getPrototypeOf(b)?.constructor?.name ?? 'object'}` };
      }
    }
    if (a instanceof Map) {
      const entries = [...(b as Map<unknown, unknown>)];
      let i = 0;
      for (const [k, v] of a) {
        const e = entries[i++];
        if (e) stack.push([k, e[0]], [v, e[1]]);
      }
    } else if (a instanceof Set) {
      const values = [...(b as Set<unknown>)];
      let i = 0;
      for (const v of a) stack.push([v, values[i++]]);
    } else if (!(a instanceof Date)) {
      const br = b as Record<string, unknown>;
      for (const k of Object.keys(a)) stack.push([(a as Record<string, unknown>)[k], br[k]]);
    }
  }
  return { verdict: found ? 'yes' : 'n/a' };
}

// ---------------------------------------------------------------------------
// CPython
// ---------------------------------------------------------------------------

const PYTHON_SCRIPT = path.join(__dirname, 'python', 'pickle_roundtrip.py');

interface PythonTiming {
  medianMs: number;
  samples: number;
  batch: number;
}

/** What the Python script prints (one JSON object). */
interface PythonReport {
  python?: string;
  error?: string;
  size?: number;
  roundtrip?: PythonTiming;
  dumps?: PythonTiming;
  loads?: PythonTiming;
  roundtripNoGc?: PythonTiming;
  fidelity?: Partial<Record<FidelityProperty | 'builtins', Verdict>>;
  details?: Record<string, string>;
}

let pythonExecutable: string | null | undefined;

function findPython(): string | null {
  if (pythonExecutable !== undefined) return pythonExecutable;
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean) as string[]) {
    const r = spawnSync(candidate, ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '3') return (pythonExecutable = candidate);
  }
  return (pythonExecutable = null);
}

/** Runs the CPython reference on copyreg's pickle of the workload. */
function runPython(pickle: Uint8Array, timeMs: number, workload: Workload): PythonReport {
  const python = findPython();
  if (python === null) return { error: 'python3 not found (set PYTHON=...)' };
  const file = path.join(os.tmpdir(), `copyreg-bench-${process.pid}-${workload.name}.pickle`);
  fs.writeFileSync(file, pickle);
  try {
    const r = spawnSync(python, [PYTHON_SCRIPT, file, String(timeMs)], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 1 << 20,
    });
    if (r.error) return { error: describeError(r.error) };
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as PythonReport;
    } catch {
      return { error: `python exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}` };
    }
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function pythonMeasurement(t: PythonTiming | undefined, error: string | undefined): Measurement {
  if (t) return { status: 'ok', stats: { medianMs: t.medianMs, meanMs: t.medianMs, minMs: t.medianMs, maxMs: t.medianMs, samples: t.samples, batch: t.batch, firstRunMs: NaN } };
  const message = error ?? 'not run';
  const e = new Error(message);
  e.name = shortMessage(message); // `RecursionError: maximum recursion…` → RecursionError in the table
  return { status: 'error', error: e, message };
}

// ---------------------------------------------------------------------------
// Suite
// ---------------------------------------------------------------------------

/** Options for {@link runSerializeBench}. */
export interface SerializeBenchOptions {
  workloads?: readonly string[];
  /** `timeMs` is the sampling budget of a round trip (default 1000 here); each half gets a third of it. */
  measure?: MeasureOptions;
  details?: boolean;
  log?: (line: string) => void;
}

/** One system's result on one workload. */
export interface SerializeRow {
  system: string;
  roundTrip: Measurement;
  serialize?: Measurement;
  deserialize?: Measurement;
  size?: number;
  fidelity: Fidelity;
  builtins: Verdict;
  builtinsWhy?: string;
  /** Extra line printed under the table. */
  note?: string;
  /** CPython only: round trip with its cyclic garbage collector disabled. */
  noGcMs?: number;
}

/** Results for one workload. */
export interface SerializeWorkloadResult {
  workload: string;
  rows: SerializeRow[];
  table: string;
  summary: string;
}

const VERDICT_MARK: Record<Verdict, string> = { yes: '✓', no: '✗', 'n/a': '–' };

const COLUMNS: readonly Column[] = [
  { header: 'system' },
  { header: 'round trip', align: 'right' },
  { header: `vs ${OURS}`, align: 'right' },
  { header: 'serialize', align: 'right' },
  { header: 'deserialize', align: 'right' },
  { header: 'size (bytes)', align: 'right' },
  ...FIDELITY_PROPERTIES.map((p): Column => ({ header: p, align: 'center' })),
  { header: 'Map/Set/Date', align: 'center' },
];

/** Default sampling budget of one round trip, so the whole suite stays under ~2 minutes. */
const DEFAULT_TIME_MS = 1000;
/** The 1e6 chain: one cold run, then one timed run, for the systems that survive it. */
const CHAIN_MEASURE: MeasureOptions = { warmupMs: 0, minWarmupCalls: 0, minSamples: 1, timeMs: 0, maxFirstRunMs: 15_000 };

/**
 * Runs the serialization comparison: one Markdown table per workload, then a
 * summary line per workload (copyreg against its targets). Returns the results.
 */
export async function runSerializeBench(options: SerializeBenchOptions = {}): Promise<SerializeWorkloadResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const selected = options.workloads?.length ? WORKLOADS.filter((w) => options.workloads!.includes(w.name)) : WORKLOADS;
  if (options.workloads?.length && selected.length !== options.workloads.length) {
    const known = WORKLOADS.map((w) => w.name).join(', ');
    throw new BenchUsageError(`unknown serialize workload in ${options.workloads.join(', ')} (known: ${known})`);
  }

  const timeMs = options.measure?.timeMs ?? DEFAULT_TIME_MS;
  log('## Serialization round trip');
  log('');
  log('A round trip is serialize then deserialize of the whole workload; times are medians of repeated runs.');
  log(`\`vs ${OURS}\` is time / ${OURS}'s time (above 1: slower than ${OURS}). Size is the serialized form in bytes (UTF-8 for strings).`);
  log('Fidelity is checked on the round-tripped value: ✓ preserved, ✗ not preserved, – not exercised (or the system failed).');
  log('`Map/Set/Date`: every Map, Set and Date comes back as one (the `prototypes` column also covers class instances).');
  log('');
  for (const s of SERIALIZERS) log(`- ${s.name}: ${s.note}`);
  const python = findPython();
  const pyVersion = python ? spawnSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).stdout.trim() : '';
  log(
    `- ${CPYTHON}: CPython ${pyVersion || '(not found)'}, C \`pickle.loads(pickle.dumps(x, 5))\` timed inside Python (perf_counter, gc on) on copyreg's pickle of the ` +
      'workload (domain classes defined in the script); fidelity checked in Python (Map → dict, Date → datetime there).',
  );
  log('');

  const results: SerializeWorkloadResult[] = [];
  for (const workload of selected) results.push(await benchWorkload(workload, timeMs, options, log));

  log('### Summary');
  log('');
  for (const r of results) log(`- ${r.summary}`);
  log('');
  return results;
}

function checkFidelity(workload: Workload, input: unknown, output: unknown): { fidelity: Fidelity; builtins: Verdict; builtinsWhy?: string } {
  let fidelity: Fidelity;
  try {
    fidelity = workload.check(input, output);
  } catch (error) {
    fidelity = { ...unknownFidelity(), values: 'no', details: { values: `checker threw ${describeError(error)}` } };
  }
  let b: { verdict: Verdict; why?: string };
  try {
    b = builtinsKept(input, output);
  } catch (error) {
    b = { verdict: 'no', why: `checker threw ${describeError(error)}` };
  }
  return { fidelity, builtins: b.verdict, builtinsWhy: b.why };
}

async function benchWorkload(
  workload: Workload,
  timeMs: number,
  options: SerializeBenchOptions,
  log: (line: string) => void,
): Promise<SerializeWorkloadResult> {
  progress(`${workload.name}: building…`);
  const input = workload.build();
  const size = measureSize(input);
  const long = workload.name === 'chain';
  // Fewer forced calls than the copy bench: the slowest peers take over a second per round trip.
  const rtOptions: MeasureOptions = long ? CHAIN_MEASURE : { warmupMs: 300, minWarmupCalls: 1, minSamples: 5, ...options.measure, timeMs };
  const halfOptions: MeasureOptions = { warmupMs: 100, minWarmupCalls: 1, minSamples: 3, ...options.measure, timeMs: timeMs / 3 };

  const rows: SerializeRow[] = [];
  for (const s of SERIALIZERS) {
    progress(`${workload.name}: ${s.name}…`);
    await tick();
    rows.push(benchSystem(s, workload, input, long, rtOptions, halfOptions));
  }
  // CPython gets copyreg's pickle, even when copyreg's own round trip failed after dumps.
  let ourPickle: Uint8Array | undefined;
  try {
    ourPickle = dumps(input);
  } catch {
    /* reported in copyreg's row */
  }

  progress(`${workload.name}: ${CPYTHON}…`);
  await tick();
  const py = pythonRow(workload, ourPickle, long ? 0 : timeMs);
  // Python cannot tell a dict that was a Map from one that was an object: n/a when JS has none.
  if (builtinsKept(input, input).verdict === 'n/a') py.builtins = 'n/a';
  rows.push(py);
  clearProgress();

  const ours = okMedian(rows.find((r) => r.system === OURS)?.roundTrip);
  const table = renderTable(
    COLUMNS,
    rows.map((row) => {
      const t = okMedian(row.roundTrip);
      return [
        row.system,
        cell(row.roundTrip),
        t !== undefined && ours !== undefined ? formatRatio(t / ours) : '–',
        row.serialize ? cell(row.serialize) : '–',
        row.deserialize ? cell(row.deserialize) : '–',
        row.size !== undefined ? formatCount(row.size) : '–',
        ...FIDELITY_PROPERTIES.map((p) => VERDICT_MARK[row.fidelity[p]]),
        VERDICT_MARK[row.builtins],
      ];
    }),
  );

  log(`### ${workload.name}: ${workload.description}`);
  log('');
  log(`${formatCount(size.objects)} objects, ${formatCount(size.values)} values.${long ? ' Round trip: one cold run, then one timed run; no halves.' : ''}`);
  log('');
  log(table);
  log('');
  const notes: string[] = [];
  for (const row of rows) {
    const m = row.roundTrip;
    if (m.status === 'error' && !isStackOverflow(m.error)) notes.push(`- ${row.system}: ${errorNote(m.error, m.message)}`);
    if (row.note) notes.push(`- ${row.note}`);
    if (options.details) {
      for (const [property, why] of Object.entries(row.fidelity.details)) notes.push(`- ${row.system}, ${property} ✗: ${why}`);
      if (row.builtinsWhy) notes.push(`- ${row.system}, Map/Set/Date ✗: ${row.builtinsWhy}`);
    }
  }
  if (notes.length > 0) log([...notes, ''].join('\n'));

  return { workload: workload.name, rows, table, summary: summarise(workload.name, rows) };
}

/**
 * One system on one workload. The halves run first (they warm up the code the
 * round trip uses; slow peers get only a few warmup calls otherwise), then the
 * round trip, whose first result is checked for fidelity. A failure of either
 * half is the system's error; the chain only gets a guarded round trip.
 */
function benchSystem(
  s: Serializer,
  workload: Workload,
  input: unknown,
  long: boolean,
  rtOptions: MeasureOptions,
  halfOptions: MeasureOptions,
): SerializeRow {
  const row: SerializeRow = { system: s.name, roundTrip: { status: 'skipped', reason: 'not run' }, fidelity: unknownFidelity(), builtins: 'n/a' };
  if (!long) {
    const ser = measure(() => s.encode(input, workload), halfOptions);
    if (ser.measurement.status !== 'ok') {
      row.roundTrip = ser.measurement;
      return row;
    }
    // A copy: msgpackr returns a view of a buffer it reuses on the next pack.
    const encoded = ser.firstResult!;
    const data = typeof encoded === 'string' ? encoded : Uint8Array.from(encoded);
    row.serialize = ser.measurement;
    row.size = byteLength(data);
    const de = measure(() => s.decode(data, workload), halfOptions);
    if (de.measurement.status !== 'ok') {
      row.roundTrip = de.measurement;
      return row;
    }
    row.deserialize = de.measurement;
  }
  const rt = measure(() => s.decode(s.encode(input, workload), workload), rtOptions);
  row.roundTrip = rt.measurement;
  if (rt.measurement.status !== 'error') {
    Object.assign(row, checkFidelity(workload, input, rt.firstResult));
    if (row.size === undefined) row.size = byteLength(s.encode(input, workload));
  }
  return row;
}

function pythonRow(workload: Workload, pickle: Uint8Array | undefined, timeMs: number): SerializeRow {
  const row: SerializeRow = { system: CPYTHON, roundTrip: pythonMeasurement(undefined, 'no input: copyreg could not pickle the workload'), fidelity: unknownFidelity(), builtins: 'n/a' };
  if (pickle === undefined) return row;
  const report = runPython(pickle, timeMs, workload);
  row.roundTrip = pythonMeasurement(report.roundtrip, report.error);
  if (report.roundtrip) {
    row.serialize = report.dumps ? pythonMeasurement(report.dumps, undefined) : undefined;
    row.deserialize = report.loads ? pythonMeasurement(report.loads, undefined) : undefined;
  }
  row.size = report.size;
  if (report.roundtripNoGc) {
    row.noGcMs = report.roundtripNoGc.medianMs;
    row.note = `${CPYTHON} with gc disabled: ${formatDuration(report.roundtripNoGc.medianMs)}/round trip (a lower bound: cyclic garbage is then never freed).`;
  }
  if (report.fidelity) {
    const judge = (p: FidelityProperty): Verdict => (workload.exercises.includes(p) ? (report.fidelity![p] ?? 'n/a') : 'n/a');
    const details: Fidelity['details'] = {};
    for (const p of FIDELITY_PROPERTIES) if (judge(p) === 'no' && report.details?.[p]) details[p] = report.details[p];
    row.fidelity = { values: judge('values'), prototypes: judge('prototypes'), sharing: judge('sharing'), cycles: judge('cycles'), details };
    row.builtins = report.fidelity.builtins ?? 'n/a';
    if (row.builtins === 'no') row.builtinsWhy = report.details?.builtins;
  }
  return row;
}

function cell(m: Measurement): string {
  switch (m.status) {
    case 'ok':
      return formatDuration(m.stats.medianMs);
    case 'error': {
      // Some libraries throw a bare-named Error subclass (seroval's SerovalParserError).
      const e = m.error;
      const label = errorLabel(e);
      return label === 'Error' && e instanceof Error && e.constructor.name !== 'Error' ? e.constructor.name : label;
    }
    case 'skipped':
      return m.reason;
  }
}

/** The error's message, plus its cause's when it wraps one (seroval reports only codes otherwise). */
function errorNote(error: unknown, message: string): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const named = error instanceof Error && error.name === 'Error' && error.constructor.name !== 'Error' ? message.replace(/^Error/, error.constructor.name) : message;
  return cause === undefined ? named : `${named} (cause: ${describeError(cause)})`;
}

/** CPython's errors arrive as text: the exception name, or the start of the message. */
function shortMessage(message: string): string {
  const name = /^([A-Za-z_.]+(?:Error|Exception))\b/.exec(message)?.[1];
  return name ?? (message.length > 30 ? `${message.slice(0, 29)}…` : message);
}

function okMedian(m: Measurement | undefined): number | undefined {
  return m?.status === 'ok' ? m.stats.medianMs : undefined;
}

const mark = (ok: boolean): string => (ok ? '✓' : '✗');

/**
 * `domainModel: copyreg 12.3 ms/round trip, 910,635 B; vs superjson 4.10x faster ✓ (want ≥3x), …`.
 * Speed-ups are other's time / copyreg's time (above 1: copyreg is faster).
 */
function summarise(workload: string, rows: readonly SerializeRow[]): string {
  const ours = rows.find((r) => r.system === OURS)!;
  const t = okMedian(ours.roundTrip);
  if (t === undefined) return `${workload}: ${OURS} ${cell(ours.roundTrip)} (${ours.roundTrip.status === 'error' ? ours.roundTrip.message : ''})`;
  const speedup = (name: string, want: number, wantText: string, strict = false): string => {
    const row = rows.find((r) => r.system === name);
    const other = okMedian(row?.roundTrip);
    if (!row || other === undefined) return `${name} failed (${row ? cell(row.roundTrip) : 'not run'})`;
    const s = other / t;
    return `${name} ${formatRatio(s)} ${mark(strict ? s > want : s >= want)} (${wantText})`;
  };
  const parts = [
    `speed-up vs ${JSON_PEERS.map((p) => speedup(p, TARGET_SPEEDUP, `want ≥${TARGET_SPEEDUP}x`)).join(', ')}`,
    `vs ${speedup(MSGPACKR, 1 / MSGPACKR_SLACK, `want ≥${formatRatio(1 / MSGPACKR_SLACK)}, i.e. within ${MSGPACKR_SLACK}x`)}`,
    `vs ${speedup(CPYTHON, 1, 'want >1x', true)}`,
  ];
  const noGc = rows.find((r) => r.system === CPYTHON)?.noGcMs;
  if (noGc !== undefined) parts[parts.length - 1] += ` [${formatRatio(noGc / t)} vs CPython with gc disabled]`;
  const py = rows.find((r) => r.system === CPYTHON);
  if (ours.size !== undefined && py?.size !== undefined) {
    const r = ours.size / py.size;
    parts.push(`size ${formatCount(ours.size)} B = ${formatRatio(r)} CPython's ${formatCount(py.size)} B ${mark(r <= 1)} (want ≤1x)`);
  } else {
    parts.push(`size ${ours.size !== undefined ? `${formatCount(ours.size)} B` : '–'}, CPython's unknown`);
  }
  return `${workload}: ${OURS} ${formatDuration(t)}/round trip; ${parts.join('; ')}`;
}
