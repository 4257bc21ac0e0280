import { describe, expect, it } from 'vitest';
import type { PipelineResults, SeriesResult, StepResult } from './bench-results.ts';
import {
  README_END,
  README_START,
  consoleSummary,
  markdown,
  processOrder,
  readmeBlock,
  replaceReadmeBlock,
} from './pipeline-report.ts';
import type { PathFigures } from './step-figures.ts';
import { decodeResults } from './results-json.ts';
import { evaluateTargets, referenceStep } from './targets.ts';

const figures = (overrides: Partial<PathFigures> = {}): PathFigures => ({
  sent: 1000,
  accepted: 1000,
  errors: {},
  acceptP50Ms: 4,
  acceptP99Ms: 30,
  decisionP50Ms: 60,
  decisionP99Ms: 400,
  undecided: 0,
  confirmed: 990,
  rejected: 10,
  ...overrides,
});

const step = (rate: number, overrides: Partial<StepResult> = {}): StepResult => ({
  rate,
  seconds: 20,
  syncRatio: 0,
  sent: rate * 20,
  acceptedPerSecond: rate,
  paths: { async: figures() },
  lateness: { late: 0, p99Ms: 2, maxMs: 9 },
  lagAtEnd: { inventory: 12, analytics: 40 },
  lagAfterDrain: { inventory: 0, analytics: 0 },
  drainedAfterMs: 800,
  cpuWindowSeconds: 21,
  cpuMs: { sales: 2000, postgres: 1500 },
  cpuMsPerOrder: { sales: 0.5, postgres: 0.4, total: 0.9 },
  cpuMsPerOrderAboveIdle: 0.7,
  benchCpuMs: 900,
  machineBusyCores: 1.5,
  otherCores: 0.2,
  memory: {
    sales: { rssKb: 200_000, pssKb: 150_000 },
    postgres: { rssKb: 300_000, pssKb: 80_000 },
  },
  pssTotalMb: 900,
  loadAverage: [1.5, 1.2, 1.0],
  slo: { met: true, misses: [] },
  ...overrides,
});

const series = (name: string, steps: StepResult[], sustained: number | null): SeriesResult => ({
  name,
  syncRatio: name === 'async' ? 0 : 0.5,
  stackStartSeconds: 9.5,
  idle: {
    memory: { sales: { rssKb: 180_000, pssKb: 130_000 }, bench: { rssKb: 90_000, pssKb: 50_000 } },
    pssTotalMb: 950,
    cpuMsPerSecond: { sales: 3, bench: 20 },
    loadAverage: [1, 1, 1],
  },
  steps,
  sustained,
});

function results(seriesList: SeriesResult[]): PipelineResults {
  const r: PipelineResults = {
    date: '2026-12-01T10:00:00.000Z',
    quick: false,
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 24,
      kernel: '6.1',
      node: 'v24',
      loadAverageAtStart: '1.00 / 1.00 / 1.00',
      loadAverageAtEnd: '2.00 / 1.50 / 1.20',
    },
    options: {
      steps: [100, 500, 750],
      stepSeconds: 20,
      syncRatio: 0.5,
      series: ['async', 'half-sync'],
      analyticsSeconds: 60,
      logLevel: 'info',
    },
    series: seriesList,
    targets: [],
    errors: [],
  };
  r.targets = evaluateTargets(r);
  return r;
}

const missed = { met: false, misses: ['async: decision p99 1500 ms > 1000 ms'] };

describe('targets', () => {
  it('judges every target of the issue from a full run', () => {
    const asyncSeries = series(
      'async',
      [step(100), step(500, { pssTotalMb: 1150 }), step(750, { slo: missed })],
      500,
    );
    asyncSeries.analytics = {
      rate: 500,
      rateNote: 'the sustained rate',
      groups: ['analytics'],
      slopePerSecond: 0.4,
      lagAfterDrain: 0,
      met: true,
      step: step(500, { seconds: 60 }),
    };
    const halfSync = series(
      'half-sync',
      [
        step(100, {
          syncRatio: 0.5,
          paths: { async: figures({ decisionP99Ms: 300 }), sync: figures({ decisionP99Ms: 90 }) },
        }),
        step(300, { syncRatio: 0.5, slo: missed }),
      ],
      100,
    );
    const targets = evaluateTargets(results([asyncSeries, halfSync]));
    expect(targets.map((t) => [t.name, t.verdict])).toEqual([
      ['async only: sustained rate', 'met'],
      ['half sync (0.5 sync): sustained rate', 'missed'],
      ['async order->decision p99 at 100 orders/s (half sync)', 'missed'],
      ['CPU per async order, every process summed', 'met'],
      ['demo total PSS, idle', 'met'],
      ['demo total PSS under load', 'met'],
      ['analytics keeps up at the sustained rate', 'met'],
    ]);
    expect(targets[2]!.measured).toBe('300 ms vs sync 90 ms (3.3x)');
    expect(targets[5]!.measured).toBe('1150 MB (at the sustained 500/s)');
  });

  it('gives no ratio when async orders were left undecided at the comparison step', () => {
    const halfSync = series(
      'half-sync',
      [
        step(100, {
          syncRatio: 0.5,
          slo: missed,
          paths: {
            async: figures({ decisionP99Ms: Number.POSITIVE_INFINITY }),
            sync: figures({ decisionP99Ms: 3646 }),
          },
        }),
      ],
      null,
    );
    const [, , compare] = evaluateTargets(results([halfSync]));
    expect(compare).toMatchObject({ verdict: 'missed', measured: 'undecided vs sync 3646 ms' });
  });

  it('says what was not measured, and reads per-order figures at the highest step when none was sustained', () => {
    const asyncSeries = series(
      'async',
      [step(100, { slo: missed }), step(200, { slo: missed, pssTotalMb: 1300 })],
      null,
    );
    expect(referenceStep(asyncSeries)?.note).toBe('none sustained: at the highest step, 200/s');
    const targets = evaluateTargets(results([asyncSeries]));
    expect(targets[0]).toMatchObject({
      verdict: 'missed',
      measured: 'none of the steps (up to 200/s) met the SLO',
    });
    expect(targets[1]).toMatchObject({ verdict: 'not measured', measured: 'series not run' });
    expect(targets[2]!.verdict).toBe('not measured');
    expect(targets[5]).toMatchObject({
      verdict: 'missed',
      measured: '1300 MB (none sustained: at the highest step, 200/s)',
    });
    expect(targets[6]!.verdict).toBe('not measured');
  });
});

