import { DemoError } from '@retail-streams/demo-stack';
import { summariseLatencies } from './latency-stats.ts';
import { DEFAULT_SKUS, randomOrder } from './order-factory.ts';

export type OrderPath = 'async' | 'sync';
export const ORDER_PATHS: readonly OrderPath[] = ['async', 'sync'];

export interface LoadOptions {
  /** Base URL of sales, e.g. http://127.0.0.1:3001. */
  salesUrl: string;
  /** Orders per second (open loop: sent on schedule whether or not earlier ones were answered). */
  rate: number;
  /** How long to send; `Infinity` sends until the signal aborts. */
  durationMs: number;
  /** Share of orders placed with `?mode=sync` (0..1). */
  syncRatio: number;
  /** The rate at a moment of the run, overriding `rate` (a burst, a ramp). */
  rateAt?: (elapsedMs: number) => number;
  skus?: readonly string[];
  signal?: AbortSignal;
  /** Requests waiting for an answer at most; beyond it orders are skipped, not queued. */
  maxInFlight?: number;
  requestTimeoutMs?: number;
  onProgress?: (progress: LoadProgress) => void;
  progressIntervalMs?: number;
  random?: () => number;
}

export interface PathCounters {
  sent: number;
  /** Answered 201/202: the order exists in sales. */
  accepted: number;
  /** Any other answer, or none (refused, timed out). */
  failed: number;
  /** Failures by cause: `HTTP 503`, `ECONNREFUSED`, `timeout`... */
  failures: Record<string, number>;
  /** Accepted orders by the status sales gave in its answer (PENDING, CONFIRMED, REJECTED). */
  statuses: Record<string, number>;
}

export interface LoadProgress {
  elapsedMs: number;
  durationMs: number;
  inFlight: number;
  skipped: number;
  paths: Record<OrderPath, PathCounters>;
}

export interface AcceptedOrder {
  orderId: string;
  path: OrderPath;
  /** What sales said in its answer. */
  status: string;
  /** Milliseconds since the run's start when the answer came. */
  answeredAtMs: number;
}

export interface PathSummary extends PathCounters {
  path: OrderPath;
  /** Over every request that got an HTTP answer (a 503 after a timeout counts: it is what clients wait). */
  latency: { p50: number; p95: number; p99: number; max: number };
  /** Accepted orders per second of the run. */
  throughput: number;
}

export interface LoadResult {
  startedAt: Date;
  elapsedMs: number;
  skipped: number;
  paths: Record<OrderPath, PathSummary>;
  accepted: AcceptedOrder[];
}

const TICK_MS = 10;

