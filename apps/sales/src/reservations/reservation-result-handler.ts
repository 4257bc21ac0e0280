import type { topics } from '@retail-streams/contracts';
import type { Logger } from '@retail-streams/service-kit';
import { processOnce, type EventHandler } from '@retail-streams/streaming-client';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { applyReservationResult } from './apply-reservation-result.ts';

/**
 * Consumes `inventory.reservation-result`. The inbox row and the order's change commit together, so
 * a redelivered event (after a crash or a rebalance) is recognised and changes nothing.
 */
export function reservationResultHandler(
  prisma: PrismaClient,
  logger: Logger,
): EventHandler<typeof topics.reservationResult> {
  return async (event, context) => {
    const { outcome, result } = await processOnce(prisma, event, context, (tx) =>
      applyReservationResult(tx, event),
    );
    const fields = {
      orderId: event.data.orderId,
      eventId: event.id,
      type: event.type,
      mode: event.data.mode,
      partition: context.partition,
      offset: context.offset,
    };
    if (outcome === 'duplicate') logger.debug(fields, 'reservation result already processed');
    else if (result === 'conflicting')
      logger.warn(fields, 'reservation result contradicts the order; the first verdict stands');
    else if (result === 'unmatched')
      logger.warn(fields, 'reservation result for an unknown order; parked as unmatched');
    else logger.debug({ ...fields, result }, 'reservation result applied');
  };
}
