import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logging/index.ts';
import { startTestPostgres } from '../../testing/index.ts';
import type { TestPostgres } from '../../testing/index.ts';
import { applyMigrations, MigrationError, sha256Hex } from '../index.ts';

const logger = createLogger('migrations-test', { level: 'silent' });

const CREATE_STOCK =
  'CREATE TABLE "stock" ("sku" TEXT PRIMARY KEY, "quantity" INTEGER NOT NULL);\n';
const ADD_RESERVED = 'ALTER TABLE "stock" ADD COLUMN "reserved" INTEGER NOT NULL DEFAULT 0;\n';
const CREATE_INBOX = 'CREATE TABLE "inbox" ("event_id" UUID PRIMARY KEY);\n';

let postgres: TestPostgres;
const tempDirs: string[] = [];
let databaseCounter = 0;

beforeAll(async () => {
  postgres = await startTestPostgres();
});

afterAll(async () => {
  await postgres?.stop();
});

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A migrations directory in Prisma's layout holding the given scripts. */
function migrationsDir(migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'service-kit-migrations-'));
  tempDirs.push(dir);
  writeFileSync(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  for (const [name, sql] of Object.entries(migrations)) writeMigration(dir, name, sql);
  return dir;
}

function writeMigration(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'migration.sql'), sql);
}

