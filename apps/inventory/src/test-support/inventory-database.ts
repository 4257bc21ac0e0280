import { fileURLToPath } from 'node:url';
import { applyMigrations, createLogger } from '@retail-streams/service-kit';
import type { TestPostgres } from '@retail-streams/service-kit/testing';
import { streamingClientMigrationsDir } from '@retail-streams/streaming-client';
import type { CatalogueItem } from '../catalogue/catalogue-items.ts';
import { seedCatalogue } from '../catalogue/seed-catalogue.ts';
import { createInventoryPrisma, type InventoryPrisma } from '../database/inventory-database.ts';

const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** A fresh, migrated inventory database on the test server, seeded with `items`. */
export async function freshInventoryDatabase(
  postgres: TestPostgres,
  name: string,
  items?: readonly CatalogueItem[],
): Promise<{ prisma: InventoryPrisma; databaseUrl: string }> {
  const databaseUrl = await postgres.createDatabase(name);
  await applyMigrations({
    databaseUrl,
    migrationsDir,
    libraryMigrationsDirs: [streamingClientMigrationsDir],
    logger: createLogger('inventory-test', { level: 'silent' }),
  });
  const prisma = createInventoryPrisma(databaseUrl, 20);
  await seedCatalogue(prisma, items);
  return { prisma, databaseUrl };
}

/** The outbox rows of one topic, decoded, in the order they were written. */
export async function outboxEvents(
  prisma: InventoryPrisma,
  topic: string,
): Promise<{ type: string; correlationId: string; data: Record<string, unknown> }[]> {
  const rows = await prisma.outboxEvent.findMany({ where: { topic }, orderBy: { id: 'asc' } });
  return rows.map((row) => JSON.parse(row.value));
}

export function testItem(sku: string, initialStock: number, reorderPoint = 2): CatalogueItem {
  return {
    sku,
    name: `Test item ${sku}`,
    unitPriceCents: 1999,
    initialStock,
    reorderPoint,
    reorderQuantity: 10,
  };
}
