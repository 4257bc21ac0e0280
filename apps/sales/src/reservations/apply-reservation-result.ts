import type { EventOf, topics } from '@retail-streams/contracts';
import {
  firstOfEachEvent,
  inboxClaimFrom,
  type RecordContext,
  type SqlExecutor,
} from '@retail-streams/streaming-client';
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

/** A consumed result with where it came from: what the inbox records. */
export interface ReservationResultItem {
  event: ReservationResultEvent;
  context: Pick<RecordContext, 'groupId' | 'topic' | 'partition' | 'offset'>;
}

/** An item applied this time (not a redelivery), with what it did. */
export interface AppliedResult {
  item: ReservationResultItem;
  outcome: ReservationResultOutcome;
}

/**
 * Applies a batch of inventory's verdicts to their orders, exactly once per event, in ONE statement
 * that is its own transaction: the inbox claim (so a redelivered event, after a crash or a rebalance,
 * changes nothing), the orders' moves with the line prices of confirmed ones, the parking of results
 * for orders sales does not have, and a look at the orders' statuses. Returns the items applied this
 * time, in the order given, with their outcomes; redeliveries are left out. Only PENDING orders move,
 * so the first verdict wins (also between two verdicts in one batch) and sync orders, decided when
 * they were stored, are never touched.
 *
 * A result for an order sales does not have is parked rather than retried or dead-lettered: an
 * async order is committed before its OrderPlaced can even be published, so such a result belongs
 * to a sync order, most likely one whose HTTP call sales gave up on (stock reserved for an order
 * the client was told failed), which is worth keeping visible. Retrying would stall the partition
 * for an order that never comes. The event path can also beat a sync order's own HTTP answer, while
 * sales is still storing the order: the result is then parked for a moment, and the order's storing
 * statement removes it, or, if the two ran at once, the listing leaves out results whose order is
 * there (see `unmatchedResults`). Nothing is locked for this, so neither side waits for the other.
 */
export async function applyReservationResults(
  db: SqlExecutor,
  items: readonly ReservationResultItem[],
): Promise<AppliedResult[]> {
  const unique = firstOfEachEvent(items);
  if (unique.length === 0) return [];
  return outcomesOf(unique, await applyStatement(db, unique));
}

/** What the apply statement did: the events it claimed, the orders it moved, the orders it saw. */
interface Applied {
  claimed: Set<string>;
  /** The status each moved order now has, by order id. */
  moved: Map<string, string>;
  /** The status of each order among the items that existed when the statement began, by order id. */
  stored: Map<string, string>;
}

/**
 * The apply statement for `items` (distinct events): it claims them in the inbox, applies each
 * order's first claimed verdict (in the order given) and parks the claimed results of unknown orders.
 */
