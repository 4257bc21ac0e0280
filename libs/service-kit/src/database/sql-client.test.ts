import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { startTelemetry, withSpan } from '../telemetry/index.ts';
import { startTestPostgres } from '../testing/index.ts';
import type { TestPostgres } from '../testing/index.ts';
import { PrismaClient } from './test-fixtures/generated/client.ts';
import { applyMigrations, createPrismaClient, SqlClient, sqlClientOf } from './index.ts';

const migrationsDir = fileURLToPath(new URL('./test-fixtures/prisma/migrations', import.meta.url));
const logger = createLogger('sql-client-test', { level: 'silent' });

let postgres: TestPostgres;
let prisma: PrismaClient;
let databaseUrl: string;

beforeAll(async () => {
  postgres = await startTestPostgres();
  databaseUrl = await postgres.createDatabase('sql_client');
  await applyMigrations({ databaseUrl, migrationsDir, logger });
  prisma = createPrismaClient(PrismaClient, databaseUrl, { maxConnections: 2 });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await postgres?.stop();
});

describe('the SqlClient of a Prisma client', () => {
  it('runs statements on the same database as the Prisma client', async () => {
    const sql = sqlClientOf(prisma);
    const inserted = await sql.$executeRawUnsafe(
      `INSERT INTO "widgets" ("sku", "quantity") SELECT * FROM unnest($1::text[], $2::int[])`,
      ['S-1', 'S-2'],
      [4, 6],
    );
    expect(inserted).toBe(2);
    expect(await prisma.widget.count({ where: { sku: { in: ['S-1', 'S-2'] } } })).toBe(2);
    const rows = await sql.$queryRawUnsafe<{ sku: string; quantity: number }[]>(
      `SELECT "sku", "quantity" FROM "widgets" WHERE "sku" = ANY($1::text[]) ORDER BY "sku"`,
      ['S-1', 'S-2'],
    );
    expect(rows).toEqual([
      { sku: 'S-1', quantity: 4 },
      { sku: 'S-2', quantity: 6 },
    ]);
  });

  it('commits a transaction when its work resolves and rolls it back when it throws', async () => {
    const sql = sqlClientOf(prisma);
    const quantity = await sql.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(
        `INSERT INTO "widgets" ("sku", "quantity") VALUES ($1, $2)`,
        'T-1',
        5,
      );
      const [row] = await tx.$queryRawUnsafe<{ quantity: number }[]>(
        `UPDATE "widgets" SET "quantity" = "quantity" - 2 WHERE "sku" = $1 RETURNING "quantity"`,
        'T-1',
      );
      return row?.quantity;
    });
    expect(quantity).toBe(3);

    await expect(
      sql.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(
          `INSERT INTO "widgets" ("sku", "quantity") VALUES ($1, 1)`,
          'T-2',
        );
        throw new Error('work failed after the write');
      }),
    ).rejects.toThrow('work failed after the write');
    expect(await prisma.widget.findUnique({ where: { sku: 'T-2' } })).toBeNull();
  });

  it('rejects with the database error (its SQLSTATE) and keeps the pool usable', async () => {
    const sql = sqlClientOf(prisma);
    await sql.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('U-1', 1)`);
    // More failing transactions than the pool has connections: each one gives its connection back.
    for (let attempt = 0; attempt < 4; attempt++) {
      await expect(
        sql.$transaction((tx) =>
          tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('U-1', 1)`),
        ),
      ).rejects.toMatchObject({ code: '23505' });
    }
    expect(await sql.$queryRawUnsafe(`SELECT 1 AS "one"`)).toEqual([{ one: 1 }]);
  });

  it('ends a transaction whose statement outlives the time limit', async () => {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const sql = new SqlClient(pool, { transactionTimeoutMs: 200 });
    try {
      await expect(
        sql.$transaction((tx) => tx.$queryRawUnsafe(`SELECT pg_sleep(30)`)),
      ).rejects.toMatchObject({ code: '57014' }); // query_canceled: statement_timeout
      // The limit is the transaction's own: the connection goes back to the pool without it.
      expect(
        await sql.$queryRawUnsafe(`SELECT current_setting('statement_timeout') AS "limit"`),
      ).toEqual([{ limit: '0' }]);
    } finally {
      await pool.end();
    }
  });

  it('refuses a client that createPrismaClient did not make, saying how to get one', () => {
    expect(() => sqlClientOf({})).toThrow(/SQL_CLIENT_MISSING.*createPrismaClient/);
  });
});

