import { randomUUID } from 'node:crypto';
import { createLogger, sqlClientOf } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InventoryPrisma } from '../database/inventory-database.ts';
import { freshInventoryDatabase, testItem } from '../test-support/inventory-database.ts';
import { SyncReservations } from './sync-reservations.ts';

const logger = createLogger('inventory-test', { level: 'silent' });

let postgres: TestPostgres;
let prisma: InventoryPrisma;

beforeAll(async () => {
  postgres = await startTestPostgres();
  ({ prisma } = await freshInventoryDatabase(postgres, 'sync_reservations', [
    testItem('SKU-TEN', 10, 0),
    testItem('SKU-MANY', 100, 0),
  ]));
});
afterAll(async () => {
  await prisma?.$disconnect();
  await postgres?.stop();
});

async function available(sku: string): Promise<number> {
  return (await prisma.product.findUniqueOrThrow({ where: { sku } })).available;
}

describe('sync reservations (group commit)', () => {
  it('reserves calls that arrive together in one transaction, each as if it came alone', async () => {
    const reservations = new SyncReservations(prisma, logger);
    const transactions = vi.spyOn(sqlClientOf(prisma), '$transaction');
    const calls = Array.from({ length: 20 }, () =>
      reservations.reserve({ orderId: randomUUID(), lines: [{ sku: 'SKU-TEN', quantity: 1 }] }),
    );
    const outcomes = await Promise.all(calls);
    expect(transactions.mock.calls.length).toBeLessThan(5);
    transactions.mockRestore();
    // In arrival order against the stock the earlier ones left: the first ten get one each.
    expect(outcomes.map((outcome) => outcome.response.status)).toEqual([
      ...Array<string>(10).fill('CONFIRMED'),
      ...Array<string>(10).fill('REJECTED'),
    ]);
    expect(outcomes.every((outcome) => outcome.created)).toBe(true);
    expect(await available('SKU-TEN')).toBe(0);
  });

  it('gives a retry that arrives with its first call the same answer, and reserves once', async () => {
    const reservations = new SyncReservations(prisma, logger);
    const orderId = randomUUID();
    const lines = [{ sku: 'SKU-MANY', quantity: 3 }];
    const before = await available('SKU-MANY');
    const [first, retry] = await Promise.all([
      reservations.reserve({ orderId, lines }),
      reservations.reserve({ orderId, lines }),
    ]);
    expect(retry?.response).toEqual(first?.response);
    expect([first?.created, retry?.created]).toEqual([true, false]);
    expect(await available('SKU-MANY')).toBe(before - 3);
  });

  it('fails only the call the database refuses, and reserves the others', async () => {
    const reservations = new SyncReservations(prisma, logger);
    const before = await available('SKU-MANY');
    const lines = [{ sku: 'SKU-MANY', quantity: 1 }];
    // Not a uuid: the database refuses the batch it is in, then this order alone.
    const outcomes = await Promise.allSettled([
      reservations.reserve({ orderId: randomUUID(), lines }),
      reservations.reserve({ orderId: 'not-a-uuid', lines }),
      reservations.reserve({ orderId: randomUUID(), lines }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await available('SKU-MANY')).toBe(before - 2);
  });
});
