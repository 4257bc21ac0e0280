import {
  topics,
  type AccessLogLine,
  type EventOf,
  type StockLevelChanged,
} from '@retail-streams/contracts';
import {
  TopologyBuilder,
  addCount,
  hopping,
  tumbling,
  type KTable,
  type StreamRecord,
  type Topology,
} from '@retail-streams/streaming-processing';

export const MINUTE_MS = 60_000;

/** The aggregation (store) names: they name the rows of `window_results` and `keyed_results`. */
export const aggregations = {
  ordersPerMinute: 'orders-per-minute',
  revenuePerMinute: 'revenue-per-minute',
  topProducts: 'units-per-sku',
  outcomes: 'order-outcomes',
  demandBySku: 'demand-by-sku',
  requestsPerMinute: 'requests-per-minute',
} as const;

export const stockTableName = 'stock-level';

export interface TopologySettings {
  /** How long after a window's end its late records are still counted (event time). */
  readonly graceMs: number;
  /** The top-products window: `windowMs` long, a new one every `advanceMs`. */
  readonly topProducts: { readonly windowMs: number; readonly advanceMs: number };
  /** How far back the stock table keeps older levels, so an order joins the level of ITS time. */
  readonly stockHistoryMs: number;
}

export const defaultTopologySettings: TopologySettings = {
  graceMs: 30_000,
  topProducts: { windowMs: 5 * MINUTE_MS, advanceMs: MINUTE_MS },
  stockHistoryMs: 15 * MINUTE_MS,
};

export interface OrdersPerMinute {
  orders: number;
  asyncOrders: number;
  syncOrders: number;
  units: number;
}
/** Money as integer cents: sums of 2-decimal numbers in floating point drift. */
export interface RevenuePerMinute {
  revenueCents: number;
  confirmedOrders: number;
}
export type UnitsPerSku = Record<string, number>;
export interface SkuDemand {
  units: number;
  lines: number;
  /** Units ordered while the SKU's stock (at the order's event time) was at or below its reorder point. */
  unitsWhileLow: number;
  /** Units ordered while the SKU's stock was 0 (the order could only be rejected). */
  unitsWhileOut: number;
}
export interface RequestsPerMinute {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  totalDurationMs: number;
}

type OrderPlacedEvent = EventOf<typeof topics.orderPlaced>;
type ReservationResultEvent = EventOf<typeof topics.reservationResult>;
type StockLevelEvent = EventOf<typeof topics.stockLevel>;
type StockLevel = StockLevelChanged['data'];

/**
 * What the stock table keeps of a SKU's level: what the demand figures ask of it. The table holds
 * `stockHistoryMs` of versions and every checkpoint carries them all; a whole StockLevelChanged event
 * per version made the checkpoint grow by ~300 bytes for every stock change (tens of MB at a few
 * hundred orders/s), where these two flags change only when a SKU crosses its reorder point or runs
 * out, so the table holds a version per such change.
 */
export interface StockStatus {
  /** At or below the reorder point. */
  readonly low: boolean;
  /** Nothing available. */
  readonly out: boolean;
}

export function stockStatus(level: StockLevel): StockStatus {
  return { low: level.available <= level.reorderPoint, out: level.available === 0 };
}

export interface AnalyticsTopology {
  readonly topology: Topology;
  readonly stockTable: KTable<StockStatus>;
  readonly settings: TopologySettings;
}

const eventTime = (record: StreamRecord<{ occurredAt: string }>) =>
  Date.parse(record.value.occurredAt);

export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

/**
 * Everything analytics computes with windows or keyed state, as one topology over the registry's
 * topics. Event time is the envelope's `occurredAt` (the access log line's `time`), never the clock, so
 * a replay computes the same numbers. Topics analytics reads but does not aggregate here
 * (`inventory.low-stock`, `reordering.*`) are still sources, so that their input positions live in the
 * same checkpoint as everything else.
 */
export function buildAnalyticsTopology(
  settings: TopologySettings = defaultTopologySettings,
): AnalyticsTopology {
  const builder = new TopologyBuilder();

  // A table, not a stream: the compacted topic is the latest level per SKU, which orders join with.
  const stockTable = builder.table<StockLevelEvent, StockStatus>(topics.stockLevel.name, {
    name: stockTableName,
    historyMs: settings.stockHistoryMs,
    timestamp: eventTime,
    keep: { name: 'stock-status', select: (event) => stockStatus(event.data) },
  });

  addOrderAggregates(builder, settings, stockTable);
  addOutcomeAggregates(builder, settings);
  addAccessLogAggregates(builder, settings);

  // Sources without an aggregation here: their effects are rows (see record-effects.ts), but their
  // positions belong in the checkpoint so that a redelivery is recognised as one.
  for (const topic of [topics.lowStock, topics.purchaseOrder, topics.goodsReceived]) {
    builder.stream(topic.name, { timestamp: eventTime }).forEach(() => undefined);
  }

  return { topology: builder.build(), stockTable, settings };
}

