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
import { unmatchedResults } from './unmatched-routes.ts';

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

let offset = 0;
/** A consumed result as the consumer runner hands it over. */
function item(event: ReservationResultEvent) {
  return {
    event,
    context: {
      groupId: 'sales',
      topic: topics.reservationResult.name,
      partition: 0,
      offset: String(offset++),
    },
  };
}

async function apply(events: ReservationResultEvent[]) {
  const applied = await applyReservationResults(sqlClientOf(database.prisma), events.map(item));
  return applied.map((entry) => entry.outcome);
}

async function parkedFor(orderId: string) {
  const { rows } = await database.sql.query(
    `SELECT event_id::text AS "eventId", mode, outcome, event
       FROM unmatched_reservation_results WHERE order_id = $1`,
    [orderId],
  );
  return rows;
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
    const outcomes = await apply([
      reserved(confirmedId),
      rejected(rejectedId),
      rejected(contestedId),
      reserved(contestedId), // contradicts the verdict just above
      forUnknown,
      rejected(contestedId), // repeats the first verdict
    ]);
    expect(outcomes).toEqual([
      'decided',
      'decided',
      'decided',
      'conflicting',
      'unmatched',
      'already-decided',
    ]);
    expect(await order(confirmedId)).toEqual({ status: 'CONFIRMED', total: 700, price: 350 });
    expect(await order(rejectedId)).toEqual({ status: 'REJECTED', total: null, price: null });
    expect(await order(contestedId)).toEqual({ status: 'REJECTED', total: null, price: null });
    // The whole event is kept, so a stranded reservation can be looked into.
    expect(await parkedFor(unknownId)).toEqual([
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
    await apply([reserved(orderId)]);
    expect(await apply([reserved(orderId), rejected(orderId)])).toEqual([
      'already-decided',
      'conflicting',
    ]);
    expect(await order(orderId)).toMatchObject({ status: 'CONFIRMED' });
  });

  it('applies each event once: a batch handed over again (a crash, a rebalance) changes nothing', async () => {
    const [first, second] = await Promise.all([pendingOrder(), pendingOrder()]);
    const unknownId = randomUUID();
    const batch = [reserved(first), rejected(second), reserved(unknownId)].map(item);
    const db = sqlClientOf(database.prisma);
    expect((await applyReservationResults(db, batch)).map((entry) => entry.outcome)).toEqual([
      'decided',
      'decided',
      'unmatched',
    ]);
    // The same events again, the same one twice in a batch: nothing applied, nothing reported.
    expect(
      await applyReservationResults(db, [...batch, batch[0] as (typeof batch)[number]]),
    ).toEqual([]);
    expect(await order(first)).toMatchObject({ status: 'CONFIRMED', total: 700 });
    expect(await order(second)).toMatchObject({ status: 'REJECTED' });
    expect(await parkedFor(unknownId)).toHaveLength(1);
  });

  it('lists a parked result as unmatched only while its order is missing', async () => {
    const db = sqlClientOf(database.prisma);
    const [stranded, racing] = [randomUUID(), randomUUID()];
    expect(await apply([reserved(stranded), reserved(racing)])).toEqual(['unmatched', 'unmatched']);
    const listed = async () => (await unmatchedResults(db)).map((result) => result.orderId);
    expect(await listed()).toEqual(expect.arrayContaining([stranded, racing]));
    // The sync path stores the racing order in a statement that did not see the parked result.
    await database.sql.query(
      `INSERT INTO orders (id, customer_id, mode, status, total_cents, received_at, decided_at)
       VALUES ($1, 'c-1', 'sync', 'CONFIRMED', 700, now(), now())`,
      [racing],
    );
    expect(await listed()).toContain(stranded);
    expect(await listed()).not.toContain(racing);
  });
});
