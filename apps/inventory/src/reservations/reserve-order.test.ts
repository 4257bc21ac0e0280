import { randomUUID } from 'node:crypto';
import { topics } from '@retail-streams/contracts';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, type InventoryPrisma } from '../database/inventory-database.ts';
import {
  freshInventoryDatabase,
  outboxEvents,
  testItem,
} from '../test-support/inventory-database.ts';
import {
  mergeLinesBySku,
  reserveOrder,
  reserveOrders,
  type ReservationInput,
} from './reserve-order.ts';

let postgres: TestPostgres;
let prisma: InventoryPrisma;

beforeAll(async () => {
  postgres = await startTestPostgres();
  ({ prisma } = await freshInventoryDatabase(postgres, 'reserve_order', [
    testItem('SKU-A', 10, 4),
    testItem('SKU-B', 5, 1),
    testItem('SKU-LAST', 7, 0),
    testItem('SKU-X', 20, 5),
    testItem('SKU-Y', 20, 5),
  ]));
});
afterAll(async () => {
  await prisma?.$disconnect();
  await postgres?.stop();
});

function reserve(lines: ReservationInput['lines'], orderId = randomUUID()) {
  return inTransaction(prisma, (tx) => reserveOrder(tx, { orderId, lines, mode: 'async' }));
}

async function available(sku: string): Promise<number> {
  return (await prisma.product.findUniqueOrThrow({ where: { sku } })).available;
}

async function resultsFor(orderId: string) {
  const results = await outboxEvents(prisma, topics.reservationResult.name);
  return results.filter((event) => event.correlationId === orderId);
}

describe('reserveOrder', () => {
  it('reserves every line, prices the order and announces the result and the new levels', async () => {
    const orderId = randomUUID();
    const { response, created } = await reserve(
      [
        { sku: 'SKU-B', quantity: 1 },
        { sku: 'SKU-A', quantity: 3 },
      ],
      orderId,
    );

    expect(created).toBe(true);
    expect(response).toEqual({
      orderId,
      status: 'CONFIRMED',
      lines: [
        { sku: 'SKU-A', quantity: 3, unitPrice: 19.99 },
        { sku: 'SKU-B', quantity: 1, unitPrice: 19.99 },
      ],
      totalAmount: 79.96,
    });
    expect([await available('SKU-A'), await available('SKU-B')]).toEqual([7, 4]);
    const [result] = await resultsFor(orderId);
    expect(result).toMatchObject({ type: 'StockReserved', data: { orderId, totalAmount: 79.96 } });
    const levels = (await outboxEvents(prisma, topics.stockLevel.name)).filter(
      (event) => event.correlationId === orderId,
    );
    expect(levels.map((event) => event.data)).toEqual([
      { sku: 'SKU-A', available: 7, reorderPoint: 4, reorderQuantity: 10, cause: 'reservation' },
      { sku: 'SKU-B', available: 4, reorderPoint: 1, reorderQuantity: 10, cause: 'reservation' },
    ]);
  });

  it('raises low stock only for the reservation that crosses the reorder point', async () => {
    // SKU-X: 20 available, reorder point 5.
    const first = randomUUID();
    const second = randomUUID();
    const third = randomUUID();
    await reserve([{ sku: 'SKU-X', quantity: 14 }], first); // 6: above the point
    await reserve([{ sku: 'SKU-X', quantity: 1 }], second); // 5: at the point, crossing
    await reserve([{ sku: 'SKU-X', quantity: 1 }], third); // 4: already low
    const alerts = (await outboxEvents(prisma, topics.lowStock.name)).filter(
      (event) => event.data['sku'] === 'SKU-X',
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      correlationId: second,
      data: { sku: 'SKU-X', available: 5, reorderPoint: 5, reorderQuantity: 10 },
    });
  });

  it('rejects a whole order for one unknown SKU and reserves none of its lines', async () => {
    const before = await available('SKU-Y');
    const orderId = randomUUID();
    const { response } = await reserve(
      [
        { sku: 'SKU-Y', quantity: 1 },
        { sku: 'SKU-NOPE', quantity: 1 },
      ],
      orderId,
    );
    expect(response).toMatchObject({ status: 'REJECTED', reason: 'UNKNOWN_SKU' });
    expect(response.status === 'REJECTED' && response.detail).toContain('SKU-NOPE');
    expect(await available('SKU-Y')).toBe(before);
    const [result] = await resultsFor(orderId);
    expect(result).toMatchObject({
      type: 'ReservationRejected',
      data: {
        reason: 'UNKNOWN_SKU',
        lines: [
          { sku: 'SKU-NOPE', requested: 1, available: 0 },
          { sku: 'SKU-Y', requested: 1, available: before },
        ],
      },
    });
  });

  it('rejects a whole order when one line is short, and says which', async () => {
    const beforeY = await available('SKU-Y');
    const orderId = randomUUID();
    const { response } = await reserve(
      [
        { sku: 'SKU-Y', quantity: 1 },
        { sku: 'SKU-B', quantity: 1_000 },
      ],
      orderId,
    );
    expect(response).toMatchObject({ status: 'REJECTED', reason: 'INSUFFICIENT_STOCK' });
    expect(response.status === 'REJECTED' && response.detail).toMatch(/SKU-B \(requested 1000/);
    expect(await available('SKU-Y')).toBe(beforeY);
    const levels = (await outboxEvents(prisma, topics.stockLevel.name)).filter(
      (event) => event.correlationId === orderId,
    );
    expect(levels).toEqual([]);
  });

  it('checks a SKU ordered on two lines against the sum of both', async () => {
    const before = await available('SKU-Y');
    const { response } = await reserve([
      { sku: 'SKU-Y', quantity: before },
      { sku: 'SKU-Y', quantity: 1 },
    ]);
    expect(response).toMatchObject({ status: 'REJECTED', reason: 'INSUFFICIENT_STOCK' });
    expect(await available('SKU-Y')).toBe(before);
  });

  it('answers a second attempt for the same order with the first answer and reserves nothing', async () => {
    const orderId = randomUUID();
    const first = await reserve([{ sku: 'SKU-A', quantity: 1 }], orderId);
    const afterFirst = await available('SKU-A');
    const again = await reserve([{ sku: 'SKU-A', quantity: 2 }], orderId);

    expect(again).toEqual({ response: first.response, created: false });
    expect(await available('SKU-A')).toBe(afterFirst);
    expect(await resultsFor(orderId)).toHaveLength(1);
  });

  it('lets only one of many concurrent attempts for the same order reserve', async () => {
    const orderId = randomUUID();
    const before = await available('SKU-Y');
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => reserve([{ sku: 'SKU-Y', quantity: 1 }], orderId)),
    );
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    for (const outcome of outcomes) expect(outcome.response).toEqual(outcomes[0]?.response);
    expect(await available('SKU-Y')).toBe(before - 1);
  });

  it('never oversells the last units under concurrent orders, and does not deadlock', async () => {
    // 7 units of SKU-LAST; 30 orders of one unit each, half of them also taking SKU-A first or
    // last in their lines (the lock order is the SKU order whatever the line order).
    const beforeA = await available('SKU-A');
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        reserve(
          index % 2 === 0
            ? [{ sku: 'SKU-LAST', quantity: 1 }]
            : index % 4 === 1
              ? [
                  { sku: 'SKU-LAST', quantity: 1 },
                  { sku: 'SKU-A', quantity: 1 },
                ]
              : [
                  { sku: 'SKU-A', quantity: 1 },
                  { sku: 'SKU-LAST', quantity: 1 },
                ],
        ),
      ),
    );
    const confirmed = outcomes.filter((outcome) => outcome.response.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(7);
    expect(await available('SKU-LAST')).toBe(0);
    const confirmedWithA = confirmed.filter(
      (outcome) =>
        outcome.response.status === 'CONFIRMED' &&
        outcome.response.lines.some((line) => line.sku === 'SKU-A'),
    ).length;
    expect(await available('SKU-A')).toBe(beforeA - confirmedWithA);
  });
});

