import type { EventOf, topics } from '@retail-streams/contracts';
import type { Prisma } from '../generated/prisma/client.ts';
import { lockOrder } from '../orders/order-lock.ts';
import { decisionColumns, priceBySku, type OrderDecision } from '../orders/store-order.ts';

export type ReservationResultEvent = EventOf<typeof topics.reservationResult>;

export type ReservationResultOutcome =
  /** A PENDING order moved to CONFIRMED or REJECTED. */
  | 'decided'
  /** The order already has this status (a re-sent result, or a sync order stored from the HTTP answer). */
  | 'already-decided'
  /** The order was decided the other way; the first decision stands. */
  | 'conflicting'
  /** No such order: parked in `unmatched_reservation_results`. */
  | 'unmatched';

/**
 * Applies inventory's verdict to an order, inside the inbox transaction of the consumer (so a
 * redelivered event is already filtered out before this runs). Only PENDING orders move, so the
 * first verdict wins and sync orders, decided when they were stored, are never touched.
 *
 * A result for an order sales does not have is parked rather than retried or dead-lettered: an async
 * order is committed before its OrderPlaced can even be published, so such a result cannot be
 * early; in practice it belongs to a sync order whose HTTP call sales gave up on (stock reserved for
 * an order the client was told failed), which is worth keeping visible. Retrying would stall the
 * partition for an order that never comes.
 */
export async function applyReservationResult(
  tx: Prisma.TransactionClient,
  event: ReservationResultEvent,
): Promise<ReservationResultOutcome> {
  const { orderId } = event.data;
  const decision = decisionOf(event);
  // A sync result racing the HTTP answer either sees the stored order or is parked before the
  // order's transaction clears parked results.
  await lockOrder(tx, orderId);
  const moved = await tx.order.updateMany({
    where: { id: orderId, status: 'PENDING' },
    data: { status: decision.status, ...decisionColumns(decision) },
  });
  if (moved.count === 1) {
    if (decision.status === 'CONFIRMED') {
      for (const [sku, unitPriceCents] of priceBySku(decision.lines)) {
        await tx.orderLine.updateMany({ where: { orderId, sku }, data: { unitPriceCents } });
      }
    }
    return 'decided';
  }

  const order = await tx.order.findUnique({ where: { id: orderId }, select: { status: true } });
  if (order !== null) return order.status === decision.status ? 'already-decided' : 'conflicting';

  await tx.unmatchedReservationResult.createMany({
    data: [
      {
        eventId: event.id,
        orderId,
        mode: event.data.mode,
        outcome: decision.status,
        event: event as unknown as Prisma.InputJsonValue,
      },
    ],
    skipDuplicates: true,
  });
  return 'unmatched';
}

function decisionOf(event: ReservationResultEvent): Exclude<OrderDecision, { status: 'PENDING' }> {
  // The verdict's time is when inventory made it, not when sales got round to reading it.
  const decidedAt = new Date(event.occurredAt);
  if (event.type === 'StockReserved') {
    return {
      status: 'CONFIRMED',
      lines: event.data.lines,
      totalAmount: event.data.totalAmount,
      decidedAt,
    };
  }
  return {
    status: 'REJECTED',
    reason: event.data.reason,
    detail: event.data.detail,
    decidedAt,
  };
}
