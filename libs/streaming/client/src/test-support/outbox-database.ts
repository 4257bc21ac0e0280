import { createPrismaClient } from '@retail-streams/service-kit';
import { startTestPostgres } from '@retail-streams/service-kit/testing';
import pg from 'pg';
import { outboxInboxMigrationSql } from '../outbox/outbox-schema.ts';
import { PrismaClient } from './generated/client.ts';

const databaseName = 'streaming_client_test';

/** A real PostgreSQL with the outbox, inbox and a stock table, and a Prisma client on it. */
export async function startOutboxDatabase() {
  const server = await startTestPostgres();
  const databaseUrl = await server.createDatabase(databaseName);
  // A pool, not one client: an outage (setAvailable(false)) ends every connection to the database,
  // the test's own included, and the pool opens a new one afterwards.
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  admin.on('error', () => undefined);
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
    /**
     * Takes the database away (it refuses new connections and every open one is ended, as in a
     * restart or a failover) or gives it back.
     */
    async setAvailable(available: boolean) {
      const server = new pg.Client({ connectionString: serverUrl(databaseUrl) });
      await server.connect();
      try {
        await server.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS ${available}`);
        if (!available) {
          await server.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
            [databaseName],
          );
        }
      } finally {
        await server.end();
      }
    },
    async stop() {
      await prisma.$disconnect();
      await admin.end();
      await server.stop();
    },
  };
}

/** The same server's `postgres` database, from where another database can be switched off. */
function serverUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}
