import { formatMs, formatRate, formatTable } from '../format/table.ts';
import { ORDER_PATHS } from './load-generator.ts';
import type { LoadResult } from './load-generator.ts';

/** The closing table of a load run: one row per order path. */
export function formatLoadSummary(result: LoadResult): string {
  const rows = ORDER_PATHS.map((path) => {
    const p = result.paths[path];
    return [
      path,
      String(p.sent),
      String(p.accepted),
      String(p.failed),
      formatMs(p.latency.p50),
      formatMs(p.latency.p95),
      formatMs(p.latency.p99),
      formatRate(p.throughput),
    ];
  });
  const table = formatTable(
    [
      { header: 'path' },
      { header: 'sent', align: 'right' },
      { header: 'accepted', align: 'right' },
      { header: 'failed', align: 'right' },
      { header: 'p50', align: 'right' },
      { header: 'p95', align: 'right' },
      { header: 'p99', align: 'right' },
      { header: 'throughput', align: 'right' },
    ],
    rows,
  );
  const notes: string[] = [];
  for (const path of ORDER_PATHS) {
    const p = result.paths[path];
    const statuses = Object.entries(p.statuses)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ');
    const failures = Object.entries(p.failures)
      .map(([cause, n]) => `${cause} ${n}`)
      .join(', ');
    if (statuses) notes.push(`${path} answers: ${statuses}`);
    if (failures) notes.push(`${path} failures: ${failures}`);
  }
  if (result.skipped > 0) {
    notes.push(
      `${result.skipped} orders not sent: too many requests already waiting for an answer`,
    );
  }
  notes.push(`run: ${(result.elapsedMs / 1000).toFixed(1)} s`);
  return [table, '', ...notes].join('\n');
}
