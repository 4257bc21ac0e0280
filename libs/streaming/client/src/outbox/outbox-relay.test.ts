import { randomUUID } from 'node:crypto';
import { createEvent, topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('deletes what it published, and never sends a row an earlier version marked as published', async () => {
    const [marked, pending] = orders(randomUUID(), 2);
    // What a relay from before deleting left: the row stays, with the time it was published.
    await database.sql(
      `INSERT INTO outbox_events (event_id, topic, key, value, published_at)
       VALUES ($1, $2, 'k', '{}', now())`,
      [marked?.id, topics.orderPlaced.name],
    );
    await database.prisma.$transaction((tx) =>
      writeToOutbox(tx, topics.orderPlaced, pending ? [pending] : []),
    );
    const relay = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
    });
    await relay.start();
    try {
      await relay.flush();
      expect(relay.published).toBe(1);
      const { rows } = await database.sql(
        'SELECT event_id::text AS id FROM outbox_events WHERE event_id = ANY($1::uuid[])',
        [[marked?.id, pending?.id]],
      );
      expect(rows).toEqual([{ id: marked?.id }]);
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
      'CREATE TRIGGER refuse_mark BEFORE DELETE ON outbox_events FOR EACH ROW EXECUTE FUNCTION refuse_mark()',
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
      // Published rows leave the outbox: it holds only what is still to be sent.
      const { rows } = await database.sql(
        `SELECT count(*)::int AS n FROM outbox_events WHERE topic = $1`,
        [topic.name],
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await successor.stop();
    }
  });
});

