import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxDatabase } from '../test-support/outbox-database.ts';
import { processOnce } from './inbox.ts';

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
