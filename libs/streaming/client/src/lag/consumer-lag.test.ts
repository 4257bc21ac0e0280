import { randomUUID } from 'node:crypto';
import { createEvent, topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStreamingFixture } from '../test-support/streaming-fixture.ts';

let fixture: Awaited<ReturnType<typeof startStreamingFixture>>;

beforeAll(async () => {
  fixture = await startStreamingFixture();
});
afterAll(async () => {
  await fixture?.stop();
});

const goodsReceived = (sku: string) => {
  const purchaseOrderId = randomUUID();
  const now = new Date().toISOString();
  return createEvent(
    topics.goodsReceived,
    'GoodsReceived',
    { purchaseOrderId, sku, quantity: 5, orderedAt: now, receivedAt: now },
    { source: 'reordering', correlationId: purchaseOrderId },
  );
};

describe('consumer lag', () => {
  it('counts what a group has yet to process per partition, and drops to zero once it catches up', async () => {
    const events = ['SKU-A1', 'SKU-B2', 'SKU-C3', 'SKU-A1', 'SKU-A1'].map(goodsReceived);
    await fixture.streaming.producer.publishEvents(topics.goodsReceived, events);
    const group = `lag-${randomUUID().slice(0, 8)}`;

    const before = await fixture.streaming.lag(group, [topics.goodsReceived.name]);
    expect(before).toHaveLength(topics.goodsReceived.partitions);
    expect(before.every((partition) => partition.committedOffset === null)).toBe(true);
    expect(before.reduce((sum, partition) => sum + partition.lag, 0)).toBe(events.length);

    let handled = 0;
    const runner = fixture.streaming
      .consumer({ groupId: group })
      .on(topics.goodsReceived, async () => {
        handled += 1;
      });
    await runner.start();
    try {
      await eventually('every event handled', () => handled === events.length);
      await eventually('the lag to reach zero after the commit', async () => {
        const after = await fixture.streaming.lag(group, [topics.goodsReceived.name]);
        return after.reduce((sum, partition) => sum + partition.lag, 0) === 0;
      });
      expect(runner.metrics.snapshot()[topics.goodsReceived.name]?.processed).toBe(events.length);
    } finally {
      await runner.stop();
    }
  });
});
