import { createEvent, topics, type LowStockDetected } from '@retail-streams/contracts';
import { writeToOutbox } from '@retail-streams/streaming-client';
import { randomUUID } from 'node:crypto';
import { sqlTime, type ReorderingTx } from '../database.ts';
import { ReorderingError } from '../reordering-error.ts';
import { stepEventId } from './step-event-id.ts';

export interface OpenPurchaseOrderOptions {
  /** From order to delivery; the supplier ships half-way. */
  leadTimeMs: number;
  now?: () => Date;
}

export type OpenPurchaseOrderResult =
  /** A new purchase order was raised. */
  | { outcome: 'opened'; purchaseOrderId: string; nextStepAt: Date }
  /** The SKU already has an open order: the signal is counted on it and nothing is ordered. */
  | { outcome: 'already-open'; purchaseOrderId: string }
  /** The event describes stock from before the SKU's latest delivery: that delivery answered it. */
  | { outcome: 'stale'; lastReceivedAt: Date };

/**
 * What a low-stock event does, inside the caller's transaction (the inbox's, so a redelivered event
 * never gets here twice). At most one open purchase order per SKU is the database's rule, not this
 * function's: the insert goes through the partial unique index `purchase_orders_one_open_per_sku`
 * with ON CONFLICT DO NOTHING, so two different low-stock events racing each other (two replicas,
 * a rebalance) serialise on the index and the second finds the first's order.
 *
 * An event that happened before the SKU's latest delivery is answered by it and ignored: it arrived
 * late (consumer lag, a replay), and reordering again would overstock.
 */
export async function openPurchaseOrder(
  tx: ReorderingTx,
  event: LowStockDetected,
  options: OpenPurchaseOrderOptions,
): Promise<OpenPurchaseOrderResult> {
  const { sku } = event.data;
  const [latest] = await tx.$queryRawUnsafe<{ last_received_at: Date | null }[]>(
    `SELECT max("received_at") AS "last_received_at" FROM "purchase_orders" WHERE "sku" = $1`,
    sku,
  );
  const lastReceivedAt = latest?.last_received_at ?? null;
  if (lastReceivedAt !== null && new Date(event.occurredAt) < lastReceivedAt) {
    return { outcome: 'stale', lastReceivedAt };
  }

  // Two tries: between a conflicting insert and the update below, the open order could be received.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const orderedAt = options.now?.() ?? new Date();
    const purchaseOrderId = randomUUID();
    const nextStepAt = new Date(orderedAt.getTime() + Math.floor(options.leadTimeMs / 2));
    const expectedAt = new Date(orderedAt.getTime() + options.leadTimeMs);
    const inserted = await tx.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO "purchase_orders" ("id", "sku", "quantity", "status", "low_stock_event_id",
         "available_at_order", "reorder_point", "ordered_at", "next_step_at", "expected_at")
       VALUES ($1::uuid, $2, $3, 'ORDERED', $4::uuid, $5, $6, $7::timestamptz, $8::timestamptz,
         $9::timestamptz)
       ON CONFLICT ("sku") WHERE "status" <> 'RECEIVED' DO NOTHING
       RETURNING "id"`,
      purchaseOrderId,
      sku,
      event.data.reorderQuantity,
      event.id,
      event.data.available,
      event.data.reorderPoint,
      sqlTime(orderedAt),
      sqlTime(nextStepAt),
      sqlTime(expectedAt),
    );
    if (inserted.length === 1) {
      const created = createEvent(
        topics.purchaseOrder,
        'PurchaseOrderCreated',
        {
          purchaseOrderId,
          sku,
          quantity: event.data.reorderQuantity,
          expectedAt: expectedAt.toISOString(),
        },
        {
          id: stepEventId(purchaseOrderId, 'created'),
          source: 'reordering',
          correlationId: purchaseOrderId,
          causationId: event.id,
          occurredAt: orderedAt,
        },
      );
      await writeToOutbox(tx, topics.purchaseOrder, [created]);
      return { outcome: 'opened', purchaseOrderId, nextStepAt };
    }
    const open = await tx.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE "purchase_orders" SET "low_stock_signals" = "low_stock_signals" + 1
       WHERE "sku" = $1 AND "status" <> 'RECEIVED'
       RETURNING "id"`,
      sku,
    );
    if (open[0]) return { outcome: 'already-open', purchaseOrderId: open[0].id };
  }
  throw new ReorderingError(
    'PURCHASE_ORDER_CONFLICT',
    `could neither open nor find an open purchase order for ${sku}`,
  );
}
