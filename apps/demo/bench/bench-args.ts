import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { DemoError, repoRoot } from '@retail-streams/demo-stack';
import { numberArg } from '../src/load/load-args.ts';
import { parseBasePort, parseLogLevel } from '../src/stack/stack-args.ts';

export const SERIES = ['async', 'half-sync'] as const;
export type SeriesName = (typeof SERIES)[number];

export interface BenchArgs {
  steps: number[];
  stepSeconds: number;
  syncRatio: number;
  series: SeriesName[];
  analyticsSeconds: number;
  allSteps: boolean;
  drainTimeoutSeconds: number;
  idleSeconds: number;
  warmupSeconds: number;
  basePort?: number;
  logLevel: string;
  keepData: boolean;
  quick: boolean;
  outJson: string;
  /** null: print only (quick runs do not overwrite the docs unless asked). */
  outMarkdown: string | null;
  reportOnly: boolean;
  help: boolean;
}

export const DEFAULT_STEPS = [50, 100, 200, 300, 500, 750, 1000];
const RESULTS_DIR = join(repoRoot, 'apps', 'demo', 'bench', 'results');
export const DEFAULT_JSON = join(RESULTS_DIR, 'pipeline-latest.json');
export const DEFAULT_MARKDOWN = join(repoRoot, 'docs', 'benchmarks', 'pipeline.md');

export const BENCH_USAGE = `Usage: npm run bench:pipeline -- [options]

Starts the demo stack (npm start) on a temporary data dir and free ports, steps an open-loop order
rate up, and reports per step: accepted/s and errors, accept and order->decision latency per path,
consumer group lag, CPU per order and memory per process. Writes docs/benchmarks/pipeline.md and
apps/demo/bench/results/pipeline-latest.json. Takes 10-20 minutes with the defaults.

Options:
  --steps <list>            orders/s per step (default ${DEFAULT_STEPS.join(',')})
  --step-seconds <s>        how long each step sends (default 20)
  --series <list>           async, half-sync or both (default async,half-sync)
  --sync-ratio <r>          the sync share of the half-sync series (default 0.5)
  --analytics-seconds <s>   the "analytics keeps up" run at the sustained rate; 0 skips it (default 60)
  --all-steps               run every step (default: stop a series after 2 steps in a row miss the SLO)
  --drain-timeout <s>       how long to wait after a step for every order to be decided (default 60)
  --idle-seconds <s>        quiet time before the idle footprint is taken (default 10)
  --warmup-seconds <s>      unmeasured load before the first step (default 5)
  --base-port <n>           ports n..n+7 for the stack (default: a free block)
  --log-level <level>       the services' log level (default info, as npm start)
  --keep-data               keep the stack's temporary data dir and logs
  --quick                   a smoke run: steps 10,20 of 3 s, one series, no analytics run;
                            writes results/pipeline-quick.json and leaves the docs alone
  --out-json <file>         where the results go
  --out-md <file>           where the markdown report goes
  --report-only             rewrite the markdown from the JSON without measuring
  -h, --help
`;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        steps: { type: 'string' },
        'step-seconds': { type: 'string' },
        series: { type: 'string' },
        'sync-ratio': { type: 'string' },
        'analytics-seconds': { type: 'string' },
        'all-steps': { type: 'boolean' },
        'drain-timeout': { type: 'string' },
        'idle-seconds': { type: 'string' },
        'warmup-seconds': { type: 'string' },
        'base-port': { type: 'string' },
        'log-level': { type: 'string' },
        'keep-data': { type: 'boolean' },
        quick: { type: 'boolean' },
        'out-json': { type: 'string' },
        'out-md': { type: 'string' },
        'report-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new DemoError('BAD_ARGUMENT', (error as Error).message);
  }
  const quick = values.quick ?? false;
  const steps =
    values.steps === undefined ? (quick ? [10, 20] : DEFAULT_STEPS) : parseSteps(values.steps);
  const series =
    values.series === undefined
      ? quick
        ? ['async' as const]
        : [...SERIES]
      : parseSeries(values.series);
  const basePort = parseBasePort(values['base-port']);
  const logLevel = parseLogLevel(values['log-level']);
  const seconds = (name: string, fallback: number, min = 0) =>
    numberArg(
      name,
      values[name as keyof typeof values] as string | undefined,
      fallback,
      (n) => n >= min && n <= 3600,
    );
  return {
    steps,
    stepSeconds: seconds('step-seconds', quick ? 3 : 20, 1),
    syncRatio: numberArg('sync-ratio', values['sync-ratio'], 0.5, (n) => n > 0 && n <= 1),
    series,
    analyticsSeconds: seconds('analytics-seconds', quick ? 0 : 60),
    allSteps: values['all-steps'] ?? false,
    drainTimeoutSeconds: seconds('drain-timeout', 60, 5),
    idleSeconds: seconds('idle-seconds', quick ? 2 : 10),
    warmupSeconds: seconds('warmup-seconds', quick ? 1 : 5),
    basePort,
    logLevel,
    keepData: values['keep-data'] ?? false,
    quick,
    outJson:
      values['out-json'] ?? (quick ? join(RESULTS_DIR, 'pipeline-quick.json') : DEFAULT_JSON),
    outMarkdown: values['out-md'] ?? (quick ? null : DEFAULT_MARKDOWN),
    reportOnly: values['report-only'] ?? false,
    help: values.help ?? false,
  };
}

function parseSteps(raw: string): number[] {
  const steps = raw.split(',').map((part) => Number(part.trim()));
  if (steps.length === 0 || steps.some((n) => !Number.isFinite(n) || n <= 0 || n > 100_000)) {
    throw new DemoError(
      'BAD_ARGUMENT',
      `--steps: "${raw}" is not a list of positive rates, e.g. 50,100,200`,
    );
  }
  return [...new Set(steps)].sort((a, b) => a - b);
}

function parseSeries(raw: string): SeriesName[] {
  const names = raw.split(',').map((part) => part.trim());
  const unknown = names.filter((name) => !(SERIES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new DemoError(
      'BAD_ARGUMENT',
      `--series: unknown ${unknown.join(', ')} (known: ${SERIES.join(', ')})`,
    );
  }
  return [...new Set(names)] as SeriesName[];
}
