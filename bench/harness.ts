/**
 * Timing and reporting helpers shared by every benchmark suite.
 *
 * Deliberately small and dependency-free (rather than tinybench) so that the
 * behaviour we need for comparing libraries that may crash or hang is explicit:
 * one guarded first run whose result is kept for fidelity checks, a time-boxed
 * warmup, automatic batching for very fast operations, and the median of the
 * samples as the headline figure (robust against GC pauses, which dominate the
 * noise when copying graphs of tens of thousands of objects).
 */

import { performance } from 'node:perf_hooks';

/** Options for {@link measure}. All durations are in milliseconds. */
export interface MeasureOptions {
  /** Wall-clock budget for the timed samples (after warmup). */
  timeMs?: number;
  /** Wall-clock budget for the warmup. */
  warmupMs?: number;
  /** Samples to take even if that exceeds `timeMs`. */
  minSamples?: number;
  /** Warmup calls to make even if that exceeds `warmupMs` (0 for operations that take seconds). */
  minWarmupCalls?: number;
  /** Upper bound on samples, so that fast operations do not take forever to report. */
  maxSamples?: number;
  /**
   * If the first (untimed-for-statistics) run takes longer than this, the task
   * is reported as skipped instead of being sampled repeatedly.
   */
  maxFirstRunMs?: number;
  /**
   * Target duration of one sample. Operations faster than this are batched
   * (several calls per sample) so that timer resolution does not dominate.
   */
  minSampleMs?: number;
}

/** Defaults for {@link MeasureOptions}; sized so that the copy suite takes about a minute. */
export const DEFAULT_MEASURE_OPTIONS: Required<MeasureOptions> = {
  timeMs: 2000,
  warmupMs: 500,
  minSamples: 5,
  minWarmupCalls: 2,
  maxSamples: 1000,
  maxFirstRunMs: 10_000,
  minSampleMs: 1,
};

/** Statistics of a successful measurement (per single call, in ms). */
export interface TimingStats {
  medianMs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** Number of samples taken. */
  samples: number;
  /** Calls per sample (> 1 when the operation was batched). */
  batch: number;
  /** Duration of the very first, cold call. */
  firstRunMs: number;
}

/** Outcome of {@link measure}: timings, the first call's error, or a skip. */
export type Measurement =
  | { status: 'ok'; stats: TimingStats }
  | { status: 'error'; error: unknown; message: string }
  | { status: 'skipped'; reason: string };

/** What {@link measure} returns: the measurement and the result of the first call. */
export interface MeasureResult<T> {
  measurement: Measurement;
  /**
   * Return value of the first call, kept so callers can check the result's
   * fidelity without paying for an extra call. Present unless the first call threw.
   */
  firstResult?: T;
}

/**
 * Prevents the optimiser from treating benchmarked calls as dead code, and
 * keeps only the latest result alive so that big results are collectable.
 */
let sink: unknown;

/**
 * Times `fn` and returns per-call statistics.
 *
 * The first call is made on its own: if it throws, the error is reported and
 * nothing more runs (a library that overflows the stack fails the same way
 * every time); if it is slower than `maxFirstRunMs`, the task is skipped so one
 * pathological peer cannot blow the time budget of the whole run.
 */
export function measure<T>(fn: () => T, options: MeasureOptions = {}): MeasureResult<T> {
  const opts = { ...DEFAULT_MEASURE_OPTIONS, ...options };

  let firstResult: T;
  const t0 = performance.now();
  try {
    firstResult = fn();
  } catch (error) {
    return { measurement: { status: 'error', error, message: describeError(error) } };
  }
  const firstRunMs = performance.now() - t0;
  if (firstRunMs > opts.maxFirstRunMs) {
    return {
      measurement: {
        status: 'skipped',
        reason: `skipped (1st run ${formatDuration(firstRunMs)})`,
      },
      firstResult,
    };
  }

  try {
    // Warmup: lets the JIT settle and gives a mean to choose the batch size from.
    let warmCalls = 0;
    const warmStart = performance.now();
    while (warmCalls < opts.minWarmupCalls || performance.now() - warmStart < opts.warmupMs) {
      sink = fn();
      warmCalls++;
    }
    const warmMean = warmCalls > 0 ? (performance.now() - warmStart) / warmCalls : firstRunMs;
    const batch = Math.max(1, Math.floor(opts.minSampleMs / Math.max(warmMean, 1e-6)));

    const samples: number[] = [];
    const start = performance.now();
    while (
      samples.length < opts.maxSamples &&
      (samples.length < opts.minSamples || performance.now() - start < opts.timeMs)
    ) {
      const s0 = performance.now();
      for (let i = 0; i < batch; i++) sink = fn();
      samples.push((performance.now() - s0) / batch);
    }
    sink = undefined;
    return { measurement: { status: 'ok', stats: summarise(samples, batch, firstRunMs) }, firstResult };
  } catch (error) {
    // Succeeding once and failing later would be odd, but must not abort the suite.
    return { measurement: { status: 'error', error, message: describeError(error) }, firstResult };
  }
}

