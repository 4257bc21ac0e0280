import { applyMigrations, createLogger, createPrismaClient } from '@retail-streams/service-kit';
import type { TestPostgres } from '@retail-streams/service-kit/testing';
import { streamingClientMigrationsDir } from '@retail-streams/streaming-client';
import type { LowStockDetected } from '@retail-streams/contracts';
import { createEvent, topics } from '@retail-streams/contracts';
import { PrismaClient } from '../generated/prisma/client.ts';

const migrationsDir = new URL('../../prisma/migrations', import.meta.url).pathname;

/** A fresh, migrated reordering database on a test server, and a Prisma client on it. */
export async function migratedDatabase(postgres: TestPostgres, name: string) {
  const databaseUrl = await postgres.createDatabase(name);
  await applyMigrations({
    databaseUrl,
    migrationsDir,
    libraryMigrationsDirs: [streamingClientMigrationsDir],
    logger: createLogger('reordering-test', { level: 'silent' }),
  });
  const prisma = createPrismaClient(PrismaClient, databaseUrl);
  return { databaseUrl, prisma };
}

/** A LowStockDetected event as inventory would emit it. */
export function lowStockEvent(
  sku: string,
  options: { occurredAt?: Date; available?: number; reorderQuantity?: number } = {},
): LowStockDetected {
  return createEvent(
    topics.lowStock,
    'LowStockDetected',
    {
      sku,
      available: options.available ?? 2,
      reorderPoint: 5,
      reorderQuantity: options.reorderQuantity ?? 25,
    },
    { source: 'inventory', correlationId: sku, occurredAt: options.occurredAt },
  );
}
