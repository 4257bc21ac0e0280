import { randomUUID } from 'node:crypto';
import { createEvent, topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxDatabase } from '../test-support/outbox-database.ts';
import { eventually, startStreamingFixture } from '../test-support/streaming-fixture.ts';
import { writeToOutbox } from './outbox-writer.ts';

let streaming: Awaited<ReturnType<typeof startStreamingFixture>>;
let database: Awaited<ReturnType<typeof startOutboxDatabase>>;

beforeAll(async () => {
  [streaming, database] = await Promise.all([startStreamingFixture(), startOutboxDatabase()]);
});
afterAll(async () => {
  await Promise.all([streaming?.stop(), database?.stop()]);
});

function orders(orderId: string, count: number, from = 1) {
  return Array.from({ length: count }, (_, index) =>
    createEvent(
      topics.orderPlaced,
      'OrderPlaced',
      {
        orderId,
        customerId: 'c-1',
        lines: [{ sku: 'SKU-1', quantity: from + index }],
        mode: 'async',
      },
      { source: 'sales', correlationId: orderId },
    ),
  );
}

async function pendingRows(): Promise<number> {
  const { rows } = await database.sql(
    'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL',
  );
  return rows[0].n;
}

describe('the outbox relay', () => {
  it('publishes what a transaction wrote, in order, woken by the insert rather than by polling', async () => {
    const relay = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
      fallbackPollMs: 600_000,
    });
    await relay.start();
    try {
      const orderId = randomUUID();
      const events = orders(orderId, 12);
      for (const chunk of [events.slice(0, 5), events.slice(5)]) {
        await database.prisma.$transaction(async (tx) => {
          await tx.stockItem.upsert({
            where: { sku: 'SKU-1' },
            create: { sku: 'SKU-1', available: 100 },
            update: { available: { decrement: 1 } },
          });
          await writeToOutbox(tx, topics.orderPlaced, chunk);
        });
      }
      await eventually('the outbox to drain', async () => (await pendingRows()) === 0);
      const records = await streaming.readTopic(topics.orderPlaced.name, 12);
      const onTopic = records.map((record) => JSON.parse(record.value?.toString() ?? '{}'));
      expect(onTopic.map((event) => event.id)).toEqual(events.map((event) => event.id));
      expect(records.every((record) => record.key?.toString() === orderId)).toBe(true);
    } finally {
      await relay.stop();
    }
  });

  it('publishes nothing for a transaction that rolled back', async () => {
    const relay = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
    });
    await relay.start();
    try {
      const before = relay.published;
      await expect(
        database.prisma.$transaction(async (tx) => {
          await writeToOutbox(tx, topics.orderPlaced, orders(randomUUID(), 3));
          throw new Error('the order was invalid after all');
        }),
      ).rejects.toThrow('invalid after all');
      await relay.flush();
      expect(relay.published).toBe(before);
      expect(await pendingRows()).toBe(0);
    } finally {
      await relay.stop();
    }
  });

  it('publishes each row exactly once across a crash between the send and the mark', async () => {
    const orderId = randomUUID();
    const topic = topics.reservationResult; // a topic no other test writes to
    const event = (quantity: number) =>
      createEvent(
        topic,
        'StockReserved',
        {
          orderId,
          mode: 'async',
          lines: [{ sku: 'SKU-1', quantity, unitPrice: 1 }],
          totalAmount: quantity,
        },
        { source: 'inventory', correlationId: orderId },
      );
    const firstBatch = [1, 2, 3, 4, 5, 6].map(event);
    const secondBatch = [7, 8, 9].map(event);

    // The database refuses to mark rows as published: the relay's send succeeds, its mark fails,
    // exactly as if the process had died between the two.
    await database.sql(`CREATE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'simulated crash before the mark'; END; $$`);
    await database.sql(
      'CREATE TRIGGER refuse_mark BEFORE UPDATE ON outbox_events FOR EACH ROW EXECUTE FUNCTION refuse_mark()',
    );
    const crashing = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
    });
    await crashing.start();
    await database.prisma.$transaction((tx) => writeToOutbox(tx, topic, firstBatch));
    await streaming.readTopic(topic.name, firstBatch.length);
    await crashing.stop();
    expect(await pendingRows()).toBe(firstBatch.length);

    await database.sql('DROP TRIGGER refuse_mark ON outbox_events');
    const successor = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
    });
    await successor.start();
    try {
      await database.prisma.$transaction((tx) => writeToOutbox(tx, topic, secondBatch));
      await eventually('the outbox to drain', async () => (await pendingRows()) === 0);
      const records = await streaming.readTopic(topic.name, firstBatch.length + secondBatch.length);
      const ids = records.map((record) => record.headers?.['event-id']?.toString());
      expect(ids).toEqual([...firstBatch, ...secondBatch].map((entry) => entry.id));
      const { rows } = await database.sql(
        `SELECT count(*)::int AS n FROM outbox_events WHERE topic = $1`,
        [topic.name],
      );
      expect(rows[0].n).toBe(9);
    } finally {
      await successor.stop();
    }
  });
});
