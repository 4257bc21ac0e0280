import { randomUUID } from 'node:crypto';
import { createEvent, topics } from '@retail-streams/contracts';
import { writeToOutbox } from '@retail-streams/streaming-client';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { claimIdempotencyKey, recordAnswer } from '../idempotency/idempotency-keys.ts';
import type { StoredAnswer } from '../idempotency/idempotency-keys.ts';
import type { PlaceOrderBody } from './order-requests.ts';
import { storeOrder } from './store-order.ts';

export interface OrderRequest {
  body: PlaceOrderBody;
  receivedAt: Date;
  idempotency?: { key: string; fingerprint: string };
}

export interface OrderAnswer extends StoredAnswer {
  orderId: string;
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/**
 * The async path: the order (PENDING), its OrderPlaced event and the Idempotency-Key's answer commit in
 * one transaction, so there is never an order without its event or an event without its order, and the
 * client is answered 202 without waiting for anyone. The outbox relay publishes the event.
 */
export async function placeAsyncOrder(
  prisma: PrismaClient,
  request: OrderRequest,
): Promise<OrderAnswer> {
  return prisma.$transaction(async (tx) => {
    let orderId: string = randomUUID();
    if (request.idempotency) {
      const claim = await claimIdempotencyKey(
        tx,
        request.idempotency.key,
        request.idempotency.fingerprint,
        orderId,
      );
      if (claim.kind === 'answered')
        return { ...claim.answer, orderId: claim.orderId, replayed: true };
      orderId = claim.orderId;
    }
    const view = await storeOrder(tx, {
      orderId,
      customerId: request.body.customerId,
      lines: request.body.lines,
      mode: 'async',
      receivedAt: request.receivedAt,
      decision: { status: 'PENDING' },
    });
    await writeToOutbox(tx, topics.orderPlaced, [
      createEvent(
        topics.orderPlaced,
        'OrderPlaced',
        { orderId, customerId: view.customerId, lines: request.body.lines, mode: 'async' },
        { source: 'sales', correlationId: orderId, occurredAt: request.receivedAt },
      ),
    ]);
    const answer = { status: 202, body: view };
    if (request.idempotency) await recordAnswer(tx, request.idempotency.key, answer);
    return { ...answer, orderId, replayed: false };
  });
}
