import { randomUUID } from 'node:crypto';
import { createEvent, topics } from '@retail-streams/contracts';
import { createLogger, sqlClientOf } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderWriter } from '../orders/order-writer.ts';
import { freshSalesDatabase } from '../test-support/sales-database.ts';
import {
  applyReservationResults,
  type ReservationResultEvent,
} from './apply-reservation-result.ts';

let postgres: TestPostgres;
let database: Awaited<ReturnType<typeof freshSalesDatabase>>;

beforeAll(async () => {
  postgres = await startTestPostgres();
  database = await freshSalesDatabase(postgres, 'apply_results');
});
afterAll(async () => {
  await database?.close();
  await postgres?.stop();
});

async function pendingOrder(): Promise<string> {
  const writer = new OrderWriter(
    sqlClientOf(database.prisma),
    createLogger('sales-test', { level: 'silent' }),
  );
  const orderId = randomUUID();
  await writer.write({
    orderId,
    customerId: 'c-1',
    lines: [{ sku: 'SKU-A', quantity: 2 }],
    mode: 'async',
    receivedAt: new Date(),
    decision: { status: 'PENDING' },
  });
  return orderId;
}

function reserved(orderId: string): ReservationResultEvent {
  return createEvent(
    topics.reservationResult,
    'StockReserved',
    {
      orderId,
      mode: 'async',
      lines: [{ sku: 'SKU-A', quantity: 2, unitPrice: 3.5 }],
      totalAmount: 7,
    },
    { source: 'inventory', correlationId: orderId },
  );
}

function rejected(orderId: string): ReservationResultEvent {
  return createEvent(
    topics.reservationResult,
    'ReservationRejected',
    {
      orderId,
      mode: 'async',
      reason: 'INSUFFICIENT_STOCK',
      detail: 'Not enough stock for SKU-A.',
      lines: [{ sku: 'SKU-A', requested: 2, available: 0 }],
    },
    { source: 'inventory', correlationId: orderId },
  );
}

async function order(orderId: string) {
  const { rows } = await database.sql.query(
    `SELECT status, total_cents::int AS total,
            (SELECT unit_price_cents::int FROM order_lines WHERE order_id = o.id) AS price
       FROM orders o WHERE id = $1`,
    [orderId],
  );
  return rows[0];
}

describe('applying reservation results, a batch at a time', () => {
  it('decides each order by its first verdict in the batch, and parks results for unknown orders', async () => {
    const [confirmedId, rejectedId, contestedId] = await Promise.all([
      pendingOrder(),
      pendingOrder(),
      pendingOrder(),
    ]);
    const unknownId = randomUUID();
    const forUnknown = reserved(unknownId);
    const outcomes = await sqlClientOf(database.prisma).$transaction((tx) =>
      applyReservationResults(tx, [
        reserved(confirmedId),
        rejected(rejectedId),
        rejected(contestedId),
        reserved(contestedId), // contradicts the verdict just above
        rejected(contestedId), // repeats it
        forUnknown,
      ]),
    );
    expect(outcomes).toEqual([
      'decided',
      'decided',
      'decided',
      'conflicting',
      'already-decided',
      'unmatched',
    ]);
    expect(await order(confirmedId)).toEqual({ status: 'CONFIRMED', total: 700, price: 350 });
    expect(await order(rejectedId)).toEqual({ status: 'REJECTED', total: null, price: null });
    expect(await order(contestedId)).toEqual({ status: 'REJECTED', total: null, price: null });
    const { rows } = await database.sql.query(
      `SELECT event_id::text AS "eventId", mode, outcome, event
         FROM unmatched_reservation_results WHERE order_id = $1`,
      [unknownId],
    );
    // The whole event is kept, so a stranded reservation can be looked into.
    expect(rows).toEqual([
      {
        eventId: forUnknown.id,
        mode: forUnknown.data.mode,
        outcome: 'CONFIRMED',
        event: forUnknown,
      },
    ]);
  });

  it('leaves a decided order alone in a later batch', async () => {
    const orderId = await pendingOrder();
    await sqlClientOf(database.prisma).$transaction((tx) =>
      applyReservationResults(tx, [reserved(orderId)]),
    );
    const outcomes = await sqlClientOf(database.prisma).$transaction((tx) =>
      applyReservationResults(tx, [reserved(orderId), rejected(orderId)]),
    );
    expect(outcomes).toEqual(['already-decided', 'conflicting']);
    expect(await order(orderId)).toMatchObject({ status: 'CONFIRMED' });
  });
});
