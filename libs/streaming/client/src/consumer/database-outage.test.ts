import { randomUUID } from 'node:crypto';
import { createEvent, topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processBatchOnce } from '../inbox/inbox.ts';
import { startOutboxDatabase } from '../test-support/outbox-database.ts';
import { eventually, startStreamingFixture } from '../test-support/streaming-fixture.ts';

let fixture: Awaited<ReturnType<typeof startStreamingFixture>>;
let database: Awaited<ReturnType<typeof startOutboxDatabase>>;

beforeAll(async () => {
  [fixture, database] = await Promise.all([startStreamingFixture(), startOutboxDatabase()]);
});
afterAll(async () => {
  await Promise.all([fixture?.stop(), database?.stop()]);
});

const sessionTimeoutMs = 2_000;
/** Four session timeouts: without heartbeats during the retries, the member would be evicted. */
const outageMs = 4 * sessionTimeoutMs;

function order() {
  const orderId = randomUUID();
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'c-1', lines: [{ sku: 'SKU-1', quantity: 1 }], mode: 'async' },
    { source: 'test', correlationId: orderId },
  );
}

describe('a consumer group through a database outage under load', () => {
  it('keeps its member, loses nothing, dead-letters nothing and applies every event once', async () => {
    await database.sql(`INSERT INTO stock_items (sku, available) VALUES ('SKU-1', 100000)`);
    const group = `outage-${randomUUID().slice(0, 8)}`;
    const joins: string[] = [];
    const logger = {
      debug: () => undefined,
      info: (_fields: object, message?: string) => {
        if (message === 'joined consumer group') joins.push(message);
      },
      warn: () => undefined,
      error: () => undefined,
    };
    const runner = fixture.streaming
      .consumer({
        groupId: group,
        logger,
        sessionTimeoutMs,
        heartbeatIntervalMs: 300,
        // Few attempts, short waits: a failure counted against maxAttempts would dead-letter fast.
        retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 500 },
        partitionsConsumedConcurrently: 3,
      })
      .onBatch(topics.orderPlaced, async (items) => {
        await processBatchOnce(database.prisma, items, async (tx, fresh) => {
          await tx.$executeRawUnsafe(
            `UPDATE stock_items SET available = available - $1 WHERE sku = 'SKU-1'`,
            fresh.length,
          );
        });
      });
    await runner.start();
    const admin = fixture.kafka.admin();
    await admin.connect();
    const sent: string[] = [];
    let sending = true;
    const load = (async () => {
      while (sending) {
        const events = [order(), order()];
        await fixture.streaming.producer.publishEvents(topics.orderPlaced, events);
        sent.push(...events.map((event) => event.id));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await eventually('the first events applied', async () => {
        const { rows } = await database.sql('SELECT count(*)::int AS n FROM inbox_events');
        return rows[0].n > 0;
      });
      const before = (await admin.describeGroups([group])).groups[0];
      const membersBefore = before?.members.map((member) => member.memberId);

      await database.setAvailable(false);
      await new Promise((resolve) => setTimeout(resolve, outageMs));
      const during = (await admin.describeGroups([group])).groups[0];
      await database.setAvailable(true);

      await new Promise((resolve) => setTimeout(resolve, 1_000));
      sending = false;
      await load;
      await eventually(
        `all ${sent.length} events applied`,
        async () => {
          const { rows } = await database.sql('SELECT count(*)::int AS n FROM inbox_events');
          return rows[0].n === sent.length;
        },
        30_000,
      );

      // The member rode out the outage: same member id, never evicted, never rejoined.
      expect(during?.state).toBe('Stable');
      expect(during?.members.map((member) => member.memberId)).toEqual(membersBefore);
      const after = (await admin.describeGroups([group])).groups[0];
      expect(after?.members.map((member) => member.memberId)).toEqual(membersBefore);
      expect(joins).toHaveLength(1);
      // Nothing lost, nothing applied twice, nothing parked.
      const { rows } = await database.sql(`SELECT available FROM stock_items WHERE sku = 'SKU-1'`);
      expect(rows[0].available).toBe(100000 - sent.length);
      const counts = runner.metrics.snapshot()[topics.orderPlaced.name];
      expect(counts?.deadLettered).toBe(0);
      expect(counts?.retried).toBeGreaterThan(0);
    } finally {
      sending = false;
      await load.catch(() => undefined);
      await admin.disconnect();
      await runner.stop();
    }
  });
});
