import { randomUUID } from 'node:crypto';
import { createEvent, topics, type ReservationResponse } from '@retail-streams/contracts';
import { HttpProblem } from '@retail-streams/service-kit';
import { writeToOutbox } from '@retail-streams/streaming-client';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { claimIdempotencyKey, recordAnswer } from '../idempotency/idempotency-keys.ts';
import { InventoryCallError, type InventoryClient } from '../inventory/inventory-client.ts';
import { lockOrder } from './order-lock.ts';
import type { OrderWriter } from './order-writer.ts';
import { toOrderView, withLines } from './order-view.ts';
import type { OrderAnswer, OrderRequest } from './place-async-order.ts';
import { storeOrder, type OrderDecision } from './store-order.ts';

export interface SyncOrderDependencies {
  prisma: PrismaClient;
  inventory: InventoryClient;
  /** Stores orders without an Idempotency-Key by group commit. */
  writer: OrderWriter;
}

/**
 * The sync path: ask inventory to reserve over HTTP and answer 201 with the final status, or 503 when
 * inventory is down or slower than the timeout. Nothing is stored before the call, so a 503 leaves no
 * order behind; the order and its OrderPlaced (mode 'sync') are stored together after the answer.
 *
 * Known weakness (deliberate, it is what the sync path demonstrates): when the call times out after
 * inventory reserved, that stock stays reserved for an order the client was told failed. With an
 * Idempotency-Key the key is claimed with its order id before the call, so a retry asks inventory
 * about the same order and gets the reservation it already made instead of reserving twice.
 */
export async function placeSyncOrder(
  deps: SyncOrderDependencies,
  request: OrderRequest,
): Promise<OrderAnswer> {
  let orderId: string = randomUUID();
  const { idempotency } = request;
  if (idempotency) {
    const claim = await deps.prisma.$transaction((tx) =>
      claimIdempotencyKey(tx, idempotency.key, idempotency.fingerprint, orderId),
    );
    if (claim.kind === 'answered')
      return { ...claim.answer, orderId: claim.orderId, replayed: true };
    orderId = claim.orderId;
  }

  const reservation = await reserve(deps.inventory, orderId, request);
  const decidedAt = new Date();
  if (!idempotency) {
    // A fresh order id: nothing else can be storing this order, only its result event can race it.
    const view = await deps.writer.write({
      orderId,
      customerId: request.body.customerId,
      lines: request.body.lines,
      mode: 'sync',
      receivedAt: request.receivedAt,
      decision: decisionOf(reservation, decidedAt),
    });
    return { status: 201, body: view, orderId, replayed: false };
  }

  return deps.prisma.$transaction(async (tx) => {
    // A racing duplicate (same Idempotency-Key, in flight at once) may be storing the same order:
    // serialise on the order id and let the first one write it.
    await lockOrder(tx, orderId);
    const existing = await tx.order.findUnique({ where: { id: orderId }, include: withLines });
    let view;
    if (existing) {
      view = toOrderView(existing);
    } else {
      view = await storeOrder(tx, {
        orderId,
        customerId: request.body.customerId,
        lines: request.body.lines,
        mode: 'sync',
        receivedAt: request.receivedAt,
        decision: decisionOf(reservation, decidedAt),
      });
      await writeToOutbox(tx, topics.orderPlaced, [
        createEvent(
          topics.orderPlaced,
          'OrderPlaced',
          { orderId, customerId: view.customerId, lines: request.body.lines, mode: 'sync' },
          { source: 'sales', correlationId: orderId, occurredAt: request.receivedAt },
        ),
      ]);
      // Inventory's own result event may have arrived first and been parked: the order is known now.
      await tx.unmatchedReservationResult.deleteMany({ where: { orderId } });
    }
    const answer = { status: 201, body: view };
    if (idempotency) await recordAnswer(tx, idempotency.key, answer);
    return { ...answer, orderId, replayed: false };
  });
}

async function reserve(
  inventory: InventoryClient,
  orderId: string,
  request: OrderRequest,
): Promise<ReservationResponse> {
  try {
    return await inventory.reserve({ orderId, lines: request.body.lines });
  } catch (error) {
    if (!(error instanceof InventoryCallError)) throw error;
    const retry = request.idempotency
      ? 'Retrying with the same Idempotency-Key asks inventory about the same order.'
      : 'Send an Idempotency-Key so that a retry cannot reserve stock twice.';
    if (error.code === 'INVENTORY_BAD_RESPONSE') {
      throw new HttpProblem({
        status: 502,
        code: 'INVENTORY_BAD_RESPONSE',
        detail: `The order was not placed: ${error.message}.`,
        extensions: { orderId, cause: error.code },
        cause: error,
      });
    }
    const mayHaveReserved =
      error.code === 'INVENTORY_TIMEOUT' ? ' Inventory may have reserved stock for it.' : '';
    throw new HttpProblem({
      status: 503,
      code: 'INVENTORY_UNAVAILABLE',
      detail: `The order was not placed: ${error.message}.${mayHaveReserved} ${retry}`,
      extensions: { orderId, cause: error.code },
      cause: error,
    });
  }
}

function decisionOf(reservation: ReservationResponse, decidedAt: Date): OrderDecision {
  if (reservation.status === 'CONFIRMED') {
    return {
      status: 'CONFIRMED',
      lines: reservation.lines,
      totalAmount: reservation.totalAmount,
      decidedAt,
    };
  }
  return {
    status: 'REJECTED',
    reason: reservation.reason,
    detail: reservation.detail,
    decidedAt,
  };
}
