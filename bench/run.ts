/**
 * Entry point of `npm run bench`.
 *
 * Usage:
 *   npm run bench                          # every suite
 *   npm run bench -- copy                  # only the deep-copy suite
 *   npm run bench -- copy:tree,chain       # only some workloads of a suite
 *   npm run bench -- serialize:appState    # round trips through copyreg's pickle and its peers
 *   npm run bench -- --time=3000 --details # longer sampling; explain failed fidelity checks
 *
 * Suites print Markdown so the output can be pasted into the README.
 */

import os from 'node:os';

import { runCopyBench } from './copy-bench';
import { BenchUsageError, type MeasureOptions } from './harness';

/** Options every suite receives from the command line. */
export interface SuiteOptions {
  /** Workloads selected with `suite:a,b` (empty: all). */
  workloads: string[];
  measure: MeasureOptions;
  details: boolean;
}

/** A benchmark suite selectable from the command line. */
export interface Suite {
  name: string;
  run(options: SuiteOptions): Promise<unknown>;
}

/** Suites in run order. */
export const SUITES: readonly Suite[] = [
  { name: 'copy', run: (o) => runCopyBench(o) },
  // Loaded on demand: it registers the domain classes with every serializer it compares.
  {
    name: 'serialize',
    run: (o) => (require('./serialize-bench') as typeof import('./serialize-bench')).runSerializeBench(o),
  },
];

interface CommandLine {
  filters: Map<string, string[]>;
  measure: MeasureOptions;
  details: boolean;
}

function parseArgs(argv: readonly string[]): CommandLine {
  const filters = new Map<string, string[]>();
  const measure: MeasureOptions = {};
  let details = false;
  for (const arg of argv) {
    if (arg === '--details') {
      details = true;
    } else if (arg.startsWith('--time=')) {
      measure.timeMs = positiveNumber(arg);
    } else if (arg === '--help' || arg === '-h') {
      usage(0);
    } else if (arg.startsWith('-')) {
      console.error(`unknown option ${arg}`);
      usage(1);
    } else {
      const [suite, workloads = ''] = arg.split(':', 2);
      if (!SUITES.some((s) => s.name === suite)) {
        console.error(`unknown suite "${suite}"`);
        usage(1);
      }
      filters.set(suite, [...(filters.get(suite) ?? []), ...workloads.split(',').filter(Boolean)]);
    }
  }
  return { filters, measure, details };
}

function positiveNumber(arg: string): number {
  const value = Number(arg.slice(arg.indexOf('=') + 1));
  if (!(value > 0)) {
    console.error(`${arg}: expected a positive number of milliseconds`);
    usage(1);
  }
  return value;
}

function usage(code: number): never {
  const print = code === 0 ? console.log : console.error;
  print(`usage: npm run bench -- [suite[:workload,...]]... [--time=ms] [--details]`);
  print(`suites: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  const suites = cli.filters.size ? SUITES.filter((s) => cli.filters.has(s.name)) : SUITES;

  // The environment belongs next to any numbers pasted into the README.
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(`# copyreg benchmarks`);
  console.log('');
  console.log(`Node ${process.version} (${process.platform}/${process.arch}), ${cpu}, ${new Date().toISOString().slice(0, 10)}`);
  console.log('');

  const started = Date.now();
  for (const suite of suites) {
    await suite.run({ workloads: cli.filters.get(suite.name) ?? [], measure: cli.measure, details: cli.details });
  }
  console.log(`Total bench time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Only run when executed, so suites may import the types above without side effects.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof BenchUsageError ? error.message : error);
    process.exitCode = 1;
  });
}
