import type { Router } from 'express';
import { reservationRequest } from '@retail-streams/contracts';
import { validate } from '@retail-streams/service-kit';
import { inTransaction, type InventoryPrisma } from '../database/inventory-database.ts';
import type { ArtificialLatency } from '../fault-injection/artificial-latency.ts';
import { reserveOrder } from './reserve-order.ts';

/**
 * `POST /reservations`: the sync order path's call. 200 with the reservation response (CONFIRMED
 * with prices, or REJECTED with the reason) — a rejection is an answer, not an error. Idempotent per
 * orderId: a retry gets the first answer, whatever lines it carries.
 *
 * The reservation is made even when the caller has given up waiting (sales' timeout): that is the
 * sync path's documented weakness, and why sales retries with the same orderId.
 */
export function reservationRoutes(
  router: Router,
  deps: { prisma: InventoryPrisma; latency: ArtificialLatency },
): void {
  router.post('/reservations', validate({ body: reservationRequest }), async (req, res) => {
    await deps.latency.wait();
    const { response, created } = await inTransaction(deps.prisma, (tx) =>
      reserveOrder(tx, { orderId: req.body.orderId, lines: req.body.lines, mode: 'sync' }),
    );
    req.log.debug(
      { orderId: response.orderId, status: response.status, replayed: !created },
      'reservation answered',
    );
    res.status(200).json(response);
  });
}
