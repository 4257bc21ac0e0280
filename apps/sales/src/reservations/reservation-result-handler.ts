import type { topics } from '@retail-streams/contracts';
import type { Logger } from '@retail-streams/service-kit';
import {
  processBatchOnce,
  type EventBatchHandler,
  type SqlExecutor,
  type TransactionalClient,
} from '@retail-streams/streaming-client';
import { applyReservationResults } from './apply-reservation-result.ts';

/**
 * Consumes `inventory.reservation-result` a fetched batch at a time. The inbox rows and the orders'
 * changes of the whole batch commit together in one transaction, so a redelivered event (after a
 * crash or a rebalance) is recognised and changes nothing. `db` is the service's SqlClient.
 */
export function reservationResultHandler(
  db: TransactionalClient<SqlExecutor>,
  logger: Logger,
): EventBatchHandler<typeof topics.reservationResult> {
  return async (items) => {
    const { fresh, result } = await processBatchOnce(db, items, (tx, fresh) =>
      applyReservationResults(
        tx,
        fresh.map((item) => item.event),
      ),
    );
    fresh.forEach(({ event, context }, index) => {
      const outcome = result[index];
      if (outcome !== 'conflicting' && outcome !== 'unmatched') return;
      const fields = {
        orderId: event.data.orderId,
        eventId: event.id,
        type: event.type,
        mode: event.data.mode,
        partition: context.partition,
        offset: context.offset,
      };
      if (outcome === 'conflicting')
        logger.warn(fields, 'reservation result contradicts the order; the first verdict stands');
      else logger.warn(fields, 'reservation result for an unknown order; parked as unmatched');
    });
    if (fresh.length < items.length) {
      logger.debug(
        { duplicates: items.length - fresh.length },
        'reservation results already processed',
      );
    }
  };
}
