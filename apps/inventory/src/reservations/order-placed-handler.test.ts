import { randomUUID } from 'node:crypto';
import { createEvent, deadLetterTopicName, topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  product,
  startInventoryTestbed,
  type DeadLetter,
  type InventoryTestbed,
} from '../test-support/inventory-testbed.ts';

let testbed: InventoryTestbed;
let inventory: Awaited<ReturnType<InventoryTestbed['startInventory']>>;

beforeAll(async () => {
  testbed = await startInventoryTestbed();
  inventory = await testbed.startInventory('order_placed_handler');
});
afterAll(async () => {
  await testbed?.stop();
});

function orderPlaced(
  lines: { sku: string; quantity: number }[],
  options: { orderId?: string; mode?: 'async' | 'sync' } = {},
) {
  const orderId = options.orderId ?? randomUUID();
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'customer-1', lines, mode: options.mode ?? 'async' },
    { source: 'sales', correlationId: orderId },
  );
}

function resultsFor(orderId: string) {
  return testbed.events.reservationResults.filter((event) => event.data.orderId === orderId);
}

/** Inventory's group has committed everything on sales.order-placed: all of it was handled. */
function consumedEverything() {
  return eventually('inventory to consume every order placed so far', async () => {
    const lag = await testbed.streaming.lag('inventory', [topics.orderPlaced.name]);
    return lag.length > 0 && lag.every((partition) => partition.lag === 0);
  });
}

function waitForResult(orderId: string) {
  return eventually(`the reservation result of order ${orderId}`, () => resultsFor(orderId)[0]);
}

