import { fileURLToPath } from 'node:url';
import { applyMigrations, createLogger, createPrismaClient } from '@retail-streams/service-kit';
import type { TestPostgres } from '@retail-streams/service-kit/testing';
import { streamingClientMigrationsDir } from '@retail-streams/streaming-client';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** A fresh, migrated sales database on the test server: a Prisma client and plain SQL on it. */
export async function freshSalesDatabase(postgres: TestPostgres, name: string) {
  const databaseUrl = await postgres.createDatabase(name);
  await applyMigrations({
    databaseUrl,
    migrationsDir,
    libraryMigrationsDirs: [streamingClientMigrationsDir],
    logger: createLogger('sales-test', { level: 'silent' }),
  });
  const prisma = createPrismaClient(PrismaClient, databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // pool.end() resolves before its connections have closed; when the test server stops right after,
  // a closing connection reports "terminating connection" as an error event: expected, not a failure.
  pool.on('error', () => undefined);
  return {
    prisma,
    sql: pool,
    async close() {
      await pool.end();
      await prisma.$disconnect();
    },
  };
}
