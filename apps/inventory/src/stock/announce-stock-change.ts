import { createEvent, topics } from '@retail-streams/contracts';
import { writeToOutbox, type SqlExecutor } from '@retail-streams/streaming-client';
import { raisesLowStock, type StockChangeCause } from './low-stock.ts';

export const SERVICE_NAME = 'inventory';

export interface ProductLevels {
  sku: string;
  reorderPoint: number;
  reorderQuantity: number;
}

export interface StockChangeAnnouncement {
  product: ProductLevels;
  cause: StockChangeCause;
  before: number;
  after: number;
  /** The order, purchase order or seed run the change belongs to. */
  correlationId: string;
  /** The event that caused the change, when an event did. */
  causationId?: string | null;
}

/**
 * Writes the events a stock change owes the world into the outbox, inside the transaction that made
 * the change: the new level (every time, so the compacted topic always holds the latest level per
 * SKU) and a low-stock alert when the rule in `raisesLowStock` says so.
 * Returns whether a low-stock alert was written.
 */
export async function announceStockChange(
  tx: SqlExecutor,
  change: StockChangeAnnouncement,
): Promise<boolean> {
  const { product, cause, before, after } = change;
  const metadata = {
    source: SERVICE_NAME,
    correlationId: change.correlationId,
    causationId: change.causationId ?? null,
  };
  const levels = {
    sku: product.sku,
    available: after,
    reorderPoint: product.reorderPoint,
    reorderQuantity: product.reorderQuantity,
  };
  await writeToOutbox(tx, topics.stockLevel, [
    createEvent(topics.stockLevel, 'StockLevelChanged', { ...levels, cause }, metadata),
  ]);
  if (!raisesLowStock({ cause, before, after, reorderPoint: product.reorderPoint })) return false;
  await writeToOutbox(tx, topics.lowStock, [
    createEvent(topics.lowStock, 'LowStockDetected', levels, metadata),
  ]);
  return true;
}
