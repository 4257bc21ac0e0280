import type { topics } from '@retail-streams/contracts';
import { processOnce, type EventHandler, type Logger } from '@retail-streams/streaming-client';
import { inboxDatabase, type InventoryPrisma } from '../database/inventory-database.ts';
import type { ArtificialLatency } from '../fault-injection/artificial-latency.ts';
import { reserveOrder } from './reserve-order.ts';

/**
 * The event path's reservation: an OrderPlaced becomes a reservation, exactly once per event (the
 * inbox) and once per order (the reservations table). Orders placed on the sync path were reserved
 * by `POST /reservations` before sales published them, so their events are ignored here.
 */
export function orderPlacedHandler(deps: {
  prisma: InventoryPrisma;
  latency: ArtificialLatency;
  logger: Logger;
}): EventHandler<typeof topics.orderPlaced> {
  const db = inboxDatabase(deps.prisma);
  return async (event, context) => {
    if (event.data.mode === 'sync') return;
    await deps.latency.wait();
    const { outcome, result } = await processOnce(db, event, context, (tx) =>
      reserveOrder(tx, {
        orderId: event.data.orderId,
        lines: event.data.lines,
        mode: 'async',
        causationId: event.id,
      }),
    );
    if (outcome === 'duplicate' || result?.created === false) {
      deps.logger.info(
        { orderId: event.data.orderId, eventId: event.id, outcome },
        'order already answered; nothing reserved',
      );
    }
  };
}
