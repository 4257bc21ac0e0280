import type { Router } from 'express';
import { reservationRequest } from '@retail-streams/contracts';
import { validate } from '@retail-streams/service-kit';
import type { ArtificialLatency } from '../fault-injection/artificial-latency.ts';
import type { SyncReservations } from './sync-reservations.ts';

/**
 * `POST /reservations`: the sync order path's call. 200 with the reservation response (CONFIRMED
 * with prices, or REJECTED with the reason) — a rejection is an answer, not an error. Idempotent per
 * orderId: a retry gets the first answer, whatever lines it carries.
 *
 * The reservation is made even when the caller has given up waiting (sales' timeout): that is the
 * sync path's documented weakness, and why sales retries with the same orderId. Calls that arrive
 * together share a transaction (see SyncReservations).
 */
export function reservationRoutes(
  router: Router,
  deps: { reservations: SyncReservations; latency: ArtificialLatency },
): void {
  router.post('/reservations', validate({ body: reservationRequest }), async (req, res) => {
    await deps.latency.wait();
    const { response, created } = await deps.reservations.reserve({
      orderId: req.body.orderId,
      lines: req.body.lines,
    });
    req.log.debug(
      { orderId: response.orderId, status: response.status, replayed: !created },
      'reservation answered',
    );
    res.status(200).json(response);
  });
}
