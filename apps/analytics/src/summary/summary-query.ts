import type { SqlExecutor } from '@retail-streams/streaming-client';
import { topN } from '@retail-streams/streaming-processing';
import {
  MINUTE_MS,
  aggregations,
  type OrdersPerMinute,
  type RequestsPerMinute,
  type RevenuePerMinute,
  type SkuDemand,
  type TopologySettings,
  type UnitsPerSku,
} from '../processing/analytics-topology.ts';
import type {
  AnalyticsSummary,
  DurationStats,
  LateEventView,
  MinuteStats,
  PurchaseOrderView,
  SkuStock,
  TopProductsWindow,
} from './summary-types.ts';

const RECENT = 20;
const MINUTES_SHOWN = 60;
const TOP_WINDOWS_SHOWN = 5;
const TOP_PRODUCTS = 5;

interface WindowRow {
  aggregation: string;
  key: string;
  window_start: bigint;
  window_end: bigint;
  value: unknown;
  final: boolean;
}

const iso = (ms: number | bigint) => new Date(Number(ms)).toISOString();

export interface SummaryContext {
  settings: TopologySettings;
  processing: AnalyticsSummary['processing'];
}

/**
 * Builds the summary from the database alone: the aggregates are what was committed, so every reader
 * (this instance, another one, one after a restart) sees the same numbers.
 */
export async function readSummary(
  db: SqlExecutor,
  context: SummaryContext,
): Promise<AnalyticsSummary> {
  const windows = await db.$queryRawUnsafe<WindowRow[]>(
    `SELECT aggregation, key, window_start, window_end, value, final FROM window_results
      ORDER BY window_start, aggregation, key`,
  );
  const keyed = await db.$queryRawUnsafe<
    Array<{ aggregation: string; key: string; value: unknown }>
  >(`SELECT aggregation, key, value FROM keyed_results ORDER BY aggregation, key`);
  return {
    generatedAt: new Date().toISOString(),
    processing: context.processing,
    settings: {
      windowMs: MINUTE_MS,
      graceMs: context.settings.graceMs,
      topProducts: { ...context.settings.topProducts },
    },
    perMinute: perMinute(windows),
    late: await late(db),
    topProducts: topProducts(windows, context.settings),
    outcomes: outcomes(keyed),
    latency: await latency(db),
    stock: await stock(db, keyed),
    stockOuts: await stockOuts(db),
    reordering: await reordering(db),
    requests: requests(windows),
  };
}

function perMinute(windows: readonly WindowRow[]): MinuteStats[] {
  const minutes = new Map<number, MinuteStats>();
  const minute = (row: WindowRow) => {
    const start = Number(row.window_start);
    let stats = minutes.get(start);
    if (stats === undefined) {
      stats = {
        windowStart: iso(start),
        windowEnd: iso(row.window_end),
        orders: 0,
        asyncOrders: 0,
        syncOrders: 0,
        units: 0,
        revenue: 0,
        confirmedOrders: 0,
        final: true,
      };
      minutes.set(start, stats);
    }
    stats.final &&= row.final;
    return stats;
  };
  for (const row of windows) {
    if (row.aggregation === aggregations.ordersPerMinute) {
      const value = row.value as OrdersPerMinute;
      Object.assign(minute(row), {
        orders: value.orders,
        asyncOrders: value.asyncOrders,
        syncOrders: value.syncOrders,
        units: value.units,
      });
    } else if (row.aggregation === aggregations.revenuePerMinute) {
      const value = row.value as RevenuePerMinute;
      Object.assign(minute(row), {
        revenue: value.revenueCents / 100,
        confirmedOrders: value.confirmedOrders,
      });
    }
  }
  return [...minutes.entries()]
    .sort(([a], [b]) => a - b)
    .slice(-MINUTES_SHOWN)
    .map(([, stats]) => stats);
}

