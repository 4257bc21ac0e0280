import type { topics } from '@retail-streams/contracts';
import type { Logger } from '@retail-streams/service-kit';
import type { EventBatchHandler, SqlExecutor } from '@retail-streams/streaming-client';
import { applyReservationResults } from './apply-reservation-result.ts';

/**
 * Consumes `inventory.reservation-result` a fetched batch at a time, in one statement per batch (see
 * `applyReservationResults`): each event is recorded in the inbox in the statement that applies it,
 * so a redelivered event (after a crash or a rebalance) is recognised and changes nothing. `db` is
 * the service's SqlClient.
 */
export function reservationResultHandler(
  db: SqlExecutor,
  logger: Logger,
): EventBatchHandler<typeof topics.reservationResult> {
  return async (items) => {
    const applied = await applyReservationResults(db, items);
    for (const { item, outcome } of applied) {
      if (outcome !== 'conflicting' && outcome !== 'unmatched') continue;
      const { event, context } = item;
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
    }
    if (applied.length < items.length) {
      logger.debug(
        { duplicates: items.length - applied.length },
        'reservation results already processed',
      );
    }
  };
}