async function freshDatabase(): Promise<string> {
  return postgres.createDatabase(`migrations_${++databaseCounter}`);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function migrationError(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe('applyMigrations', () => {
  it('applies pending migrations in name order and records them as prisma migrate deploy does', async () => {
    const databaseUrl = await freshDatabase();
    // Written out of order on purpose: the timestamp prefix decides.
    const dir = migrationsDir({
      '20260102000000_add_reserved': ADD_RESERVED,
      '20260101000000_create_stock': CREATE_STOCK,
    });
    const report = await applyMigrations({ databaseUrl, migrationsDir: dir, logger });
    expect(report).toEqual({
      applied: ['20260101000000_create_stock', '20260102000000_add_reserved'],
      alreadyApplied: [],
    });

    const rows = await query<Record<string, unknown>>(
      databaseUrl,
      'SELECT * FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toEqual([
      expect.objectContaining({
        migration_name: '20260101000000_create_stock',
        checksum: sha256Hex(CREATE_STOCK),
        applied_steps_count: 1,
        logs: null,
        rolled_back_at: null,
        finished_at: expect.any(Date),
        started_at: expect.any(Date),
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
      expect.objectContaining({
        migration_name: '20260102000000_add_reserved',
        checksum: sha256Hex(ADD_RESERVED),
      }),
    ]);
    await query(databaseUrl, `INSERT INTO "stock" (sku, quantity, reserved) VALUES ('A', 1, 0)`);
  });

  it('creates _prisma_migrations with the columns and types Prisma uses', async () => {
    const databaseUrl = await freshDatabase();
    await applyMigrations({ databaseUrl, migrationsDir: migrationsDir({}), logger });
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string }>(
      databaseUrl,
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable}`)).toEqual([
      'id character varying NO',
      'checksum character varying NO',
      'finished_at timestamp with time zone YES',
      'migration_name character varying NO',
      'logs text YES',
      'rolled_back_at timestamp with time zone YES',
      'started_at timestamp with time zone NO',
      'applied_steps_count integer NO',
    ]);
  });

  it('is a no-op when run again', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({ '20260101000000_create_stock': CREATE_STOCK });
    await applyMigrations({ databaseUrl, migrationsDir: dir, logger });
    const again = await applyMigrations({ databaseUrl, migrationsDir: dir, logger });
    expect(again).toEqual({ applied: [], alreadyApplied: ['20260101000000_create_stock'] });
    expect(await query(databaseUrl, 'SELECT 1 FROM "_prisma_migrations"')).toHaveLength(1);
  });

  it('applies only the new migration when one is added', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({ '20260101000000_create_stock': CREATE_STOCK });
    await applyMigrations({ databaseUrl, migrationsDir: dir, logger });
    writeMigration(dir, '20260103000000_create_inbox', CREATE_INBOX);
    expect(await applyMigrations({ databaseUrl, migrationsDir: dir, logger })).toEqual({
      applied: ['20260103000000_create_inbox'],
      alreadyApplied: ['20260101000000_create_stock'],
    });
  });

  it('refuses, naming the migration, when an applied migration file was changed', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({ '20260101000000_create_stock': CREATE_STOCK });
    await applyMigrations({ databaseUrl, migrationsDir: dir, logger });
    writeMigration(dir, '20260101000000_create_stock', CREATE_STOCK.replace('INTEGER', 'BIGINT'));
    writeMigration(dir, '20260103000000_create_inbox', CREATE_INBOX);

    const error = await migrationError(
      applyMigrations({ databaseUrl, migrationsDir: dir, logger }),
    );
    expect(error.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect(error.migrations).toEqual(['20260101000000_create_stock']);
    expect(error.message).toContain('20260101000000_create_stock');
    // Nothing pending was applied either.
    expect(
      await query(databaseUrl, `SELECT 1 FROM pg_tables WHERE tablename = 'inbox'`),
    ).toHaveLength(0);
  });

  it('accepts a file whose only change is CRLF line endings', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({ '20260101000000_create_stock': 'SELECT 1;\nSELECT 2;\n' });
    await applyMigrations({ databaseUrl, migrationsDir: dir, logger });
    writeMigration(dir, '20260101000000_create_stock', 'SELECT 1;\r\nSELECT 2;\r\n');
    const again = await applyMigrations({ databaseUrl, migrationsDir: dir, logger });
    expect(again.alreadyApplied).toEqual(['20260101000000_create_stock']);
  });

  it('rolls a failing migration back entirely and records nothing for it', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({
      '20260101000000_create_stock': CREATE_STOCK,
      '20260102000000_broken':
        'CREATE TABLE "half" (id INT);\nALTER TABLE "no_such_table" ADD COLUMN x INT;\n',
    });
    const error = await migrationError(
      applyMigrations({ databaseUrl, migrationsDir: dir, logger }),
    );
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.migrations).toEqual(['20260102000000_broken']);
    expect(error.message).toContain('no_such_table');
    expect(
      await query(databaseUrl, `SELECT 1 FROM pg_tables WHERE tablename = 'half'`),
    ).toHaveLength(0);
    const recorded = await query<{ migration_name: string }>(
      databaseUrl,
      'SELECT migration_name FROM "_prisma_migrations"',
    );
    expect(recorded.map((row) => row.migration_name)).toEqual(['20260101000000_create_stock']);

    // Once fixed (it was never applied, so editing it is fine) it applies.
    writeMigration(dir, '20260102000000_broken', 'CREATE TABLE "half" (id INT);\n');
    expect((await applyMigrations({ databaseUrl, migrationsDir: dir, logger })).applied).toEqual([
      '20260102000000_broken',
    ]);
  });

  it('refuses to continue after a migration Prisma recorded as failed, and ignores rolled-back ones', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({ '20260101000000_create_stock': CREATE_STOCK });
    await applyMigrations({ databaseUrl, migrationsDir: migrationsDir({}), logger });
    await query(
      databaseUrl,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs)
       VALUES ('11111111-1111-1111-1111-111111111111', '${sha256Hex(CREATE_STOCK)}', '20260101000000_create_stock', 'boom')`,
    );
    const error = await migrationError(
      applyMigrations({ databaseUrl, migrationsDir: dir, logger }),
    );
    expect(error.code).toBe('MIGRATION_PREVIOUSLY_FAILED');
    expect(error.migrations).toEqual(['20260101000000_create_stock']);

    // `prisma migrate resolve --rolled-back` marks the row; the migration is then applied afresh.
    await query(databaseUrl, `UPDATE "_prisma_migrations" SET rolled_back_at = now()`);
    expect((await applyMigrations({ databaseUrl, migrationsDir: dir, logger })).applied).toEqual([
      '20260101000000_create_stock',
    ]);
  });

  it('lets two concurrent runners apply each migration exactly once', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({
      // The sleep keeps the first runner inside its work while the second one arrives.
      '20260101000000_create_stock': `SELECT pg_sleep(0.2);\n${CREATE_STOCK}`,
      '20260102000000_add_reserved': ADD_RESERVED,
      '20260103000000_create_inbox': CREATE_INBOX,
    });
    const [first, second] = await Promise.all([
      applyMigrations({ databaseUrl, migrationsDir: dir, logger }),
      applyMigrations({ databaseUrl, migrationsDir: dir, logger }),
    ]);
    const appliedByBoth = [...first.applied, ...second.applied].sort();
    expect(appliedByBoth).toEqual([
      '20260101000000_create_stock',
      '20260102000000_add_reserved',
      '20260103000000_create_inbox',
    ]);
    // One runner did all the work; the other waited on the lock and found it done.
    expect([first.applied.length, second.applied.length].sort()).toEqual([0, 3]);
    expect(await query(databaseUrl, 'SELECT 1 FROM "_prisma_migrations"')).toHaveLength(3);
  });

  it('reports a migration directory without migration.sql', async () => {
    const databaseUrl = await freshDatabase();
    const dir = migrationsDir({});
    mkdirSync(join(dir, '20260101000000_empty'));
    const error = await migrationError(
      applyMigrations({ databaseUrl, migrationsDir: dir, logger }),
    );
    expect(error.code).toBe('MIGRATIONS_DIR_INVALID');
    expect(error.migrations).toEqual(['20260101000000_empty']);
  });
});

