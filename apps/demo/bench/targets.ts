// Issue #12's targets, judged from a run's results.
import type { PipelineResults, SeriesResult, StepResult, Target } from './bench-results.ts';
import { formatMsShort } from './step-figures.ts';

const ASYNC_SUSTAINED = 500;
const ASYNC_GOAL = 1000;
const HALF_SYNC_SUSTAINED = 300;
const COMPARE_RATE = 100;
const ASYNC_VS_SYNC = 3;
const CPU_PER_ASYNC_ORDER_MS = 2;
const PSS_IDLE_MB = 1000;
const PSS_LOADED_MB = 1200;

const verdict = (met: boolean | null): Target['verdict'] =>
  met === null ? 'not measured' : met ? 'met' : 'missed';

function seriesNamed(results: PipelineResults, name: string): SeriesResult | undefined {
  return results.series.find((series) => series.name === name);
}

/** The step the per-order and footprint targets are read at: the sustained one, else the highest measured. */
export function referenceStep(series: SeriesResult): { step: StepResult; note: string } | null {
  if (series.steps.length === 0) return null;
  const sustained = series.steps.find((step) => step.rate === series.sustained);
  if (sustained) return { step: sustained, note: `at the sustained ${sustained.rate}/s` };
  const highest = series.steps.reduce((a, b) => (b.rate > a.rate ? b : a));
  return { step: highest, note: `none sustained: at the highest step, ${highest.rate}/s` };
}

export function evaluateTargets(results: PipelineResults): Target[] {
  const targets: Target[] = [];
  const asyncOnly = seriesNamed(results, 'async');
  const halfSync = seriesNamed(results, 'half-sync');

  const sustainedTarget = (name: string, series: SeriesResult | undefined, wanted: number) => {
    const highest = series?.steps.at(-1)?.rate;
    targets.push({
      name,
      wanted: `>= ${wanted} orders/s${name.startsWith('async') ? ` (goal ${ASYNC_GOAL})` : ''}`,
      measured: !series
        ? 'series not run'
        : series.sustained === null
          ? `none of the steps (up to ${highest}/s) met the SLO`
          : `${series.sustained} orders/s`,
      verdict: verdict(series ? (series.sustained ?? 0) >= wanted : null),
    });
  };
  sustainedTarget('async only: sustained rate', asyncOnly, ASYNC_SUSTAINED);
  sustainedTarget(
    `half sync (${halfSync?.syncRatio ?? 0.5} sync): sustained rate`,
    halfSync,
    HALF_SYNC_SUSTAINED,
  );

  const compare = halfSync?.steps.find((step) => step.rate === COMPARE_RATE);
  const asyncP99 = compare?.paths.async?.decisionP99Ms;
  const syncP99 = compare?.paths.sync?.decisionP99Ms;
  const comparable = asyncP99 !== undefined && syncP99 !== undefined && Number.isFinite(syncP99);
  targets.push({
    name: `async order->decision p99 at ${COMPARE_RATE} orders/s (half sync)`,
    wanted: `<= ${ASYNC_VS_SYNC}x the sync path's`,
    measured: comparable
      ? `${formatMsShort(asyncP99)} vs sync ${formatMsShort(syncP99)}` +
        // Undecided async orders rank as infinitely late: there is no ratio to print then.
        (Number.isFinite(asyncP99) ? ` (${(asyncP99 / syncP99).toFixed(1)}x)` : '')
      : `no ${COMPARE_RATE}/s step in the half-sync series`,
    verdict: verdict(comparable ? asyncP99 <= ASYNC_VS_SYNC * syncP99 : null),
  });

  const asyncRef = asyncOnly ? referenceStep(asyncOnly) : null;
  const cpu = asyncRef?.step.cpuMsPerOrder.total;
  targets.push({
    name: 'CPU per async order, every process summed',
    wanted: `<= ${CPU_PER_ASYNC_ORDER_MS} ms`,
    measured:
      asyncRef && cpu !== undefined ? `${cpu.toFixed(2)} ms (${asyncRef.note})` : 'not measured',
    verdict: verdict(asyncRef && cpu !== undefined ? cpu <= CPU_PER_ASYNC_ORDER_MS : null),
  });

  const idle = asyncOnly?.idle ?? halfSync?.idle;
  targets.push({
    name: 'demo total PSS, idle',
    wanted: `<= ${PSS_IDLE_MB / 1000} GB`,
    measured: idle ? `${Math.round(idle.pssTotalMb)} MB` : 'not measured',
    verdict: verdict(idle ? idle.pssTotalMb <= PSS_IDLE_MB : null),
  });
  const loaded = [asyncOnly, halfSync]
    .map((series) => (series ? referenceStep(series) : null))
    .filter((ref): ref is NonNullable<typeof ref> => ref !== null)
    .sort((a, b) => b.step.pssTotalMb - a.step.pssTotalMb)[0];
  targets.push({
    name: 'demo total PSS under load',
    wanted: `<= ${PSS_LOADED_MB / 1000} GB at the sustained rate`,
    measured: loaded ? `${Math.round(loaded.step.pssTotalMb)} MB (${loaded.note})` : 'not measured',
    verdict: verdict(loaded ? loaded.step.pssTotalMb <= PSS_LOADED_MB : null),
  });

  const analytics = asyncOnly?.analytics;
  targets.push({
    name: 'analytics keeps up at the sustained rate',
    wanted: 'lag does not grow over 60 s, 0 within 5 s of the end',
    measured: analytics
      ? `${analytics.rate}/s for ${analytics.step.seconds} s (${analytics.rateNote}): lag trend ${analytics.slopePerSecond} records/s, ${analytics.lagAfterDrain} behind within 5 s of the end`
      : 'not run',
    verdict: verdict(analytics ? analytics.met : null),
  });
  return targets;
}
