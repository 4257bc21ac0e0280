import { NonRetriableError } from '@retail-streams/streaming-client';
import type { InventoryTx } from '../database/inventory-database.ts';
import { announceStockChange } from '../stock/announce-stock-change.ts';

/** Stock is an INTEGER column; a delivery that would overflow it is bad data, not a glitch to retry. */
const MAX_STOCK = 2_000_000_000;

export interface Delivery {
  purchaseOrderId: string;
  sku: string;
  quantity: number;
  /** The GoodsReceived event that reported it. */
  eventId: string;
}

export interface RestockOutcome {
  restocked: boolean;
  available?: number;
}

/**
 * Adds a delivery to stock, once per purchase order, and announces the new level (and low stock, if
 * the delivery was not enough) through the outbox in the same transaction. The inbox already drops a
 * redelivered event; the restocks table also drops a second GoodsReceived for the same purchase
 * order under a different event id (a supplier simulation that reports twice), because stock must be
 * exact whoever repeats themselves.
 */
export async function restock(tx: InventoryTx, delivery: Delivery): Promise<RestockOutcome> {
  const claimed = await tx.$executeRawUnsafe(
    `INSERT INTO "restocks" ("purchase_order_id", "sku", "quantity")
     VALUES ($1::uuid, $2, $3)
     ON CONFLICT ("purchase_order_id") DO NOTHING`,
    delivery.purchaseOrderId,
    delivery.sku,
    delivery.quantity,
  );
  if (claimed === 0) return { restocked: false };

  const [product] = await tx.$queryRawUnsafe<
    { available: number; reorder_point: number; reorder_quantity: number }[]
  >(
    `SELECT "available", "reorder_point", "reorder_quantity" FROM "products" WHERE "sku" = $1 FOR UPDATE`,
    delivery.sku,
  );
  if (!product) {
    throw new NonRetriableError(
      'UNKNOWN_SKU',
      `goods received for ${delivery.sku}, which is not in the catalogue (purchase order ${delivery.purchaseOrderId})`,
    );
  }
  const after = product.available + delivery.quantity;
  if (after > MAX_STOCK) {
    throw new NonRetriableError(
      'STOCK_OVERFLOW',
      `goods received for ${delivery.sku} would take stock to ${after}, above ${MAX_STOCK}`,
    );
  }
  await tx.$executeRawUnsafe(
    `UPDATE "products" SET "available" = $2, "updated_at" = CURRENT_TIMESTAMP WHERE "sku" = $1`,
    delivery.sku,
    after,
  );
  await announceStockChange(tx, {
    product: {
      sku: delivery.sku,
      reorderPoint: product.reorder_point,
      reorderQuantity: product.reorder_quantity,
    },
    cause: 'restock',
    before: product.available,
    after,
    correlationId: delivery.purchaseOrderId,
    causationId: delivery.eventId,
  });
  return { restocked: true, available: after };
}
