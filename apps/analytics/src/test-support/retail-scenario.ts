import { createEvent, topics, type EventOf } from '@retail-streams/contracts';
import type { AnalyticsEnvironment } from './analytics-environment.ts';

/** Scripted event times: minutes and seconds after 10:00 on a fixed day. */
const T0 = Date.parse('2026-11-20T10:00:00.000Z');
export const at = (minute: number, second: number, ms = 0) =>
  new Date(T0 + minute * 60_000 + second * 1_000 + ms);

const meta = (source: string, correlationId: string, occurredAt: Date) => ({
  source,
  correlationId,
  occurredAt,
});

export const orderIds = {
  o1: '00000000-0000-4000-8000-000000000001',
  o2: '00000000-0000-4000-8000-000000000002',
  o3: '00000000-0000-4000-8000-000000000003',
  o4: '00000000-0000-4000-8000-000000000004',
  o5: '00000000-0000-4000-8000-000000000005',
  o6: '00000000-0000-4000-8000-000000000006',
};
const po = {
  c: '10000000-0000-4000-8000-000000000001',
  b: '10000000-0000-4000-8000-000000000002',
  a: '10000000-0000-4000-8000-000000000003',
};

type Line = { sku: string; quantity: number };

export function orderPlaced(orderId: string, mode: 'async' | 'sync', lines: Line[], when: Date) {
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'c-1', lines, mode },
    meta('sales', orderId, when),
  );
}

const prices: Record<string, number> = { 'SKU-A': 10, 'SKU-B': 25.5, 'SKU-C': 3.25 };

function reserved(orderId: string, mode: 'async' | 'sync', lines: Line[], when: Date) {
  const priced = lines.map((line) => ({ ...line, unitPrice: prices[line.sku]! }));
  const total = priced.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  return createEvent(
    topics.reservationResult,
    'StockReserved',
    { orderId, mode, lines: priced, totalAmount: Math.round(total * 100) / 100 },
    meta('inventory', orderId, when),
  );
}

function rejected(orderId: string, lines: Line[], when: Date) {
  return createEvent(
    topics.reservationResult,
    'ReservationRejected',
    {
      orderId,
      mode: 'async',
      reason: 'INSUFFICIENT_STOCK',
      detail: 'not enough stock',
      lines: lines.map((line) => ({ sku: line.sku, requested: line.quantity, available: 1 })),
    },
    meta('inventory', orderId, when),
  );
}

function level(
  sku: string,
  available: number,
  reorderPoint: number,
  when: Date,
  cause: 'seed' | 'reservation' | 'restock',
) {
  return createEvent(
    topics.stockLevel,
    'StockLevelChanged',
    { sku, available, reorderPoint, reorderQuantity: 20, cause },
    meta('inventory', sku, when),
  );
}

/**
 * The stock table's history: published (and processed) before the orders, so that every order joins
 * the level of its own event time both live and in a replay.
 */
export function stockLevels(): EventOf<typeof topics.stockLevel>[] {
  return [
    level('SKU-A', 10, 3, at(-1, 0), 'seed'),
    level('SKU-B', 5, 2, at(-1, 0), 'seed'),
    level('SKU-C', 1, 2, at(-1, 0), 'seed'),
    level('SKU-A', 7, 3, at(0, 10, 200), 'reservation'),
    level('SKU-B', 4, 2, at(0, 10, 200), 'reservation'),
    level('SKU-A', 6, 3, at(0, 40, 50), 'reservation'),
    level('SKU-C', 0, 2, at(1, 30), 'reservation'), // a stock-out
    level('SKU-C', 0, 2, at(1, 40), 'reservation'), // re-reported: not a second stock-out
    level('SKU-B', 2, 2, at(2, 20, 400), 'reservation'),
    level('SKU-C', 20, 2, at(2, 59), 'restock'),
  ];
}

/**
 * Orders and their results. All orders go to partition 0 of `sales.order-placed`, so the script decides
 * that partition's stream time: O5 (10:00:50) arrives after O4 (10:02:20), past its minute's grace (30 s)
 * and is late; O6 (10:01:55) arrives at the same point but inside its minute's grace and is counted.
 */
export async function publishOrders(env: AnalyticsEnvironment): Promise<void> {
  const o1 = [
    { sku: 'SKU-A', quantity: 2 },
    { sku: 'SKU-B', quantity: 1 },
  ];
  const o2 = [{ sku: 'SKU-A', quantity: 1 }];
  const o3 = [{ sku: 'SKU-C', quantity: 5 }];
  const o4 = [{ sku: 'SKU-B', quantity: 2 }];
  // The sync path: inventory's result is on its topic before sales writes OrderPlaced.
  await env.publish(
    topics.reservationResult,
    [
      reserved(orderIds.o2, 'sync', o2, at(0, 40, 50)),
      reserved(orderIds.o1, 'async', o1, at(0, 10, 200)),
      rejected(orderIds.o3, o3, at(1, 5, 300)),
      reserved(orderIds.o4, 'async', o4, at(2, 20, 400)),
    ],
    0,
  );
  await env.publish(
    topics.orderPlaced,
    [
      orderPlaced(orderIds.o1, 'async', o1, at(0, 10)),
      orderPlaced(orderIds.o2, 'sync', o2, at(0, 40)),
      orderPlaced(orderIds.o3, 'async', o3, at(1, 5)),
      orderPlaced(orderIds.o4, 'async', o4, at(2, 20)),
      orderPlaced(orderIds.o5, 'async', [{ sku: 'SKU-B', quantity: 3 }], at(0, 50)), // late
      orderPlaced(orderIds.o6, 'async', [{ sku: 'SKU-A', quantity: 1 }], at(1, 55)), // in grace
    ],
    0,
  );
}

/** Purchase orders: C received after 88 s; B still open; A's delivery is read before its creation. */
export async function publishPurchaseOrders(env: AnalyticsEnvironment): Promise<void> {
  const created = (id: string, sku: string, when: Date) =>
    createEvent(
      topics.purchaseOrder,
      'PurchaseOrderCreated',
      { purchaseOrderId: id, sku, quantity: 20, expectedAt: at(5, 0).toISOString() },
      meta('reordering', id, when),
    );
  const received = (id: string, sku: string, ordered: Date, when: Date) =>
    createEvent(
      topics.goodsReceived,
      'GoodsReceived',
      {
        purchaseOrderId: id,
        sku,
        quantity: 20,
        orderedAt: ordered.toISOString(),
        receivedAt: when.toISOString(),
      },
      meta('reordering', id, when),
    );
  await env.publish(topics.goodsReceived, [
    received(po.a, 'SKU-A', at(3, 0), at(4, 0)),
    received(po.c, 'SKU-C', at(1, 31), at(2, 59)),
  ]);
  await env.publish(topics.purchaseOrder, [
    created(po.c, 'SKU-C', at(1, 31)),
    created(po.b, 'SKU-B', at(2, 21)),
    created(po.a, 'SKU-A', at(3, 0)),
  ]);
}

export const purchaseOrderIds = po;