function summarise(samples: number[], batch: number, firstRunMs: number): TimingStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const meanMs = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    medianMs,
    meanMs,
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    samples: sorted.length,
    batch,
    firstRunMs,
  };
}

/** True for the engine's "Maximum call stack size exceeded" RangeError. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/**
 * Very short description of a thrown value for a table cell: `stack overflow`
 * for the engine's stack overflow, otherwise the error's name (its message
 * goes in a footnote, see {@link describeError}).
 */
export function errorLabel(error: unknown): string {
  if (isStackOverflow(error)) return 'stack overflow';
  if (error instanceof Error) return error.name;
  return 'non-Error thrown';
}

/**
 * One-line description of a thrown value: `stack overflow` for the engine's
 * stack overflow, otherwise the error's name and a shortened message.
 */
export function describeError(error: unknown, maxLength = 100): string {
  if (isStackOverflow(error)) return 'stack overflow';
  if (error instanceof Error) {
    const text = error.message ? `${error.name}: ${error.message}` : error.name;
    return truncate(text.replace(/\s+/g, ' '), maxLength);
  }
  return truncate(`threw ${String(error)}`, maxLength);
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/** Formats milliseconds with a unit that keeps 3 significant digits (`812 µs`, `1.23 ms`, `2.40 s`). */
export function formatDuration(ms: number): string {
  if (ms < 1e-3) return `${(ms * 1e6).toPrecision(3)} ns`;
  if (ms < 1) return `${(ms * 1e3).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

/** Formats a ratio as `0.42x`. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}x`;
}

/** Formats an integer with thousands separators (`20,000`), independent of locale. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Column alignment for {@link renderTable}. */
export type Align = 'left' | 'right' | 'center';

/** A column of a table rendered by {@link renderTable}. */
export interface Column {
  header: string;
  align?: Align;
}

/**
 * Renders a Markdown table padded so it also reads well as plain text, ready
 * to paste into the README.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((col, i) =>
    Math.max(3, displayWidth(col.header), ...rows.map((row) => displayWidth(row[i] ?? ''))),
  );
  const pad = (text: string, width: number, align: Align): string => {
    const gap = width - displayWidth(text);
    if (align === 'right') return ' '.repeat(gap) + text;
    if (align === 'center') return ' '.repeat(gap >> 1) + text + ' '.repeat(gap - (gap >> 1));
    return text + ' '.repeat(gap);
  };
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => pad(cell, widths[i], columns[i].align ?? 'left')).join(' | ')} |`;
  // Each rule cell spans the cell plus its two padding spaces; colons mark alignment.
  const rule = columns.map((col, i) => {
    const w = widths[i];
    if (col.align === 'right') return `${'-'.repeat(w + 1)}:`;
    if (col.align === 'center') return `:${'-'.repeat(w)}:`;
    return '-'.repeat(w + 2);
  });
  return [
    line(columns.map((c) => c.header)),
    `|${rule.join('|')}|`,
    ...rows.map((row) => line(columns.map((_, i) => row[i] ?? ''))),
  ].join('\n');
}

/** Width in terminal columns; the strings we print only contain single-width characters. */
function displayWidth(text: string): number {
  return [...text].length;
}

/** A bad command-line selection (unknown suite or workload): reported without a stack trace. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** Yields to the event loop so output is flushed and timers can fire between tasks. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Writes a progress note to stderr when it is a terminal, so piped/README output stays clean. */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

/** Clears the progress line written by {@link progress}. */
export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}
