import { randomUUID } from 'node:crypto';
import { createEvent, topics } from '@retail-streams/contracts';
import type { AnalyticsEnvironment } from '../../test-support/analytics-environment.ts';

const skus = [
  { sku: 'SKU-KETTLE-01', price: 34.99, reorderPoint: 20 },
  { sku: 'SKU-MUG-01', price: 7.99, reorderPoint: 60 },
  { sku: 'SKU-PAN-01', price: 39.99, reorderPoint: 15 },
  { sku: 'SKU-BLENDER-01', price: 89.99, reorderPoint: 6 },
];

const meta = (source: string, correlationId: string, occurredAt: Date) => ({
  source,
  correlationId,
  occurredAt,
});

/** Stock levels for the catalogue above, one of them already below its reorder point. */
export async function publishStockLevels(env: AnalyticsEnvironment): Promise<void> {
  const now = new Date();
  await env.publish(
    topics.stockLevel,
    skus.map((item, index) =>
      createEvent(
        topics.stockLevel,
        'StockLevelChanged',
        {
          sku: item.sku,
          available: index === 3 ? 4 : item.reorderPoint * 3 + index * 7,
          reorderPoint: item.reorderPoint,
          reorderQuantity: 40,
          cause: 'seed',
        },
        meta('inventory', item.sku, now),
      ),
    ),
  );
}

/** A purchase order that has been created and not received: "open". */
export async function publishOpenPurchaseOrder(env: AnalyticsEnvironment): Promise<string> {
  const id = randomUUID();
  await env.publish(topics.purchaseOrder, [
    createEvent(
      topics.purchaseOrder,
      'PurchaseOrderCreated',
      {
        purchaseOrderId: id,
        sku: 'SKU-BLENDER-01',
        quantity: 30,
        expectedAt: new Date(Date.now() + 60_000).toISOString(),
      },
      meta('reordering', id, new Date()),
    ),
  ]);
  return id;
}

/**
 * One round of "load": orders on both paths, timed now, each with its reservation result a few tens
 * of milliseconds later (sync faster than async), every tenth async order rejected.
 */
export async function publishOrderRound(env: AnalyticsEnvironment, count: number): Promise<void> {
  const placed = [];
  const results = [];
  for (let index = 0; index < count; index += 1) {
    const orderId = randomUUID();
    const mode = index % 2 === 0 ? 'async' : 'sync';
    const item = skus[index % skus.length]!;
    const lines = [{ sku: item.sku, quantity: 1 + (index % 3) }];
    const at = new Date();
    const resolvedAt = new Date(at.getTime() + (mode === 'sync' ? 15 : 60) + (index % 5) * 10);
    placed.push(
      createEvent(
        topics.orderPlaced,
        'OrderPlaced',
        { orderId, customerId: `c-${index}`, lines, mode },
        meta('sales', orderId, at),
      ),
    );
    if (mode === 'async' && index % 10 === 0) {
      results.push(
        createEvent(
          topics.reservationResult,
          'ReservationRejected',
          {
            orderId,
            mode,
            reason: 'INSUFFICIENT_STOCK',
            detail: 'not enough stock',
            lines: lines.map((line) => ({ sku: line.sku, requested: line.quantity, available: 0 })),
          },
          meta('inventory', orderId, resolvedAt),
        ),
      );
    } else {
      const priced = lines.map((line) => ({ ...line, unitPrice: item.price }));
      const total = priced.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
      results.push(
        createEvent(
          topics.reservationResult,
          'StockReserved',
          { orderId, mode, lines: priced, totalAmount: Math.round(total * 100) / 100 },
          meta('inventory', orderId, resolvedAt),
        ),
      );
    }
  }
  await env.publish(topics.orderPlaced, placed);
  await env.publish(topics.reservationResult, results);
}