describe('the outbox relay, batch by batch', () => {
  const sku = () => `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
  const level = (forSku: string, available: number) =>
    createEvent(
      topics.stockLevel,
      'StockLevelChanged',
      { sku: forSku, available, reorderPoint: 5, reorderQuantity: 20, cause: 'reservation' },
      { source: 'inventory', correlationId: randomUUID() },
    );
  const low = (forSku: string) =>
    createEvent(
      topics.lowStock,
      'LowStockDetected',
      { sku: forSku, available: 1, reorderPoint: 5, reorderQuantity: 20 },
      { source: 'inventory', correlationId: randomUUID() },
    );

  it('sends the rows of several topics in one request per batch and asks for end offsets only once per topic', async () => {
    const { producer, inspector } = streaming.streaming;
    const sends = vi.spyOn(producer, 'sendBatch');
    const endOffsets = vi.spyOn(inspector, 'endOffsets');
    const [a, b] = [sku(), sku()];
    // Interleaved, as a reservation writes them: levels and alerts of two SKUs, an order.
    const write = (from: number) =>
      database.prisma.$transaction(async (tx) => {
        for (let i = from; i < from + 5; i++) {
          await writeToOutbox(tx, topics.stockLevel, [level(a, 100 - i), level(b, 100 - i)]);
          await writeToOutbox(tx, topics.lowStock, [low(a)]);
          await writeToOutbox(tx, topics.orderPlaced, orders(randomUUID(), 1));
        }
      });
    const relay = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
    });
    try {
      await write(0);
      await relay.start();
      // The previous test's relay may hold the advisory lock for a moment after its stop.
      await eventually('the relay to lead', async () => {
        await relay.flush();
        return relay.isLeader;
      });
      expect(sends).toHaveBeenCalledTimes(1);
      // Topics this database never published to get their end offsets once, before the first send.
      const asked = endOffsets.mock.calls.map(([topic]) => topic);
      expect(new Set(asked).size).toBe(asked.length);

      await write(5);
      await relay.flush();
      expect(sends).toHaveBeenCalledTimes(2);
      expect(endOffsets.mock.calls.map(([topic]) => topic)).toEqual(asked);

      // Each SKU's levels are on the topic in the order they were written.
      // The two SKUs may sit in different partitions: read until the last level of each is in.
      const lastSeen = new Set<string>();
      const records = await streaming.readTopic(topics.stockLevel.name, (record) => {
        const event = JSON.parse(record.value?.toString() ?? '{}');
        if (event.data?.available === 91) lastSeen.add(event.data.sku);
        return lastSeen.has(a) && lastSeen.has(b);
      });
      for (const forSku of [a, b]) {
        const levels = records
          .map((record) => JSON.parse(record.value?.toString() ?? '{}'))
          .filter((event) => event.data.sku === forSku)
          .map((event) => event.data.available);
        expect(levels).toEqual([100, 99, 98, 97, 96, 95, 94, 93, 92, 91]);
      }
    } finally {
      await relay.stop();
      sends.mockRestore();
      endOffsets.mockRestore();
    }
  });

  it('while rows keep coming, publishes those committed during its linger in one request', async () => {
    const { producer } = streaming.streaming;
    const sends = vi.spyOn(producer, 'sendBatch');
    const forSku = sku();
    // A long linger, so that ten one-row transactions surely commit within it on a loaded machine.
    const relay = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
      lingerMs: 3_000,
    });
    try {
      await relay.start();
      await eventually('the relay to lead', async () => {
        await relay.flush();
        return relay.isLeader;
      });
      const before = sends.mock.calls.length;
      for (let available = 10; available > 0; available--)
        await database.prisma.$transaction((tx) =>
          writeToOutbox(tx, topics.stockLevel, [level(forSku, available)]),
        );
      await relay.flush();
      expect(await pendingRows()).toBe(0);
      // Each insert woke the relay; without the linger each would have cost a send of its own.
      expect(sends.mock.calls.length - before).toBeLessThanOrEqual(2);
    } finally {
      await relay.stop();
      sends.mockRestore();
    }
  });

  it('publishes each row exactly once across a crash after earlier batches moved its positions on', async () => {
    const forSku = sku();
    const earlier = [10, 9, 8].map((available) => level(forSku, available));
    const inDoubt = [7, 6].map((available) => level(forSku, available));
    const later = [5].map((available) => level(forSku, available));
    const relay = () =>
      streaming.streaming.outboxRelay({ db: database.prisma, databaseUrl: database.databaseUrl });
    const isLast = (want: number) => (record: { value: Buffer | null }) => {
      const event = JSON.parse(record.value?.toString() ?? '{}');
      return event.data?.sku === forSku && event.data?.available === want;
    };

    const first = relay();
    await first.start();
    await database.prisma.$transaction((tx) => writeToOutbox(tx, topics.stockLevel, earlier));
    await eventually('the earlier rows published', async () => (await pendingRows()) === 0);
    await first.stop();

    await database.sql(`CREATE FUNCTION refuse_mark_2() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'simulated crash before the mark'; END; $$`);
    await database.sql(
      'CREATE TRIGGER refuse_mark_2 BEFORE DELETE ON outbox_events FOR EACH ROW EXECUTE FUNCTION refuse_mark_2()',
    );
    const crashing = relay();
    await crashing.start();
    await database.prisma.$transaction((tx) => writeToOutbox(tx, topics.stockLevel, inDoubt));
    await streaming.readTopic(topics.stockLevel.name, isLast(6));
    await crashing.stop();
    expect(await pendingRows()).toBe(inDoubt.length);

    await database.sql('DROP TRIGGER refuse_mark_2 ON outbox_events');
    const successor = relay();
    await successor.start();
    try {
      await database.prisma.$transaction((tx) => writeToOutbox(tx, topics.stockLevel, later));
      await eventually('the outbox to drain', async () => (await pendingRows()) === 0);
      const records = await streaming.readTopic(topics.stockLevel.name, isLast(5));
      const levels = records
        .map((record) => JSON.parse(record.value?.toString() ?? '{}'))
        .filter((event) => event.data.sku === forSku)
        .map((event) => event.data.available);
      expect(levels).toEqual([10, 9, 8, 7, 6, 5]);
    } finally {
      await successor.stop();
    }
  });
});

describe('the outbox relay through a database outage', () => {
  it('gives up its lock with its connection, then reconnects, takes the lock again and publishes', async () => {
    const relay = streaming.streaming.outboxRelay({
      db: database.prisma,
      databaseUrl: database.databaseUrl,
      fallbackPollMs: 200,
    });
    await relay.start();
    try {
      await eventually('the relay to lead', async () => {
        await relay.flush();
        return relay.isLeader;
      });
      await database.setAvailable(false);
      await eventually(
        'the relay to notice its connection and lock are gone',
        () => !relay.isLeader,
      );
      await database.setAvailable(true);

      const orderId = randomUUID();
      const events = orders(orderId, 3);
      await database.prisma.$transaction((tx) => writeToOutbox(tx, topics.orderPlaced, events));
      await eventually(
        'the rows written after the outage published',
        async () => (await pendingRows()) === 0,
      );
      expect(relay.isLeader).toBe(true);
      let seen = 0;
      const records = await streaming.readTopic(
        topics.orderPlaced.name,
        (record) => record.key?.toString() === orderId && ++seen === events.length,
      );
      expect(
        records
          .filter((record) => record.key?.toString() === orderId)
          .map((record) => record.headers?.['event-id']?.toString()),
      ).toEqual(events.map((event) => event.id));
    } finally {
      await relay.stop();
    }
  });
});