describe("applyMigrations with libraries' migrations", () => {
  const CREATE_OUTBOX = 'CREATE TABLE IF NOT EXISTS "outbox" ("id" BIGSERIAL PRIMARY KEY);\n';

  it("applies a library's migrations with the service's own, in name order, under their own names", async () => {
    const databaseUrl = await freshDatabase();
    const service = migrationsDir({ '20260102000000_create_stock': CREATE_STOCK });
    const library = migrationsDir({ '20260101000000_library_outbox': CREATE_OUTBOX });
    const report = await applyMigrations({
      databaseUrl,
      migrationsDir: service,
      libraryMigrationsDirs: [library],
      logger,
    });
    expect(report.applied).toEqual([
      '20260101000000_library_outbox',
      '20260102000000_create_stock',
    ]);
    const rows = await query<{ migration_name: string; checksum: string }>(
      databaseUrl,
      'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toEqual([
      { migration_name: '20260101000000_library_outbox', checksum: sha256Hex(CREATE_OUTBOX) },
      { migration_name: '20260102000000_create_stock', checksum: sha256Hex(CREATE_STOCK) },
    ]);
  });

  it('refuses a migration name found in two directories', async () => {
    const databaseUrl = await freshDatabase();
    const service = migrationsDir({ '20260101000000_init': CREATE_STOCK });
    const library = migrationsDir({ '20260101000000_init': CREATE_OUTBOX });
    const error = await migrationError(
      applyMigrations({
        databaseUrl,
        migrationsDir: service,
        libraryMigrationsDirs: [library],
        logger,
      }),
    );
    expect(error.code).toBe('MIGRATIONS_DIR_INVALID');
    expect(error.migrations).toEqual(['20260101000000_init']);
    expect(await query(databaseUrl, `SELECT 1 FROM pg_tables WHERE tablename = 'stock'`)).toEqual(
      [],
    );
  });

  it('takes over tables a service created itself before: the old checksum is named in the new file', async () => {
    const databaseUrl = await freshDatabase();
    const before = CREATE_STOCK + CREATE_OUTBOX;
    const service = migrationsDir({ '20260102000000_init': before });
    await applyMigrations({ databaseUrl, migrationsDir: service, logger });
    // The outbox moves to the library's migration; the service's file names what it replaces.
    writeMigration(
      service,
      '20260102000000_init',
      `${CREATE_STOCK}-- replaces checksum ${sha256Hex(before)}: with the outbox\n`,
    );
    const library = migrationsDir({ '20260101000000_library_outbox': CREATE_OUTBOX });

    const report = await applyMigrations({
      databaseUrl,
      migrationsDir: service,
      libraryMigrationsDirs: [library],
      logger,
    });
    expect(report).toEqual({
      applied: ['20260101000000_library_outbox'],
      alreadyApplied: ['20260102000000_init'],
    });
  });

  it('still refuses a changed file whose recorded checksum it does not name', async () => {
    const databaseUrl = await freshDatabase();
    const service = migrationsDir({ '20260102000000_init': CREATE_STOCK + CREATE_OUTBOX });
    await applyMigrations({ databaseUrl, migrationsDir: service, logger });
    const someOtherVersion = sha256Hex(CREATE_STOCK + CREATE_INBOX);
    writeMigration(
      service,
      '20260102000000_init',
      `${CREATE_STOCK}-- replaces checksum ${someOtherVersion}\n`,
    );
    const error = await migrationError(
      applyMigrations({ databaseUrl, migrationsDir: service, logger }),
    );
    expect(error.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
    expect(error.migrations).toEqual(['20260102000000_init']);
  });
});