async function applyStatement(
  db: SqlExecutor,
  items: readonly ReservationResultItem[],
): Promise<Applied> {
  const decisions = items.map((item) => decisionOf(item.event));
  const prices = items.flatMap((item, index) => {
    const decision = decisions[index] as (typeof decisions)[number];
    return decision.status === 'CONFIRMED'
      ? [...priceBySku(decision.lines)].map(([sku, cents]) => ({
          eventId: item.event.id,
          sku,
          cents: cents.toString(),
        }))
      : [];
  });
  const rows = await db.$queryRawUnsafe<{ kind: string; id: string; status: string | null }[]>(
    `WITH "input" AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::uuid[],
                            $7::text[], $8::bigint[], $9::text[], $10::text[], $11::timestamptz[],
                            $12::text[], $13::text[])
              WITH ORDINALITY AS i("event_id", "consumer_group", "topic", "partition", "offset",
                                   "order_id", "status", "total_cents", "reason", "detail",
                                   "decided_at", "mode", "event", "n")
     ), "stored" AS (
       SELECT "id", "status" FROM "orders" WHERE "id" IN (SELECT "order_id" FROM "input")
     ), "claimed" AS (
       ${inboxClaimFrom('"input"')}
     ), "first" AS (
       SELECT DISTINCT ON (i."order_id") i.*
         FROM "input" AS i JOIN "claimed" AS c ON c."event_id" = i."event_id"
        ORDER BY i."order_id", i."n"
     ), "moved" AS (
       UPDATE "orders" AS o
          SET "status" = f."status", "total_cents" = f."total_cents", "rejection_reason" = f."reason",
              "rejection_detail" = f."detail", "decided_at" = f."decided_at"
         FROM "first" AS f
        WHERE o."id" = f."order_id" AND o."status" = 'PENDING'
       RETURNING o."id", o."status"
     ), "priced" AS (
       UPDATE "order_lines" AS l SET "unit_price_cents" = p."cents"
         FROM unnest($14::uuid[], $15::text[], $16::bigint[]) AS p("event_id", "sku", "cents")
         JOIN "first" AS f ON f."event_id" = p."event_id"
        WHERE l."order_id" = f."order_id" AND l."sku" = p."sku"
          AND f."order_id" IN (SELECT "id" FROM "moved" WHERE "status" = 'CONFIRMED')
     ), "parked" AS (
       INSERT INTO "unmatched_reservation_results" ("event_id", "order_id", "mode", "outcome", "event")
       SELECT f."event_id", f."order_id", f."mode", f."status", f."event"::jsonb
         FROM "first" AS f
        WHERE f."order_id" NOT IN (SELECT "id" FROM "stored")
       ON CONFLICT DO NOTHING
     )
     SELECT 'claimed' AS "kind", "event_id"::text AS "id", NULL AS "status" FROM "claimed"
     UNION ALL SELECT 'moved', "id"::text, "status" FROM "moved"
     UNION ALL SELECT 'stored', "id"::text, "status" FROM "stored"`,
    items.map((item) => item.event.id),
    items.map((item) => item.context.groupId),
    items.map((item) => item.context.topic),
    items.map((item) => item.context.partition),
    items.map((item) => item.context.offset),
    items.map((item) => item.event.data.orderId),
    decisions.map((decision) => decision.status),
    decisions.map((decision) =>
      decision.status === 'CONFIRMED' ? toCents(decision.totalAmount).toString() : null,
    ),
    decisions.map((decision) => (decision.status === 'REJECTED' ? decision.reason : null)),
    decisions.map((decision) => (decision.status === 'REJECTED' ? decision.detail : null)),
    decisions.map((decision) => decision.decidedAt.toISOString()),
    items.map((item) => item.event.data.mode),
    // The whole event is kept with a parked result, so a stranded reservation can be looked into.
    items.map((item) => JSON.stringify(item.event)),
    prices.map((price) => price.eventId),
    prices.map((price) => price.sku),
    prices.map((price) => price.cents),
  );
  const applied: Applied = { claimed: new Set(), moved: new Map(), stored: new Map() };
  for (const row of rows) {
    if (row.kind === 'claimed') applied.claimed.add(row.id);
    else if (row.kind === 'moved') applied.moved.set(row.id, row.status as string);
    else applied.stored.set(row.id, row.status as string);
  }
  return applied;
}

/** The outcome of each item the statement claimed, in the order given. */
function outcomesOf(items: readonly ReservationResultItem[], applied: Applied): AppliedResult[] {
  const decidedFirst = new Set<string>();
  return items
    .filter((item) => applied.claimed.has(item.event.id.toLowerCase()))
    .map((item): AppliedResult => {
      const orderId = orderIdOf(item);
      const first = !decidedFirst.has(orderId);
      decidedFirst.add(orderId);
      if (first && applied.moved.has(orderId)) return { item, outcome: 'decided' };
      // Compared with what the order had, or with what the batch's first verdict for it left.
      const stored = applied.moved.get(orderId) ?? applied.stored.get(orderId);
      if (stored === undefined) return { item, outcome: 'unmatched' };
      const verdict = decisionOf(item.event).status;
      return { item, outcome: stored === verdict ? 'already-decided' : 'conflicting' };
    });
}

function orderIdOf(item: ReservationResultItem): string {
  return item.event.data.orderId.toLowerCase();
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
