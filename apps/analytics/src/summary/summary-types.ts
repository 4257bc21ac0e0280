/**
 * The shape of `GET /api/summary` (and of each `summary` event on `GET /api/stream`). Money is in
 * currency units with 2 decimals, durations in milliseconds, times as ISO-8601 strings. Everything
 * except `generatedAt` and `processing` is a pure function of the topics' contents, so a replay ends
 * with the same values.
 */
export interface AnalyticsSummary {
  generatedAt: string;
  processing: {
    /** The consumer group the aggregates come from (changes with each replay). */
    groupId: string;
    /**
     * The replay that built the aggregates, if any: whether it is still running (or paused by a
     * restart, waiting for an operator), its phase and how far along it is.
     */
    replay: {
      id: string;
      status: string;
      phase: string;
      progress: { targetRecords: number; processedRecords: number; fraction: number };
      rate: { maxRecordsPerSecond: number; throttledMs: number };
    } | null;
    /** Records this instance processed since it started. */
    processedRecords: number;
  };
  settings: {
    windowMs: number;
    graceMs: number;
    topProducts: { windowMs: number; advanceMs: number };
  };
  /** Tumbling one-minute windows by event time, oldest first (the last 60 that have data). */
  perMinute: MinuteStats[];
  /** Records that arrived after their window's grace period: not counted in it, reported here. */
  late: {
    total: number;
    byAggregation: Record<string, number>;
    recent: LateEventView[];
  };
  /** Units per SKU over hopping windows (e.g. 5 minutes, a new one every minute). */
  topProducts: {
    /** The most recent full-length window: "the last five minutes". */
    current: TopProductsWindow | null;
    /** The most recent windows, newest first. */
    windows: TopProductsWindow[];
  };
  outcomes: Record<'async' | 'sync', { confirmed: number; rejected: number }>;
  /** OrderPlaced.occurredAt → reservation result occurredAt, per mode. */
  latency: Record<'async' | 'sync', DurationStats>;
  /** The stock-level table joined with what was ordered (the stream-table join) and stock-outs. */
  stock: SkuStock[];
  stockOuts: { total: number; recent: Array<{ sku: string; at: string }> };
  reordering: {
    purchaseOrders: number;
    open: number;
    received: number;
    /** PurchaseOrderCreated → GoodsReceived, per purchase order. */
    leadTimeMs: DurationStats;
    recent: PurchaseOrderView[];
  };
  /** Access log lines per service and minute (the `logs.access` topic). */
  requests: RequestStats[];
}

export interface MinuteStats {
  windowStart: string;
  windowEnd: string;
  orders: number;
  asyncOrders: number;
  syncOrders: number;
  units: number;
  /** Revenue of the orders CONFIRMED in this minute (StockReserved events). */
  revenue: number;
  confirmedOrders: number;
  /** True once the window has closed for good (grace passed on every partition). */
  final: boolean;
}

export interface LateEventView {
  aggregation: string;
  topic: string;
  partition: number;
  offset: string;
  eventTime: string;
  streamTime: string;
  windows: Array<{ start: string; end: string }>;
}

export interface TopProductsWindow {
  windowStart: string;
  windowEnd: string;
  products: Array<{ sku: string; units: number }>;
}

export interface DurationStats {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

export interface SkuStock {
  sku: string;
  available: number | null;
  reorderPoint: number | null;
  belowReorderPoint: boolean;
  stockOuts: number;
  lastStockOutAt: string | null;
  unitsOrdered: number;
  orderLines: number;
  /** Units ordered while the stock (at the order's time) was at or below the reorder point. */
  unitsOrderedWhileLow: number;
  unitsOrderedWhileOut: number;
}

export interface PurchaseOrderView {
  purchaseOrderId: string;
  sku: string;
  quantity: number;
  createdAt: string | null;
  receivedAt: string | null;
  leadTimeMs: number | null;
}

export interface RequestStats {
  windowStart: string;
  service: string;
  requests: number;
  clientErrors: number;
  serverErrors: number;
  meanDurationMs: number;
}
