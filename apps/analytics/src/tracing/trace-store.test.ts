import { describe, expect, it } from 'vitest';
import type { StoredSpan } from './stored-span.ts';
import { TraceStore } from './trace-store.ts';

const hex = (n: number, length: number) => n.toString(16).padStart(length, '0');

function span(trace: number, id: number, extra: Partial<StoredSpan> = {}): StoredSpan {
  return {
    traceId: hex(trace, 32),
    spanId: hex(id, 16),
    parentSpanId: null,
    service: 'sales',
    name: 'POST /orders',
    kind: 'server',
    startMs: 1_000 + id,
    durationMs: 1,
    status: 'unset',
    links: [],
    attributes: {},
    ...extra,
  };
}

describe('TraceStore', () => {
  it("finds an order's journey by the order id on any of its spans, with linked batch traces", () => {
    const store = new TraceStore();
    store.add([
      span(1, 1, { attributes: { 'retail.order.id': 'order-1', 'retail.order.mode': 'async' } }),
      span(1, 2, { parentSpanId: hex(1, 16), service: 'inventory', kind: 'consumer' }),
      // A batch transaction in its own trace, linked to this order's trace and another one.
      span(9, 3, {
        links: [
          { traceId: hex(1, 32), spanId: hex(2, 16) },
          { traceId: hex(2, 32), spanId: hex(7, 16) },
        ],
      }),
      span(9, 4, {
        parentSpanId: hex(3, 16),
        kind: 'client',
        attributes: { 'db.system.name': 'postgresql' },
      }),
    ]);
    const journey = store.journey('order-1');
    expect(journey?.traceId).toBe(hex(1, 32));
    expect(journey?.spans.map((s) => s.spanId)).toEqual([1, 2, 3, 4].map((n) => hex(n, 16)));
    expect(store.journey('order-2')).toBeUndefined();
    expect(store.latestOrders()).toEqual([
      { orderId: 'order-1', mode: 'async', traceId: hex(1, 32), startMs: 1_001 },
    ]);
  });

  it('keeps only the last orders: the oldest journeys are forgotten first', () => {
    const store = new TraceStore({ keepOrders: 3 });
    for (let n = 1; n <= 5; n++)
      store.add([span(n, n, { attributes: { 'retail.order.id': `order-${n}` } })]);
    expect(store.size).toEqual({ traces: 3, orders: 3 });
    expect(store.journey('order-2')).toBeUndefined();
    expect(store.journey('order-3')).toBeDefined();
    expect(store.journey('order-5')).toBeDefined();
  });

  it('bounds the traces without an order too, and the spans of one trace', () => {
    const store = new TraceStore({ keepOrders: 2, maxSpansPerTrace: 3 });
    for (let n = 1; n <= 10; n++) store.add([span(n, n)]);
    expect(store.size.traces).toBe(4);
    for (let n = 1; n <= 10; n++)
      store.add([span(100, n, { attributes: { 'retail.order.id': 'big' } })]);
    expect(store.journey('big')?.spans).toHaveLength(3);
  });
});
