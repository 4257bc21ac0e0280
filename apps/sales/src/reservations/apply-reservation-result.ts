import type { EventOf, topics } from '@retail-streams/contracts';
import type { SqlExecutor } from '@retail-streams/streaming-client';
import { lockOrders } from '../orders/order-lock.ts';
import { toCents } from '../money.ts';
import { priceBySku, type OrderDecision } from '../orders/store-order.ts';

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
 * Applies inventory's verdicts to their orders, in the order given, inside the inbox transaction of
 * the consumer (so redelivered events are already filtered out before this runs). Only PENDING orders
 * move, so the first verdict wins (also between two verdicts in one batch) and sync orders, decided
 * when they were stored, are never touched. Returns one outcome per event.
 *
 * A result for an order sales does not have is parked rather than retried or dead-lettered: an async
 * order is committed before its OrderPlaced can even be published, so such a result cannot be
 * early; in practice it belongs to a sync order whose HTTP call sales gave up on (stock reserved for
 * an order the client was told failed), which is worth keeping visible. Retrying would stall the
 * partition for an order that never comes.
 *
 * Statements for a batch of any size: the order locks, the move (orders and line prices), and, only
 * when some order did not move, a look at those orders and the parking of the unknown ones.
 */
export async function applyReservationResults(
  tx: SqlExecutor,
  events: readonly ReservationResultEvent[],
): Promise<ReservationResultOutcome[]> {
  const first = new Map<string, ReservationResultEvent>();
  for (const event of events) {
    const orderId = event.data.orderId.toLowerCase();
    if (!first.has(orderId)) first.set(orderId, event);
  }
  // A sync result racing the HTTP answer either sees the stored order or is parked before the
  // order's transaction clears parked results.
  await lockOrders(tx, [...first.keys()]);
  const moved = await moveOrders(tx, [...first.values()]);

  const notMoved = [...first.keys()].filter((orderId) => !moved.has(orderId));
  const statuses = new Map<string, string>();
  if (notMoved.length > 0) {
    const rows = await tx.$queryRawUnsafe<{ id: string; status: string }[]>(
      `SELECT "id"::text AS "id", "status" FROM "orders" WHERE "id" = ANY($1::uuid[])`,
      notMoved,
    );
    for (const row of rows) statuses.set(row.id, row.status);
    const unknown = notMoved.filter((orderId) => !statuses.has(orderId));
    await parkUnmatched(
      tx,
      unknown.map((orderId) => first.get(orderId) as ReservationResultEvent),
    );
  }

  return events.map((event) => {
    const orderId = event.data.orderId.toLowerCase();
    const status = decisionOf(event).status;
    if (first.get(orderId) === event) {
      if (moved.has(orderId)) return 'decided';
      const stored = statuses.get(orderId);
      if (stored === undefined) return 'unmatched';
      return stored === status ? 'already-decided' : 'conflicting';
    }
    // A second verdict for an order in the same batch: compared with what the first one left.
    const stored = moved.get(orderId) ?? statuses.get(orderId);
    if (stored === undefined) return 'unmatched';
    return stored === status ? 'already-decided' : 'conflicting';
  });
}

/**
 * Moves the PENDING orders among `events` to their verdict, with the line prices of confirmed ones,
 * in one statement. Returns the status each moved order now has, by order id.
 */
async function moveOrders(
  tx: SqlExecutor,
  events: readonly ReservationResultEvent[],
): Promise<Map<string, string>> {
  const decisions = events.map((event) => ({ orderId: event.data.orderId, ...decisionOf(event) }));
  const prices = decisions.flatMap((decision) =>
    decision.status === 'CONFIRMED'
      ? [...priceBySku(decision.lines)].map(([sku, cents]) => ({
          orderId: decision.orderId,
          sku,
          cents: cents.toString(),
        }))
      : [],
  );
  const rows = await tx.$queryRawUnsafe<{ id: string; status: string }[]>(
    `WITH "moved" AS (
       UPDATE "orders" AS o
          SET "status" = d.status, "total_cents" = d.total_cents, "rejection_reason" = d.reason,
              "rejection_detail" = d.detail, "decided_at" = d.decided_at
         FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
              AS d(order_id, status, total_cents, reason, detail, decided_at)
        WHERE o."id" = d.order_id AND o."status" = 'PENDING'
       RETURNING o."id", o."status"
     ), "priced" AS (
       UPDATE "order_lines" AS l SET "unit_price_cents" = p.cents
         FROM unnest($7::uuid[], $8::text[], $9::bigint[]) AS p(order_id, sku, cents)
        WHERE l."order_id" = p.order_id AND l."sku" = p.sku
          AND p.order_id IN (SELECT "id" FROM "moved" WHERE "status" = 'CONFIRMED')
     )
     SELECT "id"::text AS "id", "status" FROM "moved"`,
    decisions.map((decision) => decision.orderId),
    decisions.map((decision) => decision.status),
    decisions.map((decision) =>
      decision.status === 'CONFIRMED' ? toCents(decision.totalAmount).toString() : null,
    ),
    decisions.map((decision) => (decision.status === 'REJECTED' ? decision.reason : null)),
    decisions.map((decision) => (decision.status === 'REJECTED' ? decision.detail : null)),
    decisions.map((decision) => decision.decidedAt.toISOString()),
    prices.map((price) => price.orderId),
    prices.map((price) => price.sku),
    prices.map((price) => price.cents),
  );
  return new Map(rows.map((row) => [row.id, row.status]));
}

async function parkUnmatched(
  tx: SqlExecutor,
  events: readonly ReservationResultEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO "unmatched_reservation_results" ("event_id", "order_id", "mode", "outcome", "event")
     SELECT event_id, order_id, mode, outcome, event::jsonb
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
            AS u(event_id, order_id, mode, outcome, event)
     ON CONFLICT DO NOTHING`,
    events.map((event) => event.id),
    events.map((event) => event.data.orderId),
    events.map((event) => event.data.mode),
    events.map((event) => decisionOf(event).status),
    events.map((event) => JSON.stringify(event)),
  );
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