async function late(db: SqlExecutor): Promise<AnalyticsSummary['late']> {
  const counts = await db.$queryRawUnsafe<Array<{ aggregation: string; count: number }>>(
    `SELECT aggregation, count(*)::int AS count FROM late_events GROUP BY aggregation ORDER BY aggregation`,
  );
  const recent = await db.$queryRawUnsafe<
    Array<{
      aggregation: string;
      topic: string;
      partition: number;
      offset: bigint;
      event_time: Date;
      stream_time: Date;
      windows: Array<{ start: number; end: number }>;
    }>
  >(
    `SELECT aggregation, topic, partition, "offset", event_time, stream_time, windows FROM late_events
      ORDER BY event_time DESC, aggregation, topic, partition, "offset" LIMIT ${RECENT}`,
  );
  return {
    total: counts.reduce((sum, row) => sum + row.count, 0),
    byAggregation: Object.fromEntries(counts.map((row) => [row.aggregation, row.count])),
    recent: recent.map((row): LateEventView => ({
      aggregation: row.aggregation,
      topic: row.topic,
      partition: row.partition,
      offset: row.offset.toString(),
      eventTime: row.event_time.toISOString(),
      streamTime: row.stream_time.toISOString(),
      windows: row.windows.map((window) => ({ start: iso(window.start), end: iso(window.end) })),
    })),
  };
}

function topProducts(
  windows: readonly WindowRow[],
  settings: TopologySettings,
): AnalyticsSummary['topProducts'] {
  const rows = windows
    .filter((row) => row.aggregation === aggregations.topProducts)
    .sort((a, b) => Number(b.window_start - a.window_start));
  const view = (row: WindowRow): TopProductsWindow => ({
    windowStart: iso(row.window_start),
    windowEnd: iso(row.window_end),
    products: topN(row.value as UnitsPerSku, TOP_PRODUCTS).map((entry) => ({
      sku: entry.key,
      units: entry.value,
    })),
  });
  // Of the windows holding the latest order, the one that starts earliest covers a whole window length.
  const latestEnd = rows.length === 0 ? undefined : Number(rows[0]!.window_end);
  const currentEnd =
    latestEnd === undefined
      ? undefined
      : latestEnd - settings.topProducts.windowMs + settings.topProducts.advanceMs;
  const current = rows.find((row) => Number(row.window_end) === currentEnd);
  return {
    current: current === undefined ? null : view(current),
    windows: rows.slice(0, TOP_WINDOWS_SHOWN).map(view),
  };
}

function outcomes(
  keyed: ReadonlyArray<{ aggregation: string; key: string; value: unknown }>,
): AnalyticsSummary['outcomes'] {
  const result = { async: { confirmed: 0, rejected: 0 }, sync: { confirmed: 0, rejected: 0 } };
  for (const row of keyed) {
    if (row.aggregation !== aggregations.outcomes) continue;
    const [mode, outcome] = row.key.split(':') as ['async' | 'sync', 'confirmed' | 'rejected'];
    if (mode in result && (outcome === 'confirmed' || outcome === 'rejected')) {
      result[mode][outcome] = row.value as number;
    }
  }
  return result;
}

const durationStatsSql = (expression: string) => `
  count(*)::int AS count,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY ${expression}) AS p50,
  percentile_disc(0.95) WITHIN GROUP (ORDER BY ${expression}) AS p95,
  percentile_disc(0.99) WITHIN GROUP (ORDER BY ${expression}) AS p99,
  min(${expression}) AS min, max(${expression}) AS max, avg(${expression})::float8 AS mean`;

interface DurationRow {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

function durationStats(row: DurationRow | undefined): DurationStats {
  const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    count: row?.count ?? 0,
    p50: num(row?.p50),
    p95: num(row?.p95),
    p99: num(row?.p99),
    min: num(row?.min),
    max: num(row?.max),
    mean: row?.mean === null || row?.mean === undefined ? null : Math.round(row.mean * 10) / 10,
  };
}

const millisBetween = (from: string, to: string) =>
  `(round(extract(epoch FROM (${to} - ${from})) * 1000))::int`;

async function latency(db: SqlExecutor): Promise<AnalyticsSummary['latency']> {
  // Exact percentiles over the joined rows (one per order), which do not depend on arrival order.
  const rows = await db.$queryRawUnsafe<Array<DurationRow & { mode: string }>>(
    `SELECT mode, ${durationStatsSql(millisBetween('placed_at', 'resolved_at'))}
       FROM order_timings WHERE placed_at IS NOT NULL AND resolved_at IS NOT NULL
      GROUP BY mode`,
  );
  return {
    async: durationStats(rows.find((row) => row.mode === 'async')),
    sync: durationStats(rows.find((row) => row.mode === 'sync')),
  };
}

