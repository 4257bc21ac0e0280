import { describe, expect, it } from 'vitest';
import type { PathSummary } from '../load/load-generator.ts';
import type { PathAudit } from './order-audit.ts';
import type { ScenarioReport } from './scenario-report.ts';
import { formatScenarioReport } from './scenario-table.ts';

function summary(path: 'async' | 'sync', over: Partial<PathSummary>): PathSummary {
  return {
    path,
    sent: 0,
    accepted: 0,
    failed: 0,
    failures: {},
    statuses: {},
    latency: { p50: 0, p95: 0, p99: 0, max: 0 },
    throughput: 0,
    ...over,
  };
}

function audit(over: Partial<PathAudit>): PathAudit {
  return {
    accepted: 0,
    final: 0,
    confirmed: 0,
    rejected: 0,
    unfinished: 0,
    lost: 0,
    allFinalAfterMs: null,
    decisionMs: [],
    ...over,
  };
}

function report(asyncAudit: Partial<PathAudit>): ScenarioReport {
  return {
    scenario: 'inventory-outage',
    description: 'Inventory is stopped for 15 s.',
    rate: 20,
    durationSeconds: 40,
    syncRatio: 0.5,
    load: {
      startedAt: new Date(0),
      elapsedMs: 40_000,
      skipped: 0,
      paths: {
        async: summary('async', {
          sent: 400,
          accepted: 400,
          latency: { p50: 12, p95: 30, p99: 41, max: 60 },
        }),
        sync: summary('sync', {
          sent: 400,
          accepted: 250,
          failed: 150,
          failures: { 'HTTP 503': 150 },
          latency: { p50: 160, p95: 1900, p99: 2010, max: 2100 },
        }),
      },
    },
    audit: {
      async: audit({
        accepted: 400,
        final: 400,
        confirmed: 380,
        rejected: 20,
        allFinalAfterMs: 12_300,
        decisionMs: [100, 200, 16_000],
        ...asyncAudit,
      }),
      sync: audit({
        accepted: 250,
        final: 250,
        confirmed: 240,
        rejected: 10,
        allFinalAfterMs: 0,
        decisionMs: [150, 170],
      }),
    },
    timeline: [
      { atMs: 10_004, label: 'stop inventory', tookMs: 310 },
      { atMs: 25_001, label: 'start inventory', tookMs: 5120 },
    ],
  };
}

describe('formatScenarioReport', () => {
  it('puts the two paths side by side, then the timeline and a passing verdict', () => {
    expect(formatScenarioReport(report({}))).toBe(
      [
        'scenario inventory-outage: 20 orders/s for 40 s, sync share 0.5',
        'Inventory is stopped for 15 s.',
        '',
        '                             async      sync',
        '------------------------  --------  --------',
        'sent                           400       400',
        'accepted                       400       250',
        'failed                           0       150',
        'p50 latency                  12 ms    160 ms',
        'p99 latency                  41 ms   2010 ms',
        'p99 order to decision       16.0 s    170 ms',
        'all final after load end    12.3 s      0 ms',
        'confirmed / rejected      380 / 20  240 / 10',
        'still pending                    0         0',
        'lost                             0         0',
        '',
        'timeline: +10.0 s stop inventory (done in 310 ms); +25.0 s start inventory (done in 5120 ms)',
        'sync failures: HTTP 503 150',
        'verdict: PASS: every accepted async order reached a final state and none was lost',
      ].join('\n'),
    );
  });

  it('fails the verdict when an accepted async order was lost or never decided', () => {
    const text = formatScenarioReport(
      report({ final: 397, lost: 1, unfinished: 2, allFinalAfterMs: null }),
    );
    expect(text).toContain('verdict: FAIL: async path lost 1 and left 2 pending');
    expect(text).toMatch(/all final after load end\s+not yet/);
  });
});
