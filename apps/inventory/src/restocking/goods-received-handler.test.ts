import { randomUUID } from 'node:crypto';
import { createEvent, deadLetterTopicName, topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  product,
  startInventoryTestbed,
  type InventoryTestbed,
} from '../test-support/inventory-testbed.ts';

let testbed: InventoryTestbed;
let inventory: Awaited<ReturnType<InventoryTestbed['startInventory']>>;

beforeAll(async () => {
  testbed = await startInventoryTestbed();
  inventory = await testbed.startInventory('goods_received_handler');
});
afterAll(async () => {
  await testbed?.stop();
});

function goodsReceived(sku: string, quantity: number, purchaseOrderId: string = randomUUID()) {
  const now = new Date();
  return createEvent(
    topics.goodsReceived,
    'GoodsReceived',
    {
      purchaseOrderId,
      sku,
      quantity,
      orderedAt: new Date(now.getTime() - 10_000).toISOString(),
      receivedAt: now.toISOString(),
    },
    { source: 'reordering', correlationId: purchaseOrderId },
  );
}

function levelsFor(purchaseOrderId: string) {
  return testbed.events.stockLevels.filter((event) => event.correlationId === purchaseOrderId);
}

function consumedEverything() {
  return eventually('inventory to consume every goods-received event so far', async () => {
    const lag = await testbed.streaming.lag('inventory', [topics.goodsReceived.name]);
    return lag.length > 0 && lag.every((partition) => partition.lag === 0);
  });
}

describe('inventory restocking (reordering.goods-received)', () => {
  it('adds a delivery to stock and announces the new level', async () => {
    const before = (await product(inventory.url, 'SKU-TOWEL-01')).available;
    const delivery = goodsReceived('SKU-TOWEL-01', 200);
    await testbed.publish(topics.goodsReceived, delivery);

    const level = await eventually('the stock level after the delivery', () =>
      levelsFor(delivery.data.purchaseOrderId).at(0),
    );
    expect(level).toMatchObject({
      causationId: delivery.id,
      data: { sku: 'SKU-TOWEL-01', available: before + 200, cause: 'restock' },
    });
    expect((await product(inventory.url, 'SKU-TOWEL-01')).available).toBe(before + 200);
  });

  it('adds a delivery once, whether the event is redelivered or the purchase order reported twice', async () => {
    const before = (await product(inventory.url, 'SKU-APRON-01')).available;
    const delivery = goodsReceived('SKU-APRON-01', 80);
    const reportedAgain = goodsReceived('SKU-APRON-01', 80, delivery.data.purchaseOrderId);
    await testbed.publish(topics.goodsReceived, delivery);
    await testbed.publish(topics.goodsReceived, delivery);
    await testbed.publish(topics.goodsReceived, reportedAgain);
    await consumedEverything();

    expect((await product(inventory.url, 'SKU-APRON-01')).available).toBe(before + 80);
    expect(levelsFor(delivery.data.purchaseOrderId)).toHaveLength(1);
  });

  it('asks for more when a delivery still leaves the SKU at or below its reorder point', async () => {
    // SKU-TIMER-01: 130 in stock, reorder point 20. Sell down to 5, then receive 10.
    const sold = await fetch(`${inventory.url}/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        orderId: randomUUID(),
        lines: [{ sku: 'SKU-TIMER-01', quantity: 125 }],
      }),
    });
    expect(sold.status).toBe(200);
    const delivery = goodsReceived('SKU-TIMER-01', 10);
    await testbed.publish(topics.goodsReceived, delivery);

    const alert = await eventually('a low-stock alert after the small delivery', () =>
      testbed.events.lowStock.find(
        (event) => event.correlationId === delivery.data.purchaseOrderId,
      ),
    );
    expect(alert.data).toMatchObject({ sku: 'SKU-TIMER-01', available: 15, reorderPoint: 20 });
  });

  it('dead-letters goods received for a SKU it does not stock, and changes nothing', async () => {
    const deadLetters = await testbed.tapDeadLetters(
      deadLetterTopicName(topics.goodsReceived.name, 'inventory'),
    );
    const delivery = goodsReceived('SKU-NOT-STOCKED', 5);
    await testbed.publish(topics.goodsReceived, delivery);

    const deadLetter = await eventually('the delivery in the dead-letter topic', () =>
      deadLetters.find((entry) => entry.value.includes(delivery.id)),
    );
    expect(deadLetter.headers['dlq-error-code']).toBe('UNKNOWN_SKU');
    expect(levelsFor(delivery.data.purchaseOrderId)).toEqual([]);
  });
});