describe('inventory on the event path (sales.order-placed)', () => {
  it('reserves an order and publishes the result and the new stock level', async () => {
    const before = (await product(inventory.url, 'SKU-KETTLE-01')).available;
    const event = orderPlaced([{ sku: 'SKU-KETTLE-01', quantity: 2 }]);
    await testbed.publish(topics.orderPlaced, event);

    const result = await waitForResult(event.data.orderId);
    expect(result).toMatchObject({
      type: 'StockReserved',
      source: 'inventory',
      correlationId: event.data.orderId,
      causationId: event.id,
      data: {
        mode: 'async',
        lines: [{ sku: 'SKU-KETTLE-01', quantity: 2, unitPrice: 34.99 }],
        totalAmount: 69.98,
      },
    });
    const level = await eventually('the stock level announced for the order', () =>
      testbed.events.stockLevels.find((entry) => entry.correlationId === event.data.orderId),
    );
    expect(level.data).toEqual({
      sku: 'SKU-KETTLE-01',
      available: before - 2,
      reorderPoint: 20,
      reorderQuantity: 100,
      cause: 'reservation',
    });
    expect((await product(inventory.url, 'SKU-KETTLE-01')).available).toBe(before - 2);
  });

  it('publishes low stock when an order takes a SKU down to its reorder point', async () => {
    // SKU-BLENDER-01 starts at 40 with reorder point 6.
    const event = orderPlaced([{ sku: 'SKU-BLENDER-01', quantity: 34 }]);
    await testbed.publish(topics.orderPlaced, event);
    const alert = await eventually('a low-stock alert for SKU-BLENDER-01', () =>
      testbed.events.lowStock.find((entry) => entry.correlationId === event.data.orderId),
    );
    expect(alert.data).toEqual({
      sku: 'SKU-BLENDER-01',
      available: 6,
      reorderPoint: 6,
      reorderQuantity: 30,
    });
  });

  it('rejects an order with a short line or an unknown SKU and reserves none of its lines', async () => {
    const before = (await product(inventory.url, 'SKU-MUG-01')).available;
    const short = orderPlaced([
      { sku: 'SKU-MUG-01', quantity: 1 },
      { sku: 'SKU-TOASTER-01', quantity: 10_000 },
    ]);
    const unknown = orderPlaced([
      { sku: 'SKU-MUG-01', quantity: 1 },
      { sku: 'SKU-UNICORN-99', quantity: 1 },
    ]);
    await testbed.publish(topics.orderPlaced, short);
    await testbed.publish(topics.orderPlaced, unknown);

    expect(await waitForResult(short.data.orderId)).toMatchObject({
      type: 'ReservationRejected',
      data: { reason: 'INSUFFICIENT_STOCK', mode: 'async' },
    });
    expect(await waitForResult(unknown.data.orderId)).toMatchObject({
      type: 'ReservationRejected',
      data: { reason: 'UNKNOWN_SKU' },
    });
    expect((await product(inventory.url, 'SKU-MUG-01')).available).toBe(before);
    expect(
      testbed.events.stockLevels.filter((entry) =>
        [short.data.orderId, unknown.data.orderId].includes(entry.correlationId),
      ),
    ).toEqual([]);
  });

  it('reserves once for a redelivered event and for the same order placed again', async () => {
    const before = (await product(inventory.url, 'SKU-MUG-02')).available;
    const event = orderPlaced([{ sku: 'SKU-MUG-02', quantity: 3 }]);
    const placedAgain = orderPlaced([{ sku: 'SKU-MUG-02', quantity: 3 }], {
      orderId: event.data.orderId,
    });
    await testbed.publish(topics.orderPlaced, event);
    await testbed.publish(topics.orderPlaced, event);
    await testbed.publish(topics.orderPlaced, placedAgain);
    await waitForResult(event.data.orderId);
    await consumedEverything();

    expect(resultsFor(event.data.orderId)).toHaveLength(1);
    expect((await product(inventory.url, 'SKU-MUG-02')).available).toBe(before - 3);
  });

  it('ignores orders placed on the sync path: POST /reservations reserved them already', async () => {
    const before = (await product(inventory.url, 'SKU-TEAPOT-01')).available;
    const event = orderPlaced([{ sku: 'SKU-TEAPOT-01', quantity: 1 }], { mode: 'sync' });
    await testbed.publish(topics.orderPlaced, event);
    await consumedEverything();
    expect(resultsFor(event.data.orderId)).toEqual([]);
    expect((await product(inventory.url, 'SKU-TEAPOT-01')).available).toBe(before);
  });

  it('sends an event that breaks the contract to its dead-letter topic and carries on', async () => {
    const deadLetters: DeadLetter[] = await testbed.tapDeadLetters(
      deadLetterTopicName(topics.orderPlaced.name, 'inventory'),
    );
    const broken = orderPlaced([{ sku: 'SKU-JAR-01', quantity: 1 }]);
    const invalid = JSON.stringify({ ...broken, data: { ...broken.data, lines: [] } });
    await testbed.publishRaw(topics.orderPlaced.name, broken.data.orderId, invalid);
    const next = orderPlaced([{ sku: 'SKU-JAR-01', quantity: 1 }], {
      orderId: broken.data.orderId,
    });
    await testbed.publish(topics.orderPlaced, next);

    const deadLetter = await eventually('the invalid event in the dead-letter topic', () =>
      deadLetters.find((entry) => entry.value === invalid),
    );
    expect(deadLetter.headers['dlq-error-code']).toBe('EVENT_PAYLOAD_INVALID');
    // The partition did not stall: the valid event behind it was reserved.
    expect(await waitForResult(next.data.orderId)).toMatchObject({ type: 'StockReserved' });
  });

  it('never oversells the last units when many orders for them arrive at once', async () => {
    // SKU-GRINDER-01 starts with 50; 60 single-unit orders spread over all six partitions.
    const before = (await product(inventory.url, 'SKU-GRINDER-01')).available;
    const orders = Array.from({ length: before + 10 }, () =>
      orderPlaced([{ sku: 'SKU-GRINDER-01', quantity: 1 }]),
    );
    await testbed.streaming.producer.publishEvents(topics.orderPlaced, orders);

    await eventually(
      'a result for every order',
      () => orders.every((order) => resultsFor(order.data.orderId).length > 0),
      60_000,
    );
    const results = orders.map((order) => resultsFor(order.data.orderId));
    expect(results.every((entries) => entries.length === 1)).toBe(true);
    const confirmed = results.filter((entries) => entries[0]?.type === 'StockReserved');
    expect(confirmed).toHaveLength(before);
    expect((await product(inventory.url, 'SKU-GRINDER-01')).available).toBe(0);
  });
});