/** Orders per minute, the hopping top products, and each SKU's demand joined with its stock. */
function addOrderAggregates(
  builder: TopologyBuilder,
  settings: TopologySettings,
  stockTable: KTable<StockStatus>,
): void {
  const window = { grace: settings.graceMs };
  const orders = builder.stream<OrderPlacedEvent>(topics.orderPlaced.name, {
    partitions: topics.orderPlaced.partitions,
    timestamp: eventTime,
  });
  orders
    .groupBy(() => 'all')
    .windowedBy(tumbling(MINUTE_MS), window)
    .aggregate<OrdersPerMinute>(
      aggregations.ordersPerMinute,
      () => ({ orders: 0, asyncOrders: 0, syncOrders: 0, units: 0 }),
      (total, event) => ({
        orders: total.orders + 1,
        asyncOrders: total.asyncOrders + (event.data.mode === 'async' ? 1 : 0),
        syncOrders: total.syncOrders + (event.data.mode === 'sync' ? 1 : 0),
        units: total.units + event.data.lines.reduce((sum, line) => sum + line.quantity, 0),
      }),
    );

  const lines = orders.flatMap((record) =>
    record.value.data.lines.map((line) => ({ key: line.sku, value: line })),
  );
  lines
    .groupBy(() => 'all')
    .windowedBy(hopping(settings.topProducts.windowMs, settings.topProducts.advanceMs), window)
    .aggregate<UnitsPerSku>(
      aggregations.topProducts,
      () => ({}),
      (counts, line) => addCount(counts, line.sku, line.quantity),
    );
  // The stream-table join: each order line meets the SKU's stock level as of the order's event time.
  lines
    .leftJoin(stockTable, (line, status: StockStatus | undefined) => ({
      quantity: line.quantity,
      status,
    }))
    .groupByKey()
    .aggregate<SkuDemand>(
      aggregations.demandBySku,
      () => ({ units: 0, lines: 0, unitsWhileLow: 0, unitsWhileOut: 0 }),
      (demand, { quantity, status }) => ({
        units: demand.units + quantity,
        lines: demand.lines + 1,
        unitsWhileLow: demand.unitsWhileLow + (status?.low ? quantity : 0),
        unitsWhileOut: demand.unitsWhileOut + (status?.out ? quantity : 0),
      }),
    );
}

/** Revenue per minute from confirmed reservations, and outcomes per path. */
function addOutcomeAggregates(builder: TopologyBuilder, settings: TopologySettings): void {
  const results = builder.stream<ReservationResultEvent>(topics.reservationResult.name, {
    partitions: topics.reservationResult.partitions,
    timestamp: eventTime,
  });
  results
    .filter((event) => event.type === 'StockReserved')
    .groupBy(() => 'all')
    .windowedBy(tumbling(MINUTE_MS), { grace: settings.graceMs })
    .aggregate<RevenuePerMinute>(
      aggregations.revenuePerMinute,
      () => ({ revenueCents: 0, confirmedOrders: 0 }),
      (total, event) => ({
        revenueCents:
          total.revenueCents +
          (event.type === 'StockReserved' ? toCents(event.data.totalAmount) : 0),
        confirmedOrders: total.confirmedOrders + 1,
      }),
    );
  results
    .groupBy(
      (record) =>
        `${record.value.data.mode}:${record.value.type === 'StockReserved' ? 'confirmed' : 'rejected'}`,
    )
    .count(aggregations.outcomes);
}

/** Requests, errors and time spent per service and minute, from the access log. */
function addAccessLogAggregates(builder: TopologyBuilder, settings: TopologySettings): void {
  builder
    .stream<AccessLogLine>(topics.accessLog.name, {
      partitions: topics.accessLog.partitions,
      timestamp: (record) => Date.parse(record.value.time),
    })
    .groupBy((record) => record.value.service)
    .windowedBy(tumbling(MINUTE_MS), { grace: settings.graceMs })
    .aggregate<RequestsPerMinute>(
      aggregations.requestsPerMinute,
      () => ({ requests: 0, clientErrors: 0, serverErrors: 0, totalDurationMs: 0 }),
      (total, line) => ({
        requests: total.requests + 1,
        clientErrors: total.clientErrors + (line.status >= 400 && line.status < 500 ? 1 : 0),
        serverErrors: total.serverErrors + (line.status >= 500 ? 1 : 0),
        totalDurationMs: total.totalDurationMs + line.durationMs,
      }),
    );
}

export type { OrderPlacedEvent, ReservationResultEvent, StockLevelEvent };
