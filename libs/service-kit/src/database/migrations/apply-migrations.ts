import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { MigrationError } from './migration-error.ts';
import { checksumMatches, readMigrationDirs } from './migration-files.ts';

export interface ApplyMigrationsOptions {
  databaseUrl: string;
  /** The `prisma/migrations` directory (holding `<timestamp>_<name>/migration.sql`). */
  migrationsDir: string;
  /**
   * Migrations directories of libraries whose tables live in this database (the streaming client's
   * outbox and inbox: `streamingClientMigrationsDir`). They are applied with the service's own, in
   * name order, and recorded in the same `_prisma_migrations` table under their own names.
   */
  libraryMigrationsDirs?: readonly string[] | undefined;
  logger: Logger;
}

export interface MigrationReport {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Migrations found already applied (by this runner or by `prisma migrate deploy`). */
  alreadyApplied: string[];
}

/** The key `prisma migrate` locks, so this runner and Prisma's CLI also exclude each other. */
export const MIGRATION_ADVISORY_LOCK_KEY = 72707369;

// The table as Prisma's schema engine creates it on PostgreSQL, so either tool can take over.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies pending migrations, each in its own transaction together with its `_prisma_migrations`
 * row, so a failing migration leaves neither half its DDL nor a "failed" row behind (Prisma's CLI
 * does not wrap scripts in a transaction; PostgreSQL's transactional DDL lets us). Refuses to run
 * anything if an applied migration's file has changed since, or if Prisma recorded a failed one.
 * A session advisory lock serialises concurrent runners: replicas starting together apply each
 * migration once, the others find it done.
 *
 * Scripts that cannot run in a transaction (CREATE INDEX CONCURRENTLY) are not supported here.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<MigrationReport> {
  const { logger } = options;
  const files = readMigrationDirs([
    options.migrationsDir,
    ...(options.libraryMigrationsDirs ?? []),
  ]);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  // The server ending the session (a restart) also comes as an 'error' event, which would end the
  // process unheard; the statement that was running rejects with it, and start-up fails with that.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_ADVISORY_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      // Read what is applied only now, under the lock: a runner that waited sees its peer's work.
      const { rows } = await client.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
          WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
      );
      checkAppliedHistory(rows, files, logger);
      const applied = new Set(rows.map((row) => row.migration_name));
      const report: MigrationReport = { applied: [], alreadyApplied: [] };
      for (const file of files) {
        if (applied.has(file.name)) {
          report.alreadyApplied.push(file.name);
          continue;
        }
        const started = performance.now();
        await applyOne(client, file);
        report.applied.push(file.name);
        logger.info(
          { migration: file.name, durationMs: Math.round(performance.now() - started) },
          `applied migration ${file.name}`,
        );
      }
      if (report.applied.length === 0) {
        logger.info(
          { alreadyApplied: report.alreadyApplied.length },
          'database schema is up to date',
        );
      }
      return report;
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_ADVISORY_LOCK_KEY])
        .catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

type MigrationFile = ReturnType<typeof readMigrationDirs>[number];

/**
 * Refuses a history with a migration Prisma recorded as started but never finished, or with an
 * applied migration whose file changed since (other than by a declared replaced checksum); warns
 * about applied migrations no directory holds.
 */
function checkAppliedHistory(
  rows: readonly AppliedRow[],
  files: readonly MigrationFile[],
  logger: Logger,
): void {
  const failed = rows.filter((row) => row.finished_at === null).map((row) => row.migration_name);
  if (failed.length > 0) {
    throw new MigrationError(
      'MIGRATION_PREVIOUSLY_FAILED',
      `migration(s) ${failed.join(', ')} started but never finished; fix the database by hand and mark them ` +
        `with \`prisma migrate resolve --rolled-back|--applied\` before starting again`,
      failed,
    );
  }
  const applied = new Map(rows.map((row) => [row.migration_name, row]));
  const changed = files.filter((file) => {
    const row = applied.get(file.name);
    return (
      row !== undefined &&
      !checksumMatches(file.sql, row.checksum) &&
      !file.replacedChecksums.includes(row.checksum)
    );
  });
  if (changed.length > 0) {
    const names = changed.map((file) => file.name);
    throw new MigrationError(
      'MIGRATION_CHECKSUM_MISMATCH',
      `applied migration(s) ${names.join(', ')} were modified after being applied; ` +
        `restore the original migration.sql and put the change in a new migration`,
      names,
    );
  }
  const known = new Set(files.map((file) => file.name));
  const unknown = rows
    .filter((row) => !known.has(row.migration_name))
    .map((row) => row.migration_name);
  if (unknown.length > 0) {
    logger.warn(
      { migrations: unknown },
      'the database has migrations that are not in the migrations directory',
    );
  }
}

/** One migration and its `_prisma_migrations` row, in one transaction. */
async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    const id = randomUUID();
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, file.checksum, file.name],
    );
    await client.query(file.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationError(
      'MIGRATION_FAILED',
      `migration ${file.name} failed and was rolled back: ${(error as Error).message}`,
      [file.name],
      { cause: error },
    );
  }
}
