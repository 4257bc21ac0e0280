import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxDatabase } from '../test-support/outbox-database.ts';
import { inboxClaimFrom, processBatchOnce, processOnce } from './inbox.ts';

let database: Awaited<ReturnType<typeof startOutboxDatabase>>;

beforeAll(async () => {
  database = await startOutboxDatabase();
  await database.prisma.stockItem.create({ data: { sku: 'SKU-7', available: 100 } });
});
afterAll(async () => {
  await database?.stop();
});

const context = { groupId: 'inventory', topic: 'sales.order-placed', partition: 0, offset: '42' };

function reserveTwo(eventId: string) {
  return processOnce(database.prisma, { id: eventId }, context, (tx) =>
    tx.stockItem.update({ where: { sku: 'SKU-7' }, data: { available: { decrement: 2 } } }),
  );
}

async function available(): Promise<number> {
  return (await database.prisma.stockItem.findUniqueOrThrow({ where: { sku: 'SKU-7' } })).available;
}

describe('the inbox', () => {
  it('applies an event once; a redelivery of it changes nothing', async () => {
    const before = await available();
    const eventId = randomUUID();
    expect((await reserveTwo(eventId)).outcome).toBe('processed');
    expect((await reserveTwo(eventId)).outcome).toBe('duplicate');
    expect(await available()).toBe(before - 2);
  });

  it('lets only one of two concurrent deliveries of the same event through', async () => {
    const before = await available();
    const eventId = randomUUID();
    const outcomes = await Promise.all([reserveTwo(eventId), reserveTwo(eventId)]);
    expect(outcomes.map((entry) => entry.outcome).sort()).toEqual(['duplicate', 'processed']);
    expect(await available()).toBe(before - 2);
  });

  it('records nothing when the effect fails, so the retry applies it', async () => {
    const before = await available();
    const eventId = randomUUID();
    await expect(
      processOnce(database.prisma, { id: eventId }, context, async (tx) => {
        await tx.stockItem.update({
          where: { sku: 'SKU-7' },
          data: { available: { decrement: 2 } },
        });
        throw new Error('the database connection dropped');
      }),
    ).rejects.toThrow('connection dropped');
    expect(await available()).toBe(before);
    expect((await reserveTwo(eventId)).outcome).toBe('processed');
    expect(await available()).toBe(before - 2);
  });

  it('keeps each consumer group to itself: another group still processes the event', async () => {
    const eventId = randomUUID();
    await reserveTwo(eventId);
    const other = await processOnce(
      database.prisma,
      { id: eventId },
      { ...context, groupId: 'analytics' },
      async () => 'counted',
    );
    expect(other).toEqual({ outcome: 'processed', result: 'counted' });
  });
});

describe('the inbox for a batch', () => {
  const item = (eventId: string, offset: number) => ({
    event: { id: eventId },
    context: { ...context, offset: String(offset) },
  });

  function reserveTwoEach(items: ReturnType<typeof item>[]) {
    return processBatchOnce(database.prisma, items, async (tx, fresh) => {
      await tx.stockItem.update({
        where: { sku: 'SKU-7' },
        data: { available: { decrement: 2 * fresh.length } },
      });
      return fresh.map((entry) => entry.event.id);
    });
  }

  it('applies each event of the batch once: not the ones seen before, not a repeat within the batch', async () => {
    const before = await available();
    const [seen, a, b] = [randomUUID(), randomUUID(), randomUUID()];
    await reserveTwo(seen);
    const { fresh, result } = await reserveTwoEach([
      item(a, 1),
      item(seen, 2),
      item(b, 3),
      item(a, 4),
      item(b.toUpperCase(), 5),
    ]);
    expect(result).toEqual([a, b]);
    expect(fresh.map((entry) => entry.context.offset)).toEqual(['1', '3']);
    expect(await available()).toBe(before - 2 - 4);
    // The whole batch again: nothing left to do.
    expect((await reserveTwoEach([item(a, 1), item(b, 3)])).fresh).toEqual([]);
    expect(await available()).toBe(before - 6);
  });

  it('records none of the batch when its effect fails, so the retry applies all of it', async () => {
    const before = await available();
    const items = [item(randomUUID(), 1), item(randomUUID(), 2)];
    await expect(
      processBatchOnce(database.prisma, items, async () => {
        throw new Error('the database connection dropped');
      }),
    ).rejects.toThrow('connection dropped');
    expect((await reserveTwoEach(items)).fresh).toHaveLength(2);
    expect(await available()).toBe(before - 4);
  });

  it('claims inside the caller statement: claim and effect in one round trip, once per event', async () => {
    const before = await available();
    const [a, b] = [randomUUID(), randomUUID()];
    // Takes 2 units for each event the claim lets through, in the same statement as the claim.
    const takeTwoEach = (eventIds: string[]) =>
      database.prisma.$queryRawUnsafe<{ event_id: string }[]>(
        `WITH "input" AS (
           SELECT 'inventory' AS "consumer_group", e AS "event_id", 'sales.order-placed' AS "topic",
                  0 AS "partition", 7::bigint AS "offset"
             FROM unnest($1::uuid[]) AS e
         ), "claimed" AS (${inboxClaimFrom('"input"')}),
         "taken" AS (
           UPDATE "stock_items" SET "available" = "available" - 2 * (SELECT count(*) FROM "claimed")
            WHERE "sku" = 'SKU-7'
         )
         SELECT "event_id"::text AS "event_id" FROM "claimed"`,
        eventIds,
      );
    expect((await takeTwoEach([a, b])).map((row) => row.event_id).sort()).toEqual([a, b].sort());
    expect(await available()).toBe(before - 4);
    expect(await takeTwoEach([a, b])).toEqual([]);
    expect(await available()).toBe(before - 4);
  });
});
