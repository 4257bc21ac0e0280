import { formatMs, formatTable } from '../format/table.ts';
import { ORDER_PATHS } from '../load/load-generator.ts';
import { percentile } from '../load/latency-stats.ts';
import { asyncPathHeld } from './scenario-report.ts';
import type { ScenarioReport } from './scenario-report.ts';

/** The scenario's result: the two paths side by side, then what happened when, then the verdict. */
export function formatScenarioReport(report: ScenarioReport): string {
  const cell = (fn: (path: 'async' | 'sync') => string) => ORDER_PATHS.map(fn);
  const rows: string[][] = [
    ['sent', ...cell((p) => String(report.load.paths[p].sent))],
    ['accepted', ...cell((p) => String(report.load.paths[p].accepted))],
    ['failed', ...cell((p) => String(report.load.paths[p].failed))],
    ['p50 latency', ...cell((p) => formatMs(report.load.paths[p].latency.p50))],
    ['p99 latency', ...cell((p) => formatMs(report.load.paths[p].latency.p99))],
    ['p99 order to decision', ...cell((p) => formatMs(percentile(report.audit[p].decisionMs, 99)))],
    [
      'all final after load end',
      ...cell((p) => {
        const audit = report.audit[p];
        if (audit.accepted === 0) return '—';
        return audit.allFinalAfterMs === null ? 'not yet' : formatMs(audit.allFinalAfterMs);
      }),
    ],
    ['confirmed / rejected', ...cell((p) => confirmedRejected(report, p))],
    ['still pending', ...cell((p) => String(report.audit[p].unfinished))],
    ['lost', ...cell((p) => String(report.audit[p].lost))],
  ];
  const table = formatTable(
    [{ header: '' }, { header: 'async', align: 'right' }, { header: 'sync', align: 'right' }],
    rows,
  );
  const timeline =
    report.timeline.length === 0
      ? 'timeline: no faults'
      : `timeline: ${report.timeline
          .map(
            (t) =>
              `+${(t.atMs / 1000).toFixed(1)} s ${t.label} (${t.error ? `FAILED: ${t.error}` : `done in ${formatMs(t.tookMs)}`})`,
          )
          .join('; ')}`;
  const failures = ORDER_PATHS.flatMap((p) => {
    const causes = Object.entries(report.load.paths[p].failures);
    return causes.length === 0
      ? []
      : [`${p} failures: ${causes.map(([c, n]) => `${c} ${n}`).join(', ')}`];
  });
  const verdict = asyncPathHeld(report)
    ? 'verdict: PASS: every accepted async order reached a final state and none was lost'
    : `verdict: FAIL: async path lost ${report.audit.async.lost} and left ${report.audit.async.unfinished} pending`;
  return [
    `scenario ${report.scenario}: ${report.rate} orders/s for ${report.durationSeconds} s, sync share ${report.syncRatio}`,
    report.description,
    '',
    table,
    '',
    timeline,
    ...failures,
    verdict,
  ].join('\n');
}

function confirmedRejected(report: ScenarioReport, path: 'async' | 'sync'): string {
  const audit = report.audit[path];
  return audit.accepted === 0 ? '—' : `${audit.confirmed} / ${audit.rejected}`;
}
