import { randomUUID } from 'node:crypto';
import type { OrderWriter } from './order-writer.ts';
import type { OrderAnswer, OrderRequest } from './place-async-order.ts';

/**
 * The async path for an order without an Idempotency-Key: the order (PENDING) and its OrderPlaced
 * event are stored by the group-committing writer, in one transaction with the orders that arrived
 * beside it, and the client is answered 202 once that transaction committed. Orders with a key go
 * through `placeAsyncOrder`, which claims the key in the same transaction.
 */
export async function acceptAsyncOrder(
  writer: OrderWriter,
  request: OrderRequest,
): Promise<OrderAnswer> {
  const orderId = randomUUID();
  const view = await writer.write({
    orderId,
    customerId: request.body.customerId,
    lines: request.body.lines,
    mode: 'async',
    receivedAt: request.receivedAt,
    decision: { status: 'PENDING' },
  });
  return { status: 202, body: view, orderId, replayed: false };
}
