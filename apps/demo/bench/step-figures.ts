// Pure arithmetic over what a step recorded: per-path counts and percentiles, the SLO verdict, the
// analytics lag trend. No I/O here, so every rule the report applies is unit-tested.
import type { Decision } from './broker-probes.ts';
import type { OrderPath, SentOrder } from './open-loop.ts';

/** The SLO a step must meet to count as sustained (issue #12). */
export const SLO = {
  acceptP99Ms: 50,
  decisionP99Ms: 1000,
  lagDrainMs: 5000,
  /** Not in the issue's SLO: a step only counts when the generator really offered its rate. */
  maxLateShare: 0.01,
} as const;

/** A send that left this much after its scheduled moment is late (the generator was starved). */
export const LATE_MS = 10;

export interface PathFigures {
  sent: number;
  accepted: number;
  /** Failures by kind: `HTTP 503`, `timeout`, `ECONNRESET`, `in-flight cap`... */
  errors: Record<string, number>;
  /** HTTP answer time (sent -> answer), over every request that got an answer. */
  acceptP50Ms: number;
  acceptP99Ms: number;
  /** Sent -> CONFIRMED/REJECTED. Async: the decision's record on inventory.reservation-result. */
  decisionP50Ms: number;
  decisionP99Ms: number;
  /** Accepted orders without a decision when the step's figures were taken (count as infinitely late). */
  undecided: number;
  confirmed: number;
  rejected: number;
}

/**
 * Nearest-rank percentile where `missing` further values are unknown but larger than all known ones
 * (orders still undecided): Infinity when the rank falls among them.
 */
export function percentileWithMissing(
  values: readonly number[],
  missing: number,
  p: number,
): number {
  const n = values.length + missing;
  if (n === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  if (rank > values.length) return Number.POSITIVE_INFINITY;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[rank - 1] as number;
}

export function pathFigures(
  orders: readonly SentOrder[],
  path: OrderPath,
  decisions: ReadonlyMap<string, Decision>,
): PathFigures {
  const mine = orders.filter((order) => order.path === path);
  const errors: Record<string, number> = {};
  const answerTimes: number[] = [];
  const decisionTimes: number[] = [];
  let accepted = 0;
  let undecided = 0;
  let confirmed = 0;
  let rejected = 0;
  for (const order of mine) {
    if (Number.isFinite(order.answeredAt)) answerTimes.push(order.answeredAt - order.sentAt);
    if (order.error !== null) {
      errors[order.error] = (errors[order.error] ?? 0) + 1;
      continue;
    }
    accepted++;
    if (path === 'sync') {
      // The 201 answer is the decision.
      decisionTimes.push(order.answeredAt - order.sentAt);
      if (order.answer === 'REJECTED') rejected++;
      else confirmed++;
      continue;
    }
    const decision = order.orderId === null ? undefined : decisions.get(order.orderId);
    if (!decision) {
      undecided++;
      continue;
    }
    decisionTimes.push(decision.publishedAt - order.sentAt);
    if (decision.outcome === 'REJECTED') rejected++;
    else confirmed++;
  }
  return {
    sent: mine.length,
    accepted,
    errors,
    acceptP50Ms: percentileWithMissing(answerTimes, 0, 50),
    acceptP99Ms: percentileWithMissing(answerTimes, 0, 99),
    decisionP50Ms: percentileWithMissing(decisionTimes, undecided, 50),
    decisionP99Ms: percentileWithMissing(decisionTimes, undecided, 99),
    undecided,
    confirmed,
    rejected,
  };
}

export interface Lateness {
  late: number;
  p99Ms: number;
  maxMs: number;
}

export function lateness(orders: readonly SentOrder[]): Lateness {
  const delays = orders.map((order) => order.sentAt - order.scheduledAt).filter(Number.isFinite);
  return {
    late: delays.filter((delay) => delay > LATE_MS).length,
    p99Ms: percentileWithMissing(delays, 0, 99),
    maxMs: delays.length === 0 ? Number.NaN : Math.max(...delays),
  };
}

export interface SloInput {
  paths: Partial<Record<OrderPath, PathFigures>>;
  /** Each group's lag once back at 0 within SLO.lagDrainMs of the step's last send, else at that moment. */
  lagAfterDrain: Record<string, number>;
  sent: number;
  lateSends: number;
}

export interface SloVerdict {
  met: boolean;
  /** What missed, in words, for the report. Empty when met. */
  misses: string[];
}

export function sloVerdict(step: SloInput): SloVerdict {
  const misses: string[] = [];
  for (const [path, figures] of Object.entries(step.paths)) {
    if (!figures || figures.sent === 0) continue;
    const errorCount = Object.values(figures.errors).reduce((sum, n) => sum + n, 0);
    if (errorCount > 0) misses.push(`${path}: ${errorCount} errors`);
    if (!(figures.acceptP99Ms <= SLO.acceptP99Ms)) {
      misses.push(
        `${path}: accept p99 ${formatMsShort(figures.acceptP99Ms)} > ${SLO.acceptP99Ms} ms`,
      );
    }
    if (!(figures.decisionP99Ms <= SLO.decisionP99Ms)) {
      misses.push(
        `${path}: decision p99 ${formatMsShort(figures.decisionP99Ms)} > ${SLO.decisionP99Ms} ms`,
      );
    }
  }
  const behind = Object.entries(step.lagAfterDrain).filter(([, lag]) => lag > 0);
  if (behind.length > 0) {
    misses.push(
      `lag not back to 0 within ${SLO.lagDrainMs / 1000} s of the step: ${behind.map(([group, lag]) => `${group} ${lag}`).join(', ')}`,
    );
  }
  if (step.sent > 0 && step.lateSends / step.sent > SLO.maxLateShare) {
    misses.push(`generator late on ${step.lateSends} of ${step.sent} sends`);
  }
  return { met: misses.length === 0, misses };
}

/** The highest rate among steps that met the SLO (steps ordered by rate), or null. */
export function sustainedRate(steps: readonly { rate: number; slo: SloVerdict }[]): number | null {
  let best: number | null = null;
  for (const step of steps)
    if (step.slo.met && (best === null || step.rate > best)) best = step.rate;
  return best;
}

/** Least-squares slope of y over x (records per second for lag samples); 0 with fewer than 2 points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - meanX) * (p.y - meanY);
    den += (p.x - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * How often the "analytics keeps up" run samples the group's lag. The lag read is the committed one,
 * a sawtooth of about a second's records as commits (every 250 ms) and lingering fetches (100 ms)
 * come and go: at 750 orders/s, samples every 5 s (11 in a minute) gave the trend a standard error
 * of about 10 records/s, more than the 7.5 the check allows; 61 samples bring it to about 4.
 */
export const ANALYTICS_LAG_SAMPLE_MS = 1000;

/**
 * "Analytics keeps up": over the run its lag shows no upward trend (slope under 1 % of the order
 * rate, i.e. it falls behind by less than one order in a hundred) and it is back to 0 within
 * SLO.lagDrainMs of the end.
 */
export function analyticsKeepsUp(
  samples: readonly { atSeconds: number; lag: number }[],
  rate: number,
  lagAfterDrain: number,
): { met: boolean; slopePerSecond: number } {
  const slopePerSecond = slope(samples.map((s) => ({ x: s.atSeconds, y: s.lag })));
  return { met: slopePerSecond < rate * 0.01 && lagAfterDrain === 0, slopePerSecond };
}

export function formatMsShort(ms: number): string {
  if (ms === Number.POSITIVE_INFINITY) return 'undecided';
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
