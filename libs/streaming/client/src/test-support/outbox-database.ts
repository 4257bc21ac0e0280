import { createPrismaClient } from '@retail-streams/service-kit';
import { startTestPostgres } from '@retail-streams/service-kit/testing';
import pg from 'pg';
import { outboxInboxMigrationSql } from '../outbox/outbox-schema.ts';
import { PrismaClient } from './generated/client.ts';

/** A real PostgreSQL with the outbox, inbox and a stock table, and a Prisma client on it. */
export async function startOutboxDatabase() {
  const server = await startTestPostgres();
  const databaseUrl = await server.createDatabase('streaming_client_test');
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(outboxInboxMigrationSql);
  await admin.query(
    'CREATE TABLE "stock_items" ("sku" TEXT PRIMARY KEY, "available" INTEGER NOT NULL)',
  );
  const prisma = createPrismaClient(PrismaClient, databaseUrl);
  return {
    databaseUrl,
    prisma,
    /** Runs SQL as the test, outside Prisma (to set up failures, to inspect). */
    sql: (text: string, values: unknown[] = []) => admin.query(text, values),
    async stop() {
      await prisma.$disconnect();
      await admin.end();
      await server.stop();
    },
  };
}