async function stock(
  db: SqlExecutor,
  keyed: ReadonlyArray<{ aggregation: string; key: string; value: unknown }>,
): Promise<SkuStock[]> {
  const levels = await db.$queryRawUnsafe<
    Array<{ sku: string; available: number; reorder_point: number }>
  >(`SELECT sku, available, reorder_point FROM stock_levels`);
  const outs = await db.$queryRawUnsafe<Array<{ sku: string; count: number; last: Date }>>(
    `SELECT sku, count(*)::int AS count, max(occurred_at) AS last FROM stock_outs GROUP BY sku`,
  );
  const demand = new Map(
    keyed
      .filter((row) => row.aggregation === aggregations.demandBySku)
      .map((row) => [row.key, row.value as SkuDemand]),
  );
  const skus = [
    ...new Set([...levels.map((row) => row.sku), ...outs.map((row) => row.sku), ...demand.keys()]),
  ].sort();
  return skus.map((sku) => {
    const level = levels.find((row) => row.sku === sku);
    const out = outs.find((row) => row.sku === sku);
    const ordered = demand.get(sku);
    return {
      sku,
      available: level?.available ?? null,
      reorderPoint: level?.reorder_point ?? null,
      belowReorderPoint: level !== undefined && level.available <= level.reorder_point,
      stockOuts: out?.count ?? 0,
      lastStockOutAt: out?.last.toISOString() ?? null,
      unitsOrdered: ordered?.units ?? 0,
      orderLines: ordered?.lines ?? 0,
      unitsOrderedWhileLow: ordered?.unitsWhileLow ?? 0,
      unitsOrderedWhileOut: ordered?.unitsWhileOut ?? 0,
    };
  });
}

async function stockOuts(db: SqlExecutor): Promise<AnalyticsSummary['stockOuts']> {
  const [{ total }] = await db.$queryRawUnsafe<Array<{ total: number }>>(
    `SELECT count(*)::int AS total FROM stock_outs`,
  );
  const recent = await db.$queryRawUnsafe<Array<{ sku: string; occurred_at: Date }>>(
    `SELECT sku, occurred_at FROM stock_outs ORDER BY occurred_at DESC, sku LIMIT ${RECENT}`,
  );
  return {
    total: total ?? 0,
    recent: recent.map((row) => ({ sku: row.sku, at: row.occurred_at.toISOString() })),
  };
}

async function reordering(db: SqlExecutor): Promise<AnalyticsSummary['reordering']> {
  const [counts] = await db.$queryRawUnsafe<
    Array<{ total: number; open: number; received: number }>
  >(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE received_at IS NULL)::int AS open,
            count(*) FILTER (WHERE received_at IS NOT NULL)::int AS received
       FROM purchase_order_timings`,
  );
  const [lead] = await db.$queryRawUnsafe<DurationRow[]>(
    `SELECT ${durationStatsSql(millisBetween('created_at', 'received_at'))}
       FROM purchase_order_timings WHERE created_at IS NOT NULL AND received_at IS NOT NULL`,
  );
  const recent = await db.$queryRawUnsafe<
    Array<{
      purchase_order_id: string;
      sku: string;
      quantity: number;
      created_at: Date | null;
      received_at: Date | null;
      lead_time_ms: number | null;
    }>
  >(
    `SELECT purchase_order_id::text AS purchase_order_id, sku, quantity, created_at, received_at,
            ${millisBetween('created_at', 'received_at')} AS lead_time_ms
       FROM purchase_order_timings
      ORDER BY COALESCE(created_at, received_at) DESC, purchase_order_id LIMIT ${RECENT}`,
  );
  return {
    purchaseOrders: counts?.total ?? 0,
    open: counts?.open ?? 0,
    received: counts?.received ?? 0,
    leadTimeMs: durationStats(lead?.count ? lead : undefined),
    recent: recent.map((row): PurchaseOrderView => ({
      purchaseOrderId: row.purchase_order_id,
      sku: row.sku,
      quantity: row.quantity,
      createdAt: row.created_at?.toISOString() ?? null,
      receivedAt: row.received_at?.toISOString() ?? null,
      leadTimeMs: row.lead_time_ms,
    })),
  };
}

function requests(windows: readonly WindowRow[]): AnalyticsSummary['requests'] {
  return windows
    .filter((row) => row.aggregation === aggregations.requestsPerMinute)
    .slice(-MINUTES_SHOWN)
    .map((row) => {
      const value = row.value as RequestsPerMinute;
      return {
        windowStart: iso(row.window_start),
        service: row.key,
        requests: value.requests,
        clientErrors: value.clientErrors,
        serverErrors: value.serverErrors,
        meanDurationMs:
          value.requests === 0 ? 0 : Math.round((value.totalDurationMs / value.requests) * 10) / 10,
      };
    });
}
