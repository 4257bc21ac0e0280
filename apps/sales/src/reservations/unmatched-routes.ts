import type { SqlExecutor } from '@retail-streams/streaming-client';
import type { Router } from 'express';

export interface UnmatchedResult {
  eventId: string;
  orderId: string;
  mode: string;
  outcome: string;
  receivedAt: string;
  event: unknown;
}

/**
 * The parked reservation results whose order sales does not have, oldest first (at most 500). A
 * result parked while its sync order was being stored, and not removed by that order's statement
 * because the two ran at once (see `applyReservationResults`), is left out: its order is there.
 */
export async function unmatchedResults(db: SqlExecutor): Promise<UnmatchedResult[]> {
  const rows = await db.$queryRawUnsafe<
    (Omit<UnmatchedResult, 'receivedAt'> & { receivedAt: Date })[]
  >(
    `SELECT u."event_id"::text AS "eventId", u."order_id"::text AS "orderId", u."mode", u."outcome",
            u."received_at" AS "receivedAt", u."event"
       FROM "unmatched_reservation_results" AS u
      WHERE NOT EXISTS (SELECT 1 FROM "orders" AS o WHERE o."id" = u."order_id")
      ORDER BY u."received_at"
      LIMIT 500`,
  );
  return rows.map((row) => ({ ...row, receivedAt: row.receivedAt.toISOString() }));
}

/**
 * `GET /reservation-results/unmatched`: reservation results for orders sales never stored. Each is
 * most likely stock inventory holds for a sync order that was answered 503 (see the README): the
 * operator's view of the sync path's known weakness.
 */
export function unmatchedResultRoutes(router: Router, db: SqlExecutor): void {
  router.get('/reservation-results/unmatched', async (_req, res) => {
    res.json({ results: await unmatchedResults(db) });
  });
}