describe('the SqlClient under tracing', () => {
  it('records each statement of traced work as a CLIENT span with its SQL, under the active span', async () => {
    const telemetry = startTelemetry({ serviceName: 'sql-client-test', env: {} });
    try {
      const sql = sqlClientOf(prisma);
      const insert = `INSERT INTO "widgets" ("sku", "quantity") VALUES ($1, $2)`;
      const update = `UPDATE "widgets" SET "quantity" = "quantity" + 1 WHERE "sku" = $1 RETURNING "quantity"`;
      await withSpan('store widgets', async () => {
        await sql.$executeRawUnsafe(insert, 'TR-1', 1);
        await sql.$transaction((tx) => tx.$queryRawUnsafe(update, 'TR-1'));
      });
      const spans = telemetry.spans.getFinishedSpans();
      const parent = spans.find((span) => span.name === 'store widgets');
      const statements = spans.filter((span) => span.attributes['db.system.name'] === 'postgresql');
      expect(statements.map((span) => [span.name, span.attributes['db.query.text']])).toEqual([
        ['INSERT', insert],
        ['BEGIN', expect.stringMatching(/^BEGIN; SET LOCAL statement_timeout/)],
        ['UPDATE', update],
        ['COMMIT', 'COMMIT'],
      ]);
      const database = new URL(databaseUrl);
      for (const span of statements) {
        expect(span.kind).toBe(SpanKind.CLIENT);
        expect(span.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
        expect(span.spanContext().traceId).toBe(parent?.spanContext().traceId);
        expect(span.attributes).toMatchObject({
          'db.namespace': database.pathname.slice(1),
          'server.address': database.hostname,
          'server.port': Number(database.port),
        });
        // The values never go into the span: only the text with its placeholders.
        expect(JSON.stringify(span.attributes)).not.toContain('TR-1');
      }
    } finally {
      await telemetry.shutdown();
    }
  });

  it("marks a failed statement with its SQLSTATE, and its transaction's ROLLBACK", async () => {
    const telemetry = startTelemetry({ serviceName: 'sql-client-test', env: {} });
    try {
      const sql = sqlClientOf(prisma);
      await sql.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('TR-2', 1)`);
      await expect(
        withSpan('store a duplicate', () =>
          sql.$transaction((tx) =>
            tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('TR-2', 1)`),
          ),
        ),
      ).rejects.toMatchObject({ code: '23505' });
      const statements = telemetry.spans
        .getFinishedSpans()
        .filter((span) => span.attributes['db.system.name'] === 'postgresql');
      expect(statements.map((span) => span.name)).toEqual(['BEGIN', 'INSERT', 'ROLLBACK']);
      expect(statements[1]?.status.code).toBe(SpanStatusCode.ERROR);
      expect(statements[1]?.attributes).toMatchObject({
        'error.type': '23505',
        'db.response.status_code': '23505',
      });
      expect(statements[2]?.status.code).toBe(SpanStatusCode.UNSET);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('records nothing for statements outside any traced work (polling starts no traces)', async () => {
    const telemetry = startTelemetry({ serviceName: 'sql-client-test', env: {} });
    try {
      const sql = sqlClientOf(prisma);
      expect(await sql.$queryRawUnsafe(`SELECT 1 AS "one"`)).toEqual([{ one: 1 }]);
      await sql.$transaction((tx) => tx.$queryRawUnsafe(`SELECT 2 AS "two"`));
      expect(telemetry.spans.getFinishedSpans()).toEqual([]);
    } finally {
      await telemetry.shutdown();
    }
  });
});
