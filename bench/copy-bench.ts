/**
 * Deep-copy comparison: copyreg's `deepcopy` against structuredClone and the
 * popular npm deep-clone libraries, on the shared workloads, reporting speed
 * and checking the fidelity of each copy.
 */

import cloneDeep from 'lodash/cloneDeep';
import rfdc from 'rfdc';
import { klona } from 'klona';
import { klona as klonaFull } from 'klona/full';
import { copy as fastCopy } from 'fast-copy';
import justClone from 'just-clone';

import { deepcopy } from '../lib/index';
import { bareWalk, checkedWalk } from './floor';
import {
  BenchUsageError,
  clearProgress,
  describeError,
  errorLabel,
  formatCount,
  isStackOverflow,
  formatDuration,
  formatRatio,
  measure,
  progress,
  renderTable,
  tick,
  type Column,
  type MeasureOptions,
  type Measurement,
} from './harness';
import { FIDELITY_PROPERTIES, unknownFidelity, type Fidelity, type Verdict } from './fidelity';
import { measureSize, WORKLOADS, type Workload } from './workloads';

/** A deep-copy implementation under test. */
export interface Copier {
  name: string;
  copy: (x: unknown) => unknown;
  /** Restricts the copier to some workloads (default: all). */
  appliesTo?: (workload: Workload) => boolean;
  /** Documented behaviour that explains the results, printed once above the tables. */
  note?: string;
}

/** Name of our implementation in tables and summaries. */
export const OURS = 'copyreg deepcopy';
/** The baseline every ratio is relative to. */
export const BASELINE = 'structuredClone';
/** The fastest mainstream peer, singled out in the summary. */
export const RIVAL = 'fast-copy';

/** The reference walks of floor.ts recurse: every workload but the chain. */
const FLOOR_WORKLOADS = new Set(['appState', 'domainModel', 'tree']);
/** The walk with SPEC §5's checks, reported beside fast-copy in the summary. */
export const FLOOR = 'floor: checked walk';

/** Every copier, in table order. All are used as their documentation says, with default options. */
export const COPIERS: readonly Copier[] = [
  { name: OURS, copy: (x) => deepcopy(x), note: 'this library, called as `deepcopy(x)` (fresh memo each time).' },
  {
    name: BASELINE,
    copy: (x) => structuredClone(x),
    note: 'keeps Date/Map/Set, sharing and cycles; class instances become plain objects.',
  },
  {
    name: 'lodash cloneDeep',
    copy: (x) => cloneDeep(x),
    note: 'keeps prototypes, sharing and cycles; recursive.',
  },
  {
    name: 'rfdc',
    copy: rfdc(),
    note: 'default options: no cycle tracking (overflows on cycles), copies a shared object once per reference, drops prototypes.',
  },
  {
    name: 'rfdc {circles}',
    copy: rfdc({ circles: true }),
    // Only run where the default rfdc cannot work at all.
    appliesTo: (w) => w.cyclic,
    note: 'only tracks the objects on the current path, so cycles work but shared objects are still duplicated; run on cyclic workloads only.',
  },
  {
    name: 'klona',
    copy: (x) => klona(x),
    note: 'rebuilds class instances with `new x.constructor()` (runs constructors without arguments); no cycle tracking.',
  },
  {
    name: 'klona/full',
    copy: (x) => klonaFull(x),
    note: 'keeps prototypes (Object.create) and property descriptors; no cycle tracking, duplicates shared objects.',
  },
  {
    name: RIVAL,
    copy: (x) => fastCopy(x),
    note: 'v4 `copy`: WeakMap cache (sharing and cycles), keeps prototypes; default maxDepth of 1000 nested objects.',
  },
  {
    name: 'just-clone',
    copy: (x) => justClone(x as object),
    note: 'class instances become plain objects; no cycle tracking.',
  },
  {
    name: 'floor: bare walk',
    copy: bareWalk,
    appliesTo: (w) => FLOOR_WORKLOADS.has(w.name),
    note: 'not a copier (bench/floor.ts): objects, arrays, Map, Set, Date walked as the fast cloners walk them (no hooks), with our memo; not the chain.',
  },
  {
    name: FLOOR,
    copy: checkedWalk,
    appliesTo: (w) => FLOOR_WORKLOADS.has(w.name),
    note: 'not a copier: the bare walk plus only the engine calls SPEC §5 forces (symbol keys, a descriptor per key, extensibility, array extra keys, own properties of Map/Set/Date). The gap to the bare walk is what that fidelity costs.',
  },
];

/** Options for {@link runCopyBench}. */
export interface CopyBenchOptions {
  /** Workload names to run (default: all). */
  workloads?: readonly string[];
  /** Timing options passed to the harness. */
  measure?: MeasureOptions;
  /** Print the reason behind every failed fidelity check. */
  details?: boolean;
  /** Where to write the report (default: console.log). */
  log?: (line: string) => void;
}

/** One copier's result on one workload. */
export interface CopyRow {
  copier: string;
  measurement: Measurement;
  fidelity: Fidelity;
}

/** Results for one workload. */
export interface CopyWorkloadResult {
  workload: string;
  rows: CopyRow[];
  /** Markdown table as printed. */
  table: string;
  /** Summary line as printed. */
  summary: string;
}

const VERDICT_MARK: Record<Verdict, string> = { yes: '✓', no: '✗', 'n/a': '–' };

const COLUMNS: readonly Column[] = [
  { header: 'copier' },
  { header: 'time/op (median)', align: 'right' },
  { header: `vs ${BASELINE}`, align: 'right' },
  ...FIDELITY_PROPERTIES.map((p): Column => ({ header: p, align: 'center' })),
];

/**
 * Runs the deep-copy comparison and prints one Markdown table per workload,
 * then one summary line per workload (our time relative to fast-copy and to
 * structuredClone). Returns the structured results.
 */
