import type { Router } from 'express';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * `GET /reservation-results/unmatched`: reservation results for orders sales never stored. Each is
 * most likely stock inventory holds for a sync order that was answered 503 (see the README): the
 * operator's view of the sync path's known weakness.
 */
export function unmatchedResultRoutes(router: Router, prisma: PrismaClient): void {
  router.get('/reservation-results/unmatched', async (_req, res) => {
    const rows = await prisma.unmatchedReservationResult.findMany({
      orderBy: { receivedAt: 'asc' },
      take: 500,
    });
    res.json({
      results: rows.map((row) => ({
        eventId: row.eventId,
        orderId: row.orderId,
        mode: row.mode,
        outcome: row.outcome,
        receivedAt: row.receivedAt.toISOString(),
        event: row.event,
      })),
    });
  });
}
