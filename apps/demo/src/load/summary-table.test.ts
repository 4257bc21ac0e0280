import { describe, expect, it } from 'vitest';
import type { LoadResult, PathSummary } from './load-generator.ts';
import { renderProgress } from './progress-bar.ts';
import { formatLoadSummary } from './summary-table.ts';

function path(p: 'async' | 'sync', over: Partial<PathSummary>): PathSummary {
  return {
    path: p,
    sent: 0,
    accepted: 0,
    failed: 0,
    failures: {},
    statuses: {},
    latency: { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN },
    throughput: 0,
    ...over,
  };
}

describe('formatLoadSummary', () => {
  it('prints one aligned row per path with counts, percentiles and throughput', () => {
    const result: LoadResult = {
      startedAt: new Date(0),
      elapsedMs: 60_000,
      skipped: 0,
      accepted: [],
      paths: {
        async: path('async', {
          sent: 6000,
          accepted: 6000,
          statuses: { PENDING: 6000 },
          latency: { p50: 4.25, p95: 12.4, p99: 30.2, max: 80 },
          throughput: 100,
        }),
        sync: path('sync', {
          sent: 6000,
          accepted: 5400,
          failed: 600,
          failures: { 'HTTP 503': 600 },
          statuses: { CONFIRMED: 5000, REJECTED: 400 },
          latency: { p50: 150, p95: 2010, p99: 2100, max: 12_500 },
          throughput: 90,
        }),
      },
    };
    expect(formatLoadSummary(result)).toBe(
      [
        'path   sent  accepted  failed     p50      p95      p99  throughput',
        '-----  ----  --------  ------  ------  -------  -------  ----------',
        'async  6000      6000       0  4.3 ms    12 ms    30 ms     100.0/s',
        'sync   6000      5400     600  150 ms  2010 ms  2100 ms      90.0/s',
        '',
        'async answers: PENDING 6000',
        'sync answers: CONFIRMED 5000, REJECTED 400',
        'sync failures: HTTP 503 600',
        'run: 60.0 s',
      ].join('\n'),
    );
  });

  it('shows a dash where a path had no answers to measure', () => {
    const result: LoadResult = {
      startedAt: new Date(0),
      elapsedMs: 1000,
      skipped: 3,
      accepted: [],
      paths: { async: path('async', {}), sync: path('sync', {}) },
    };
    const text = formatLoadSummary(result);
    expect(text.split('\n')[2]).toBe('async     0         0       0    —    —    —       0.0/s');
    expect(text).toContain('3 orders not sent');
  });
});

describe('renderProgress', () => {
  it('draws the share of the duration done and the running counters', () => {
    const counters = { sent: 30, accepted: 28, failed: 2, failures: {}, statuses: {} };
    const line = renderProgress(
      {
        elapsedMs: 5000,
        durationMs: 10_000,
        inFlight: 4,
        skipped: 0,
        paths: { async: counters, sync: counters },
      },
      10,
    );
    expect(line).toBe('[#####.....]  50% 5s  sent 60  ok 56  failed 4  in flight 4  12/s');
  });
});
