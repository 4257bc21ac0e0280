import type { topics } from '@retail-streams/contracts';
import {
  processBatchOnce,
  type EventBatchHandler,
  type Logger,
} from '@retail-streams/streaming-client';
import { inboxDatabase, type InventoryPrisma } from '../database/inventory-database.ts';
import type { ArtificialLatency } from '../fault-injection/artificial-latency.ts';
import { reserveOrders } from './reserve-order.ts';

/**
 * The event path's reservations, a fetched batch at a time: ONE transaction records the batch's
 * events in the inbox and reserves its orders one after another, exactly once per event (the inbox)
 * and once per order (the reservations table). Orders placed on the sync path were reserved by
 * `POST /reservations` before sales published them, so their events are ignored here.
 *
 * The injected latency (a slow dependency, for the demo) is waited once per batch, before its
 * transaction: a slow inventory then builds lag on this path the way a slow database would.
 */
export function orderPlacedHandler(deps: {
  prisma: InventoryPrisma;
  latency: ArtificialLatency;
  logger: Logger;
}): EventBatchHandler<typeof topics.orderPlaced> {
  const db = inboxDatabase(deps.prisma);
  return async (items) => {
    const asyncOrders = items.filter((item) => item.event.data.mode === 'async');
    if (asyncOrders.length === 0) return;
    await deps.latency.wait();
    const { fresh, result } = await processBatchOnce(db, asyncOrders, (tx, fresh) =>
      reserveOrders(
        tx,
        fresh.map(({ event, context }) => ({
          orderId: event.data.orderId,
          lines: event.data.lines,
          mode: 'async',
          causationId: event.id,
          trace: context.trace,
        })),
      ),
    );
    const repeats = asyncOrders.length - result.filter((outcome) => outcome.created).length;
    if (repeats > 0) {
      deps.logger.debug(
        { events: asyncOrders.length, fresh: fresh.length, repeats },
        'some orders were already answered; nothing reserved for them',
      );
    }
  };
}