export async function runCopyBench(options: CopyBenchOptions = {}): Promise<CopyWorkloadResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const selected = options.workloads?.length
    ? WORKLOADS.filter((w) => options.workloads!.includes(w.name))
    : WORKLOADS;
  if (options.workloads?.length && selected.length !== options.workloads.length) {
    const known = WORKLOADS.map((w) => w.name).join(', ');
    throw new BenchUsageError(`unknown copy workload in ${options.workloads.join(', ')} (known: ${known})`);
  }

  log('## Deep copy');
  log('');
  log(`Time per copy is the median of repeated runs; \`vs ${BASELINE}\` is time / ${BASELINE}'s time (lower is faster).`);
  log('Fidelity is checked on an actual copy: ✓ preserved, ✗ not preserved, – not exercised by the workload (or the copier failed).');
  log('');
  for (const copier of COPIERS) if (copier.note) log(`- ${copier.name}: ${copier.note}`);
  log('');

  const results: CopyWorkloadResult[] = [];
  for (const workload of selected) {
    results.push(await benchWorkload(workload, options, log));
  }

  log('### Summary');
  log('');
  for (const r of results) log(`- ${r.summary}`);
  log('');
  return results;
}

async function benchWorkload(
  workload: Workload,
  options: CopyBenchOptions,
  log: (line: string) => void,
): Promise<CopyWorkloadResult> {
  progress(`${workload.name}: building…`);
  const input = workload.build();
  const size = measureSize(input);

  const rows: CopyRow[] = [];
  for (const copier of COPIERS) {
    if (copier.appliesTo && !copier.appliesTo(workload)) continue;
    progress(`${workload.name}: ${copier.name}…`);
    await tick();
    const { measurement, firstResult } = measure(() => copier.copy(input), options.measure);
    let fidelity = unknownFidelity();
    if (measurement.status === 'ok') {
      try {
        fidelity = workload.check(input, firstResult);
      } catch (error) {
        // A copy so broken that the checker itself trips over it is simply wrong.
        fidelity = { ...unknownFidelity(), values: 'no', details: { values: `checker threw ${describeError(error)}` } };
      }
    }
    rows.push({ copier: copier.name, measurement, fidelity });
  }
  clearProgress();

  const baseline = medianOf(rows, BASELINE);
  const table = renderTable(
    COLUMNS,
    rows.map((row) => {
      const median = row.measurement.status === 'ok' ? row.measurement.stats.medianMs : undefined;
      return [
        row.copier,
        cellForMeasurement(row.measurement),
        median !== undefined && baseline !== undefined ? formatRatio(median / baseline) : '–',
        ...FIDELITY_PROPERTIES.map((p) => VERDICT_MARK[row.fidelity[p]]),
      ];
    }),
  );

  log(`### ${workload.name}: ${workload.description}`);
  log('');
  log(`${formatCount(size.objects)} objects, ${formatCount(size.values)} values.`);
  log('');
  log(table);
  log('');
  if (baseline === undefined) {
    log(`${BASELINE} failed on this workload, so there is no ratio.`);
    log('');
  }
  // Table cells only name the error; the messages explain it (e.g. a constructor run without arguments).
  const notes: string[] = [];
  for (const row of rows) {
    const m = row.measurement;
    if (m.status === 'error' && !isStackOverflow(m.error)) notes.push(`- ${row.copier}: ${m.message}`);
    if (options.details) {
      for (const [property, why] of Object.entries(row.fidelity.details)) notes.push(`- ${row.copier}, ${property} ✗: ${why}`);
    }
  }
  if (notes.length > 0) log([...notes, ''].join('\n'));

  const summary = summarise(workload.name, rows);
  return { workload: workload.name, rows, table, summary };
}

function cellForMeasurement(m: Measurement): string {
  switch (m.status) {
    case 'ok':
      return formatDuration(m.stats.medianMs);
    case 'error':
      return errorLabel(m.error);
    case 'skipped':
      return m.reason;
  }
}

function medianOf(rows: readonly CopyRow[], copier: string): number | undefined {
  const m = rows.find((r) => r.copier === copier)?.measurement;
  return m?.status === 'ok' ? m.stats.medianMs : undefined;
}

/** `domainModel: copyreg deepcopy 12.3 ms: 1.10x fast-copy, 0.95x structuredClone`. */
function summarise(workload: string, rows: readonly CopyRow[]): string {
  const ours = rows.find((r) => r.copier === OURS);
  if (!ours || ours.measurement.status !== 'ok') {
    return `${workload}: ${OURS} ${ours ? cellForMeasurement(ours.measurement) : 'not run'}`;
  }
  const t = ours.measurement.stats.medianMs;
  const versus = [RIVAL, BASELINE].map((name) => {
    const row = rows.find((r) => r.copier === name);
    if (!row) return `${name} not run`;
    if (row.measurement.status !== 'ok') return `${name} failed (${cellForMeasurement(row.measurement)})`;
    return `${formatRatio(t / row.measurement.stats.medianMs)} ${name}'s time`;
  });
  const floor = rows.find((r) => r.copier === FLOOR)?.measurement;
  const floorVersus = [RIVAL, BASELINE].flatMap((name) => {
    const m = rows.find((r) => r.copier === name)?.measurement;
    return floor?.status === 'ok' && m?.status === 'ok' ? [`${formatRatio(floor.stats.medianMs / m.stats.medianMs)} ${name}'s`] : [];
  });
  const floorNote = floorVersus.length > 0 ? ` (${FLOOR}: ${floorVersus.join(', ')})` : '';
  return `${workload}: ${OURS} ${formatDuration(t)}/op = ${versus.join(', ')}${floorNote}`;
}