/**
 * Sends orders to sales at a steady rate and measures both paths. Open loop on purpose: a slow
 * server does not slow the sender down, so the latency a client would see under that arrival rate
 * is measured instead of hidden (closed-loop generators under-report it).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  validate(options);
  const random = options.random ?? Math.random;
  const skus = options.skus ?? DEFAULT_SKUS;
  const maxInFlight = options.maxInFlight ?? 2000;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const ordersUrl = `${options.salesUrl.replace(/\/$/, '')}/orders`;
  const counters: Record<OrderPath, PathCounters> = {
    async: emptyCounters(),
    sync: emptyCounters(),
  };
  const latencies: Record<OrderPath, number[]> = { async: [], sync: [] };
  const accepted: AcceptedOrder[] = [];
  const pending = new Set<Promise<void>>();
  let skipped = 0;
  const startedAt = new Date();
  const start = performance.now();
  const elapsed = () => performance.now() - start;

  const send = (path: OrderPath) => {
    const c = counters[path];
    c.sent++;
    const began = performance.now();
    const request = fetch(path === 'sync' ? `${ordersUrl}?mode=sync` : ordersUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(randomOrder(skus, random)),
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then(async (response) => {
        const text = await response.text();
        latencies[path].push(performance.now() - began);
        if (response.status === 201 || response.status === 202) {
          const body = parseJson(text);
          const orderId =
            (typeof body?.orderId === 'string' && body.orderId) ||
            response.headers.get('location')?.split('/').pop() ||
            '';
          const status = typeof body?.status === 'string' ? body.status : 'UNKNOWN';
          c.accepted++;
          c.statuses[status] = (c.statuses[status] ?? 0) + 1;
          accepted.push({ orderId, path, status, answeredAtMs: elapsed() });
        } else {
          fail(c, `HTTP ${response.status}`);
        }
      })
      .catch((error: unknown) => fail(c, failureCause(error)))
      .finally(() => pending.delete(request));
    pending.add(request);
  };

  const report = () =>
    options.onProgress?.({
      elapsedMs: Math.min(elapsed(), options.durationMs),
      durationMs: options.durationMs,
      inFlight: pending.size,
      skipped,
      paths: counters,
    });

  await pace(options, elapsed, report, () => {
    if (pending.size >= maxInFlight) skipped++;
    else send(random() < options.syncRatio ? 'sync' : 'async');
  });
  // Every order sent gets its answer (or its timeout) before the result is final.
  while (pending.size > 0) {
    await Promise.race([...pending, new Promise((r) => setTimeout(r, 250))]);
    report();
  }
  const elapsedMs = Math.min(elapsed(), Math.max(options.durationMs, 1));
  const seconds = Math.max(elapsed(), 1) / 1000;
  const summary = (path: OrderPath): PathSummary => ({
    path,
    ...counters[path],
    latency: summariseLatencies(latencies[path]),
    throughput: counters[path].accepted / seconds,
  });
  report();
  return {
    startedAt,
    elapsedMs,
    skipped,
    paths: { async: summary('async'), sync: summary('sync') },
    accepted,
  };
}

/**
 * Calls `issue` once per order due at the asked rate until the duration is over (or the signal
 * aborts), and `report` every progress interval.
 */
function pace(
  options: LoadOptions,
  elapsed: () => number,
  report: () => void,
  issue: () => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let due = 0;
    let issued = 0;
    let lastTick = 0;
    let lastReport = 0;
    const interval = options.progressIntervalMs ?? 250;
    const tick = () => {
      const now = elapsed();
      const done = now >= options.durationMs || options.signal?.aborted === true;
      const until = Math.min(now, options.durationMs);
      // Integrate the rate since the last tick in 1 ms steps, so a rate change (a burst) lands
      // where it was asked for even when the event loop was late.
      for (let t = lastTick; t < until; t += 1) {
        const rate = options.rateAt ? options.rateAt(t) : options.rate;
        due += (Math.max(0, rate) * Math.min(1, until - t)) / 1000;
      }
      lastTick = Math.max(lastTick, until);
      // The epsilon absorbs floating-point dust: 100/s for 1 s sends 100 orders, not 99.
      const target = Math.floor(due + 1e-6);
      while (issued < target && !options.signal?.aborted) {
        issued++;
        issue();
      }
      if (now - lastReport >= interval) {
        lastReport = now;
        report();
      }
      if (done) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, TICK_MS);
    tick();
  });
}

function emptyCounters(): PathCounters {
  return { sent: 0, accepted: 0, failed: 0, failures: {}, statuses: {} };
}

function fail(counters: PathCounters, cause: string): void {
  counters.failed++;
  counters.failures[cause] = (counters.failures[cause] ?? 0) + 1;
}

function failureCause(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.code ?? 'network error';
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function validate(options: LoadOptions): void {
  if (!(options.rate > 0) && !options.rateAt) {
    throw new DemoError('BAD_ARGUMENT', `rate must be a positive number of orders per second`);
  }
  if (!(options.durationMs > 0)) {
    throw new DemoError('BAD_ARGUMENT', `duration must be positive`);
  }
  if (!(options.syncRatio >= 0 && options.syncRatio <= 1)) {
    throw new DemoError('BAD_ARGUMENT', `sync ratio must be between 0 and 1`);
  }
}
