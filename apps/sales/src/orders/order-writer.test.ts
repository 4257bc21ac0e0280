import { randomUUID } from 'node:crypto';
import { createLogger, sqlClientOf } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import type { SqlExecutor, TransactionalClient } from '@retail-streams/streaming-client';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { freshSalesDatabase } from '../test-support/sales-database.ts';
import { OrderWriter } from './order-writer.ts';
import type { NewOrder } from './store-order.ts';

const logger = createLogger('sales-test', { level: 'silent' });

let postgres: TestPostgres;
let database: Awaited<ReturnType<typeof freshSalesDatabase>>;
let prisma: PrismaClient;
let sql: pg.Pool;

beforeAll(async () => {
  postgres = await startTestPostgres();
  database = await freshSalesDatabase(postgres, 'order_writer');
  ({ prisma, sql } = database);
});
afterAll(async () => {
  await database?.close();
  await postgres?.stop();
});

function pendingOrder(customerId = 'c-1'): NewOrder {
  return {
    orderId: randomUUID(),
    customerId,
    lines: [
      { sku: 'SKU-A', quantity: 1 },
      { sku: 'SKU-B', quantity: 2 },
    ],
    mode: 'async',
    receivedAt: new Date(),
    decision: { status: 'PENDING' },
  };
}

async function stored(orderIds: readonly string[]) {
  const { rows } = await sql.query<{ id: string; lines: number; events: number }>(
    `SELECT o.id::text AS id,
            (SELECT count(*)::int FROM order_lines l WHERE l.order_id = o.id) AS lines,
            (SELECT count(*)::int FROM outbox_events e WHERE e.key = o.id::text) AS events
       FROM orders o WHERE o.id = ANY($1::uuid[]) ORDER BY o.id`,
    [orderIds],
  );
  return rows;
}

describe('the order writer (group commit)', () => {
  it('stores the orders that arrive together in one transaction, each with its lines and its event', async () => {
    const writer = new OrderWriter(sqlClientOf(prisma), logger);
    const transactions = vi.spyOn(sqlClientOf(prisma), '$transaction');
    const orders = Array.from({ length: 25 }, () => pendingOrder());
    const views = await Promise.all(orders.map((order) => writer.write(order)));
    // 25 requests at once: the first commit takes them all (a later one would take what came meanwhile).
    expect(transactions.mock.calls.length).toBeLessThan(5);
    transactions.mockRestore();
    expect(views[0]).toEqual({
      orderId: orders[0]?.orderId,
      customerId: 'c-1',
      mode: 'async',
      status: 'PENDING',
      lines: [
        { sku: 'SKU-A', quantity: 1, unitPrice: null },
        { sku: 'SKU-B', quantity: 2, unitPrice: null },
      ],
      totalAmount: null,
      rejection: null,
      receivedAt: orders[0]?.receivedAt.toISOString(),
      decidedAt: null,
    });
    const rows = await stored(orders.map((order) => order.orderId));
    expect(rows).toHaveLength(25);
    expect(rows.every((row) => row.lines === 2 && row.events === 1)).toBe(true);
  });

  it('starts a second commit while one is in flight, and holds what comes next for the one after', async () => {
    const real = sqlClientOf(prisma);
    let inFlight = 0;
    let most = 0;
    let commits = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The real database behind a gate: every commit waits until the test opens it.
    const gated: TransactionalClient<SqlExecutor> = {
      $queryRawUnsafe: (query, ...values) => real.$queryRawUnsafe(query, ...values),
      $transaction: (work) => real.$transaction(work),
      $executeRawUnsafe: async (query, ...values) => {
        commits += 1;
        most = Math.max(most, ++inFlight);
        try {
          await gate;
          return await real.$executeRawUnsafe(query, ...values);
        } finally {
          inFlight -= 1;
        }
      },
    };
    const writer = new OrderWriter(gated, logger);
    const [a, b, c, d] = [pendingOrder(), pendingOrder(), pendingOrder(), pendingOrder()];
    const first = writer.write(a);
    await vi.waitFor(() => expect(inFlight).toBe(1));
    const second = writer.write(b);
    await vi.waitFor(() => expect(inFlight).toBe(2));
    const rest = [c, d].map((order) => writer.write(order));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(commits).toBe(2); // the third and fourth wait for a commit to finish...
    open();
    await Promise.all([first, second, ...rest]);
    expect(commits).toBe(3); // ...and then go together
    expect(most).toBe(2);
    expect(await stored([a, b, c, d].map((order) => order.orderId))).toHaveLength(4);
  });

  it('fails only the order the database refuses when a batch fails, and stores the others', async () => {
    const writer = new OrderWriter(sqlClientOf(prisma), logger);
    const good = [pendingOrder(), pendingOrder()];
    // A mode the orders table's CHECK constraint refuses: this order can never be stored.
    const bad = { ...pendingOrder(), mode: 'carrier-pigeon' } as unknown as NewOrder;
    const outcomes = await Promise.allSettled(
      [good[0], bad, good[1]].map((order) => writer.write(order as NewOrder)),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((await stored(good.map((order) => order.orderId))).map((row) => row.events)).toEqual([
      1, 1,
    ]);
    expect(await stored([bad.orderId])).toEqual([]);
  });

  it('stores a decided sync order with its prices and removes a result parked for it', async () => {
    const writer = new OrderWriter(sqlClientOf(prisma), logger);
    const order: NewOrder = {
      ...pendingOrder('c-sync'),
      mode: 'sync',
      decision: {
        status: 'CONFIRMED',
        lines: [
          { sku: 'SKU-A', unitPrice: 1.5 },
          { sku: 'SKU-B', unitPrice: 2.25 },
        ],
        totalAmount: 6,
        decidedAt: new Date(),
      },
    };
    await sql.query(
      `INSERT INTO unmatched_reservation_results (event_id, order_id, mode, outcome, event)
       VALUES ($1, $2, 'sync', 'CONFIRMED', '{}')`,
      [randomUUID(), order.orderId],
    );
    const view = await writer.write(order);
    expect(view).toMatchObject({
      status: 'CONFIRMED',
      totalAmount: 6,
      lines: [
        { sku: 'SKU-A', quantity: 1, unitPrice: 1.5 },
        { sku: 'SKU-B', quantity: 2, unitPrice: 2.25 },
      ],
    });
    const { rows } = await sql.query(
      `SELECT total_cents::int AS total, (SELECT count(*)::int FROM unmatched_reservation_results u
          WHERE u.order_id = o.id) AS parked FROM orders o WHERE o.id = $1`,
      [order.orderId],
    );
    expect(rows).toEqual([{ total: 600, parked: 0 }]);
  });
});
