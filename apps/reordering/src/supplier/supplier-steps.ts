import { createEvent, topics } from '@retail-streams/contracts';
import { writeToOutbox } from '@retail-streams/streaming-client';
import { sqlTime, type ReorderingDb } from '../database.ts';
import { stepEventId } from '../purchase-orders/step-event-id.ts';

interface DueRow {
  id: string;
  sku: string;
  quantity: number;
  status: 'ORDERED' | 'SHIPPED';
  ordered_at: Date;
  expected_at: Date;
}

export interface SupplierStep {
  purchaseOrderId: string;
  sku: string;
  step: 'shipped' | 'received';
}

/**
 * Advances one purchase order whose next supplier step is due: ORDERED ships (PurchaseOrderShipped),
 * SHIPPED is delivered (GoodsReceived, and RECEIVED closes the order). The row is locked with
 * SKIP LOCKED and the state change commits together with its event in the outbox, so however many
 * replicas or restarts race for it, each step happens and is announced exactly once.
 * Returns null when nothing is due.
 */
export async function advanceNextDueOrder(
  db: ReorderingDb,
  now: Date,
): Promise<SupplierStep | null> {
  return db.$transaction(async (tx) => {
    const [order] = await tx.$queryRawUnsafe<DueRow[]>(
      `SELECT "id", "sku", "quantity", "status"::text AS "status", "ordered_at", "expected_at"
       FROM "purchase_orders"
       WHERE "next_step_at" <= $1::timestamptz
       ORDER BY "next_step_at"
       LIMIT 1
       FOR UPDATE SKIP LOCKED`,
      sqlTime(now),
    );
    if (!order) return null;
    const purchaseOrder = { purchaseOrderId: order.id, sku: order.sku, quantity: order.quantity };

    if (order.status === 'ORDERED') {
      await tx.$executeRawUnsafe(
        `UPDATE "purchase_orders"
         SET "status" = 'SHIPPED', "shipped_at" = $2::timestamptz, "next_step_at" = "expected_at"
         WHERE "id" = $1::uuid`,
        order.id,
        sqlTime(now),
      );
      const shipped = createEvent(
        topics.purchaseOrder,
        'PurchaseOrderShipped',
        { ...purchaseOrder, shippedAt: now.toISOString() },
        {
          id: stepEventId(order.id, 'shipped'),
          source: 'reordering',
          correlationId: order.id,
          causationId: stepEventId(order.id, 'created'),
          occurredAt: now,
        },
      );
      await writeToOutbox(tx, topics.purchaseOrder, [shipped]);
      return { purchaseOrderId: order.id, sku: order.sku, step: 'shipped' as const };
    }

    await tx.$executeRawUnsafe(
      `UPDATE "purchase_orders"
       SET "status" = 'RECEIVED', "received_at" = $2::timestamptz, "next_step_at" = NULL
       WHERE "id" = $1::uuid`,
      order.id,
      sqlTime(now),
    );
    const received = createEvent(
      topics.goodsReceived,
      'GoodsReceived',
      {
        ...purchaseOrder,
        orderedAt: order.ordered_at.toISOString(),
        receivedAt: now.toISOString(),
      },
      {
        id: stepEventId(order.id, 'received'),
        source: 'reordering',
        correlationId: order.id,
        causationId: stepEventId(order.id, 'shipped'),
        occurredAt: now,
      },
    );
    await writeToOutbox(tx, topics.goodsReceived, [received]);
    return { purchaseOrderId: order.id, sku: order.sku, step: 'received' as const };
  });
}

/** When the next supplier step is due, or null when no order is open. */
export async function nextStepDueAt(db: ReorderingDb): Promise<Date | null> {
  const [row] = await db.$queryRawUnsafe<{ due: Date | null }[]>(
    `SELECT min("next_step_at") AS "due" FROM "purchase_orders"`,
  );
  return row?.due ?? null;
}
