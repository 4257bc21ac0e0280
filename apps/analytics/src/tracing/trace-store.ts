import type { ReadableSpan, SpanProcessor } from '@retail-streams/service-kit';
import { ORDER_ID_ATTRIBUTE } from '@retail-streams/service-kit';
import { fromReadableSpan, type StoredSpan } from './stored-span.ts';

export interface TraceStoreOptions {
  /** Orders whose journeys are kept; the oldest is forgotten first (default 2,000). */
  keepOrders?: number;
  /** Spans kept per trace at most: a runaway trace cannot take the memory (default 500). */
  maxSpansPerTrace?: number;
}

interface TraceEntry {
  spans: StoredSpan[];
  orderId?: string;
}

export interface OrderSummary {
  orderId: string;
  mode: string;
  traceId: string;
  startMs: number;
}

/**
 * The demo's embedded trace collector: every process's spans, grouped by trace, and an index from
 * order id (the `retail.order.id` attribute sales sets on the order's request span) to its trace.
 * One order is one trace: the request, its outbox rows, the records that carry it and their
 * consumers all continue the same trace context. A span that links to other traces (the relay's
 * send of a whole batch) is filed under each of them too, so an order's journey shows its publish.
 *
 * Memory is bounded: traces are forgotten oldest first, keeping the last `keepOrders` orders (and
 * as many traces again without an order: health checks, dashboard requests, relay batches).
 * It is also a span processor, so analytics' own spans come straight in without leaving the process.
 */
export class TraceStore implements SpanProcessor {
  #keepOrders: number;
  readonly #maxSpansPerTrace: number;
  readonly #traces = new Map<string, TraceEntry>();
  readonly #orders = new Map<string, string>();
  readonly #latest = new Map<string, OrderSummary>();
  #orderTraces = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.#keepOrders = options.keepOrders ?? 2_000;
    this.#maxSpansPerTrace = options.maxSpansPerTrace ?? 500;
  }

  /** How many orders' journeys are kept (from TRACE_KEEP_ORDERS once the config is read). */
  set keepOrders(value: number) {
    this.#keepOrders = value;
    this.#evict();
  }

  /** Files finished spans (from OTLP or from this process). */
  add(spans: readonly StoredSpan[]): void {
    for (const span of spans) {
      this.#file(span.traceId, span);
      for (const link of span.links)
        if (link.traceId !== span.traceId) this.#file(link.traceId, span);
      const orderId = span.attributes[ORDER_ID_ATTRIBUTE];
      if (typeof orderId === 'string') this.#indexOrder(orderId, span);
    }
    this.#evict();
  }

  /** The spans of an order's journey, oldest first, or undefined when none are kept. */
  journey(orderId: string): { traceId: string; spans: StoredSpan[] } | undefined {
    const traceId = this.#orders.get(orderId);
    const entry = traceId === undefined ? undefined : this.#traces.get(traceId);
    if (traceId === undefined || entry === undefined) return undefined;
    // Spans filed here by a link (a relay's send, a batch consumer's transaction) bring their own
    // trace along: the batch's database work is part of this order's journey too.
    const spans = new Map(entry.spans.map((span) => [span.spanId, span]));
    const batches = new Set(entry.spans.map((span) => span.traceId));
    batches.delete(traceId);
    for (const batch of batches)
      for (const span of this.#traces.get(batch)?.spans ?? []) spans.set(span.spanId, span);
    return { traceId, spans: [...spans.values()].sort((a, b) => a.startMs - b.startMs) };
  }

  /** The most recent order of each mode (sync, async) with a kept journey. */
  latestOrders(): OrderSummary[] {
    return [...this.#latest.values()].filter((order) => this.#orders.has(order.orderId));
  }

  get size(): { traces: number; orders: number } {
    return { traces: this.#traces.size, orders: this.#orders.size };
  }

  #file(traceId: string, span: StoredSpan): void {
    let entry = this.#traces.get(traceId);
    if (entry === undefined) {
      entry = { spans: [] };
      this.#traces.set(traceId, entry);
    }
    if (entry.spans.length < this.#maxSpansPerTrace) entry.spans.push(span);
  }

  #indexOrder(orderId: string, span: StoredSpan): void {
    const entry = this.#traces.get(span.traceId);
    if (entry === undefined || entry.orderId !== undefined) return;
    entry.orderId = orderId;
    this.#orderTraces += 1;
    this.#orders.set(orderId, span.traceId);
    const mode = span.attributes['retail.order.mode'];
    const summary = {
      orderId,
      mode: typeof mode === 'string' ? mode : 'async',
      traceId: span.traceId,
    };
    const current = this.#latest.get(summary.mode);
    if (current === undefined || current.startMs <= span.startMs)
      this.#latest.set(summary.mode, { ...summary, startMs: span.startMs });
  }

  #evict(): void {
    const maxTraces = this.#keepOrders * 2;
    for (const [traceId, entry] of this.#traces) {
      if (this.#traces.size <= maxTraces && this.#orderTraces <= this.#keepOrders) return;
      this.#traces.delete(traceId);
      if (entry.orderId !== undefined) {
        this.#orderTraces -= 1;
        if (this.#orders.get(entry.orderId) === traceId) this.#orders.delete(entry.orderId);
      }
    }
  }

  // SpanProcessor: analytics' own spans, filed as they end (nothing is buffered).
  onStart(): void {
    // Only finished spans are filed.
  }

  onEnd(span: ReadableSpan): void {
    this.add([fromReadableSpan(span)]);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
