import { createEvent, topics } from '@retail-streams/contracts';
import {
  insertOutboxRows,
  outboxRows,
  type OutboxRow,
  type SqlExecutor,
  type TraceContext,
} from '@retail-streams/streaming-client';
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
 * The outbox rows a stock change owes the world, to be written inside the transaction that made the
 * change: the new level (every time, so the compacted topic always holds the latest level per SKU)
 * and a low-stock alert when the rule in `raisesLowStock` says so. `trace` is the trace the events
 * continue (the record that caused the change, in a batch); the active one when absent.
 */
export function stockChangeRows(
  change: StockChangeAnnouncement,
  trace?: TraceContext,
): OutboxRow[] {
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
  const rows = outboxRows(
    topics.stockLevel,
    [createEvent(topics.stockLevel, 'StockLevelChanged', { ...levels, cause }, metadata)],
    trace,
  );
  if (raisesLowStock({ cause, before, after, reorderPoint: product.reorderPoint })) {
    rows.push(
      ...outboxRows(
        topics.lowStock,
        [createEvent(topics.lowStock, 'LowStockDetected', levels, metadata)],
        trace,
      ),
    );
  }
  return rows;
}

/** Writes a stock change's events into the outbox, inside the caller's transaction. */
export async function announceStockChange(
  tx: SqlExecutor,
  change: StockChangeAnnouncement,
): Promise<void> {
  await insertOutboxRows(tx, stockChangeRows(change));
}