describe('the report', () => {
  const asyncSeries = series(
    'async',
    [
      step(100),
      step(500, {
        paths: {
          async: figures({
            errors: { 'HTTP 503': 3 },
            undecided: 2,
            decisionP99Ms: Number.POSITIVE_INFINITY,
          }),
        },
        lagAfterDrain: { inventory: 0, analytics: 7 },
        drainedAfterMs: null,
        slo: {
          met: false,
          misses: ['async: 3 errors', 'lag not back to 0 within 5 s of the step: analytics 7'],
        },
      }),
    ],
    100,
  );
  const page = markdown(results([asyncSeries]), 10);

  it('has the machine, the targets, every step and the method', () => {
    expect(page).toContain('| CPU | Test CPU (2 cores available) |');
    expect(page).toContain('| Load average (1 / 5 / 15 min) at start | 1.00 / 1.00 / 1.00 |');
    expect(page).toContain(
      '| async only: sustained rate | >= 500 orders/s (goal 1000) | 100 orders/s | missed |',
    );
    expect(page).toContain('## Async only');
    expect(page).toContain('Sustained: **100 orders/s**');
    expect(page).toContain('| 100/s × 20 s | 100/s | async 0 | 4.0 ms / 30 ms | 60 ms / 400 ms |');
    expect(page).toContain('## Method');
    expect(page).toContain('10 s of');
  });

  it('ends with the JSON results it was rendered from, undecided and missing figures included', () => {
    const json = /```json\n([\s\S]*)\n```/.exec(page)?.[1];
    const read = decodeResults(json ?? 'null');
    expect(read).toEqual(results([asyncSeries]));
    const undecided = read.series[0]!.steps.find(
      (s) => s.paths.async?.decisionP99Ms === Number.POSITIVE_INFINITY,
    );
    expect(undecided).toBeDefined();
  });

  it('shows errors by kind, undecided orders, undrained steps and the SLO misses', () => {
    expect(page).toContain('async 3 HTTP 503');
    expect(page).toContain('60 ms / undecided (2 undecided)');
    expect(page).toContain('not drained');
    expect(page).toContain(
      'SLO missed: async: 3 errors; lag not back to 0 within 5 s of the step: analytics 7.',
    );
    expect(page).toContain('| analytics | 40 -> 0 | 40 -> 7 |');
  });

  it('lists CPU per order and memory per process, with the totals', () => {
    expect(page).toMatch(/\| postgres \| — \| 0\.400 \| 0\.400 \|/);
    expect(page).toContain('| **total (stack)** | 3 | **0.900** | **0.900** |');
    expect(page).toContain('| total above idle |  | 0.700 | 0.700 |');
    expect(page).toContain('| sales | 184 / 133 | 205 / 154 | 205 / 154 |');
    expect(page).toContain(
      '| **total PSS (stack, without the bench)** | **950** | **900** | **900** |',
    );
  });

  it('puts the targets between the README markers, and only there', () => {
    const readme = `# title\n\nbefore\n\n${README_START}\n\nold figures\n\n${README_END}\n\nafter\n`;
    const block = readmeBlock(results([asyncSeries]));
    expect(block).toContain('2026-12-01; load average 1.00 / 1.00 / 1.00 at the start');
    expect(block).toContain('and 2.00 / 1.50 / 1.20 at the end');
    expect(block).toContain('sustained: async 100 orders/s');
    const updated = replaceReadmeBlock(readme, block);
    expect(updated).not.toContain('old figures');
    expect(updated).toContain('| demo total PSS, idle | <= 1 GB | 950 MB | met |');
    expect(updated.startsWith('# title\n\nbefore\n\n')).toBe(true);
    expect(updated.endsWith(`${README_END}\n\nafter\n`)).toBe(true);
    expect(() => replaceReadmeBlock('# no markers', block)).toThrow(/no <!-- bench:pipeline/);
  });

  it('prints a summary with one line per step and the targets', () => {
    const summary = consoleSummary(results([asyncSeries]));
    expect(summary).toContain('async (sync share 0): sustained 100; idle PSS 950 MB');
    expect(summary).toMatch(/500\/s\s+500\s+3\s+30 ms \/ —\s+undecided \/ —\s+7/);
    expect(summary).toContain('demo total PSS, idle');
  });

  it('orders processes infrastructure first, the orchestrator last', () => {
    expect(
      processOrder(['demo', 'connect-sales', 'analytics', 'broker', 'postgres', 'sales']),
    ).toEqual(['postgres', 'broker', 'sales', 'analytics', 'connect-sales', 'demo']);
  });
});