describe('reserveOrders (a batch in one transaction)', () => {
  const order = (
    lines: ReservationInput['lines'],
    orderId: string = randomUUID(),
  ): ReservationInput => ({
    orderId,
    lines,
    mode: 'async',
  });

  it('decides the orders one after another, each against the stock the previous ones left', async () => {
    const before = await available('SKU-X');
    const take = before - 1; // the first takes all but one unit
    const batch = [
      order([{ sku: 'SKU-X', quantity: take }]),
      order([{ sku: 'SKU-X', quantity: 2 }]), // only one left: rejected
      order([{ sku: 'SKU-NOPE', quantity: 1 }]), // unknown SKU: rejected, the others unaffected
      order([{ sku: 'SKU-X', quantity: 1 }]), // the last unit
    ];
    const outcomes = await inTransaction(prisma, (tx) => reserveOrders(tx, batch));
    expect(outcomes.map((outcome) => outcome.response.status)).toEqual([
      'CONFIRMED',
      'REJECTED',
      'REJECTED',
      'CONFIRMED',
    ]);
    expect(outcomes[1]?.response).toMatchObject({
      reason: 'INSUFFICIENT_STOCK',
      detail: 'Not enough stock for SKU-X (requested 2, available 1).',
    });
    expect(outcomes[2]?.response).toMatchObject({ reason: 'UNKNOWN_SKU' });
    expect(await available('SKU-X')).toBe(0);
    // One level per change, in order, as if the orders had come one by one.
    const levels = (await outboxEvents(prisma, topics.stockLevel.name))
      .filter((event) => batch.some((input) => input.orderId === event.correlationId))
      .map((event) => event.data.available);
    expect(levels).toEqual([1, 0]);
    for (const input of batch) expect(await resultsFor(input.orderId)).toHaveLength(1);
  });

  it('reserves an order once when it appears twice in a batch or was answered before', async () => {
    const earlier = await reserve([{ sku: 'SKU-Y', quantity: 1 }]);
    const before = await available('SKU-Y');
    const repeated = order([{ sku: 'SKU-Y', quantity: 1 }]);
    const outcomes = await inTransaction(prisma, (tx) =>
      reserveOrders(tx, [
        repeated,
        order([{ sku: 'SKU-Y', quantity: 5 }], earlier.response.orderId),
        { ...repeated, lines: [{ sku: 'SKU-Y', quantity: 3 }] },
      ]),
    );
    expect(outcomes.map((outcome) => outcome.created)).toEqual([true, false, false]);
    expect(outcomes[1]?.response).toEqual(earlier.response);
    expect(outcomes[2]?.response).toEqual(outcomes[0]?.response);
    expect(await available('SKU-Y')).toBe(before - 1);
    expect(await resultsFor(repeated.orderId)).toHaveLength(1);
  });
});

describe('mergeLinesBySku', () => {
  it('sums a SKU ordered twice and sorts by SKU, the lock order', () => {
    expect(
      mergeLinesBySku([
        { sku: 'SKU-B', quantity: 1 },
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'SKU-A', quantity: 2 },
      { sku: 'SKU-B', quantity: 4 },
    ]);
  });
});
