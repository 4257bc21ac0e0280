import type { topics } from '@retail-streams/contracts';
import { processOnce, type EventHandler, type Logger } from '@retail-streams/streaming-client';
import { inboxDatabase, type InventoryPrisma } from '../database/inventory-database.ts';
import type { ArtificialLatency } from '../fault-injection/artificial-latency.ts';
import { restock } from './restock.ts';

/** Restocks on GoodsReceived, once per event (inbox) and once per purchase order (restocks table). */
export function goodsReceivedHandler(deps: {
  prisma: InventoryPrisma;
  latency: ArtificialLatency;
  logger: Logger;
}): EventHandler<typeof topics.goodsReceived> {
  const db = inboxDatabase(deps.prisma);
  return async (event, context) => {
    await deps.latency.wait();
    const { outcome, result } = await processOnce(db, event, context, (tx) =>
      restock(tx, { ...event.data, eventId: event.id }),
    );
    deps.logger.info(
      {
        sku: event.data.sku,
        purchaseOrderId: event.data.purchaseOrderId,
        quantity: event.data.quantity,
        outcome: outcome === 'duplicate' || !result?.restocked ? 'duplicate' : 'restocked',
        available: result?.available,
      },
      'goods received',
    );
  };
}
