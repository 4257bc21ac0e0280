import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The tables behind the transactional outbox and the inbox (and the relay's positions: below them,
 * every record on a topic is known to be accounted for). This library owns them: their one source is
 * its migrations directory, which each service's migration runner applies with the service's own
 * (`libraryMigrationsDirs: [streamingClientMigrationsDir]`), and `prisma/streaming-models.prisma`
 * holds the Prisma models a service declares for them (a test fails when either drifts).
 */
export const outboxTable = 'outbox_events';
export const inboxTable = 'inbox_events';
export const outboxChannel = 'outbox_events_inserted';
export const relayPositionsTable = 'outbox_relay_positions';

/** This library's migrations, in Prisma's layout: pass it to the service's migration runner. */
export const streamingClientMigrationsDir = fileURLToPath(
  new URL('../../migrations', import.meta.url),
);

/**
 * Every migration of this library as one script, for a database that is not migrated by the runner
 * (this library's own tests). The statements are idempotent, so it can run on top of the tables too.
 */
export const outboxInboxMigrationSql = readdirSync(streamingClientMigrationsDir, {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => readFileSync(join(streamingClientMigrationsDir, name, 'migration.sql'), 'utf8'))
  .join('\n');

/**
 * What the outbox and inbox need from a database client: raw SQL with positional parameters. A
 * Prisma client and a Prisma interactive-transaction client both fit, so the library does not depend
 * on any service's generated client.
 */
export interface SqlExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** A client that can run a function in one database transaction (a Prisma client). */
export interface TransactionalClient<Tx extends SqlExecutor> extends SqlExecutor {
  $transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
}
