import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations, createLogger } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  columnOf,
  columnTypeOf,
  primaryKeyOf,
  tableOf,
  type PrismaModel,
} from '../test-support/prisma-models.ts';
import {
  libraryModels,
  streamingModelDifferences,
  streamingModelsFile as modelsFile,
} from '../test-support/streaming-models.ts';
import {
  inboxTable,
  outboxTable,
  relayPositionsTable,
  streamingClientMigrationsDir,
} from './outbox-schema.ts';

// The one source of the streaming client's tables is its migrations; the Prisma models a service
// declares for them are copies of prisma/streaming-models.prisma. These specs fail when the models
// stop describing what the migrations create, or when any schema.prisma's copy differs.

const workspaceRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

interface ColumnRow {
  table_name: string;
  column_name: string;
  type: string;
  nullable: boolean;
  has_default: boolean;
}

let postgres: TestPostgres;
let databaseUrl: string;

beforeAll(async () => {
  postgres = await startTestPostgres();
  databaseUrl = await postgres.createDatabase('streaming_schema');
  await applyMigrations({
    databaseUrl,
    // The library's migrations alone: a service directory that holds none of its own.
    migrationsDir: streamingClientMigrationsDir,
    logger: createLogger('streaming-schema-test', { level: 'silent' }),
  });
});

afterAll(async () => {
  await postgres?.stop();
});

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Every schema.prisma in the workspace (apps and libs), but the library's models file itself. */
function schemaFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.prisma') && path !== modelsFile) found.push(path);
    }
  };
  for (const top of ['apps', 'libs']) walk(join(workspaceRoot, top));
  return found.sort();
}

function expectedColumns(model: PrismaModel): ColumnRow[] {
  return model.fields.map((field) => ({
    table_name: tableOf(model),
    column_name: columnOf(field),
    type: columnTypeOf(field),
    nullable: field.optional,
    has_default: field.attributes.some((attribute) => attribute.startsWith('@default(')),
  }));
}

describe("the streaming client's tables", () => {
  it('are exactly the tables of the Prisma models, and the ones the library code names', async () => {
    const tables = await query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
    );
    const modelTables = [...libraryModels.values()].map(tableOf).sort();
    expect(tables.map((row) => row.tablename).sort()).toEqual(modelTables);
    expect(modelTables).toEqual([inboxTable, outboxTable, relayPositionsTable].sort());
  });

  it('have the columns, types, nullability and defaults the Prisma models declare', async () => {
    const columns = await query<ColumnRow>(
      `SELECT table_name, column_name,
              data_type || coalesce('(' || datetime_precision || ')', '') AS type,
              is_nullable = 'YES' AS nullable, column_default IS NOT NULL AS has_default
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const byKey = (row: ColumnRow) => `${row.table_name}.${row.column_name}`;
    const sort = (rows: ColumnRow[]) => [...rows].sort((a, b) => byKey(a).localeCompare(byKey(b)));
    expect(sort(columns)).toEqual(sort([...libraryModels.values()].flatMap(expectedColumns)));
  });

  it('have the primary keys and unique indexes the Prisma models declare', async () => {
    const rows = await query<{ table: string; columns: string[]; primary: boolean }>(
      `SELECT t.relname AS table, i.indisprimary AS primary,
              array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                     ORDER BY k.n)::text[] AS columns
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = 'public' AND i.indisunique AND t.relname <> '_prisma_migrations'`,
    );
    const keyOf = (table: string, primary: boolean, columns: string[]) =>
      `${table} ${primary ? 'primary key' : 'unique'} (${columns.join(', ')})`;
    const expected = [...libraryModels.values()].flatMap((model) => [
      keyOf(tableOf(model), true, primaryKeyOf(model)),
      ...model.fields
        .filter((field) => field.attributes.includes('@unique'))
        .map((field) => keyOf(tableOf(model), false, [columnOf(field)])),
    ]);
    const keys = rows.map((row) => keyOf(row.table, row.primary, row.columns));
    expect(keys.sort()).toEqual(expected.sort());
  });

  it('wake the relay: an insert into the outbox notifies its channel', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const notified = new Promise<string>((resolve) =>
        client.once('notification', (message) => resolve(message.channel)),
      );
      await client.query('LISTEN outbox_events_inserted');
      await client.query(
        `INSERT INTO ${outboxTable} (event_id, topic, value) VALUES (gen_random_uuid(), 't', 'v')`,
      );
      expect(await notified).toBe('outbox_events_inserted');
    } finally {
      await client.end();
    }
  });
});

describe("every schema.prisma's copy of the streaming client's models", () => {
  const files = schemaFiles();

  it('is found in the services that hold the tables', () => {
    const holders = files.filter((file) =>
      /model\s+OutboxEvent\b/.test(readFileSync(file, 'utf8')),
    );
    expect(holders.map((file) => relative(workspaceRoot, file))).toEqual(
      expect.arrayContaining([
        'apps/inventory/prisma/schema.prisma',
        'apps/reordering/prisma/schema.prisma',
        'apps/sales/prisma/schema.prisma',
      ]),
    );
  });

  it.each(files.map((file) => [relative(workspaceRoot, file), file]))(
    '%s declares them as prisma/streaming-models.prisma does',
    (_name, file) => {
      expect(streamingModelDifferences(readFileSync(file, 'utf8'))).toEqual([]);
    },
  );

  it('counts as drift a changed field, a changed attribute and a missing model', () => {
    const library = readFileSync(modelsFile, 'utf8');
    expect(streamingModelDifferences(library)).toEqual([]);
    expect(
      streamingModelDifferences(library.replace('topic       String\n', 'topic       String?\n')),
    ).toHaveLength(1);
    expect(
      streamingModelDifferences(library.replace('@db.Timestamptz(3)', '@db.Timestamptz(6)')),
    ).toHaveLength(1);
    expect(
      streamingModelDifferences(library.replace(/model InboxEvent \{[^]*?\n\}\n/, '')),
    ).toEqual(['model InboxEvent is missing']);
  });
});
