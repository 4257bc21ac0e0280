import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { startTestPostgres } from '../testing/index.ts';
import type { TestPostgres } from '../testing/index.ts';
import { PrismaClient } from './test-fixtures/generated/client.ts';
import { applyMigrations, createPrismaClient, sqlClientOf } from './index.ts';

/*
 * The server ending sessions, as a restart, a failover or an operator does: node-postgres reports it
 * as an 'error' event on the client, and an 'error' event without a listener ends the process. These
 * tests fail (vitest reports the uncaught exception) if any connection, idle in the pool or checked
 * out by a transaction, is left without one.
 */

const migrationsDir = fileURLToPath(new URL('./test-fixtures/prisma/migrations', import.meta.url));
const logger = createLogger('connection-loss-test', { level: 'silent' });
const DATABASE = 'connection_loss';
const MAX_CONNECTIONS = 3;

let postgres: TestPostgres;
let prisma: PrismaClient;

beforeAll(async () => {
  postgres = await startTestPostgres();
  const databaseUrl = await postgres.createDatabase(DATABASE);
  await applyMigrations({ databaseUrl, migrationsDir, logger });
  prisma = createPrismaClient(PrismaClient, databaseUrl, { maxConnections: MAX_CONNECTIONS });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await postgres?.stop();
});

beforeEach(async () => {
  await setAvailable(true);
  await prisma.widget.deleteMany();
});

/**
 * Takes the database away (new sessions refused, every open one ended) or gives it back, from the
 * server's `postgres` database.
 */
async function setAvailable(available: boolean): Promise<void> {
  await asServer(async (server) => {
    await server.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS ${available}`);
    if (!available) await terminateSessions(server);
  });
}

/** Ends every session of the test database; it accepts new ones at once. */
async function terminateSessions(server?: pg.Client): Promise<void> {
  if (!server) return asServer((own) => terminateSessions(own));
  await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
    DATABASE,
  ]);
}

async function asServer(work: (server: pg.Client) => Promise<void>): Promise<void> {
  const server = new pg.Client({ connectionString: postgres.url() });
  await server.connect();
  try {
    await work(server);
  } finally {
    await server.end();
  }
}

/** Resolves once the test database runs `fragment` in some session (the statement is on the server). */
async function runningOnServer(fragment: string): Promise<void> {
  for (;;) {
    let found = false;
    await asServer(async (server) => {
      const { rowCount } = await server.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2`,
        [DATABASE, `%${fragment}%`],
      );
      found = (rowCount ?? 0) > 0;
    });
    if (found) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a lost session looks like to the caller: the server's 57P01, or the socket closing. */
const CONNECTION_LOST = /terminating connection due to administrator command|Connection terminated/;

/**
 * The error `promise` rejects with; it must reject. Handled from the start, so a rejection that comes
 * while the test is still ending sessions is not reported as unhandled.
 */
function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(Error);
      return error as Error & { code?: string };
    },
  );
}

/**
 * Runs `query` until it succeeds, as the services' retries do, at most once per pooled connection
 * plus one: a connection the server ended may still be handed out once before the pool hears of it.
 * Every failure on the way must be a lost session.
 */
async function afterReconnecting<T>(query: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await query();
    } catch (error) {
      if (attempt > MAX_CONNECTIONS) throw error;
      expect((error as Error).message).toMatch(CONNECTION_LOST);
    }
  }
}

describe('a SqlClient transaction whose session the server ends', () => {
  it('fails with the server’s reason when it comes between statements, and the next one commits', async () => {
    const sql = sqlClientOf(prisma);
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    let paused!: () => void;
    const inside = new Promise<void>((resolve) => (paused = resolve));
    const failure = errorOf(
      sql.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('A-1', 1)`);
        paused();
        await resumed;
        return tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('A-2', 1)`);
      }),
    );
    await inside;
    await terminateSessions();
    resume();

    const error = await failure;
    expect(error.message).toMatch(CONNECTION_LOST);
    // Nothing of it committed, and the pool serves the next transaction on a new connection.
    await afterReconnecting(() =>
      sql.$transaction((tx) =>
        tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('A-3', 1)`),
      ),
    );
    expect((await prisma.widget.findMany({ orderBy: { sku: 'asc' } })).map((w) => w.sku)).toEqual([
      'A-3',
    ]);
  });

  it('fails with SQLSTATE 57P01 when it comes during a statement, and the next one commits', async () => {
    const sql = sqlClientOf(prisma);
    const failure = errorOf(
      sql.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('B-1', 1)`);
        return tx.$queryRawUnsafe(`SELECT pg_sleep(30) AS "during_statement"`);
      }),
    );
    await runningOnServer('during_statement');
    await terminateSessions();

    expect(await failure).toMatchObject({ code: '57P01' });
    expect(await afterReconnecting(() => sql.$queryRawUnsafe(`SELECT 1 AS "one"`))).toEqual([
      { one: 1 },
    ]);
    expect(await prisma.widget.count()).toBe(0);
  });

  it('through an outage: refused while the database is away, committing once it is back', async () => {
    const sql = sqlClientOf(prisma);
    const insert = (sku: string) =>
      sql.$transaction((tx) =>
        tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ($1, 1)`, sku),
      );
    await insert('C-1');
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    let paused!: () => void;
    const inside = new Promise<void>((resolve) => (paused = resolve));
    const interrupted = errorOf(
      sql.$transaction(async (tx) => {
        paused();
        await resumed;
        return tx.$executeRawUnsafe(`INSERT INTO "widgets" ("sku", "quantity") VALUES ('C-2', 1)`);
      }),
    );
    await inside;
    await setAvailable(false);
    resume();
    expect((await interrupted).message).toMatch(CONNECTION_LOST);

    // While it is away every new session is refused: 55000, "not currently accepting connections".
    // (A pooled connection the pool has not yet heard was ended may fail first as a lost session.)
    let refused = await errorOf(insert('C-3'));
    for (
      let attempt = 0;
      attempt < MAX_CONNECTIONS && CONNECTION_LOST.test(refused.message);
      attempt++
    ) {
      refused = await errorOf(insert('C-3'));
    }
    expect(refused).toMatchObject({ code: '55000' });

    await setAvailable(true);
    await insert('C-4');
    expect((await prisma.widget.findMany({ orderBy: { sku: 'asc' } })).map((w) => w.sku)).toEqual([
      'C-1',
      'C-4',
    ]);
  });
});

describe('connections idle in the pool that the server ends', () => {
  it('are dropped by the pool, and the next statements run on new ones', async () => {
    const sql = sqlClientOf(prisma);
    // Every pooled connection open and idle.
    await Promise.all(
      Array.from({ length: MAX_CONNECTIONS }, () =>
        sql.$transaction((tx) => tx.$queryRawUnsafe(`SELECT pg_sleep(0.05)`)),
      ),
    );
    await terminateSessions();
    expect(await afterReconnecting(() => sql.$queryRawUnsafe(`SELECT 1 AS "one"`))).toEqual([
      { one: 1 },
    ]);
    expect(await afterReconnecting(() => prisma.widget.count())).toBe(0);
  });
});

describe('a Prisma interactive transaction whose session the server ends', () => {
  it('fails, and the next one commits', async () => {
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    let paused!: () => void;
    const inside = new Promise<void>((resolve) => (paused = resolve));
    const failure = errorOf(
      prisma.$transaction(async (tx) => {
        await tx.widget.create({ data: { sku: 'D-1', quantity: 1 } });
        paused();
        await resumed;
        return tx.widget.create({ data: { sku: 'D-2', quantity: 1 } });
      }),
    );
    await inside;
    await terminateSessions();
    resume();

    await failure;
    await afterReconnecting(() => prisma.widget.create({ data: { sku: 'D-3', quantity: 1 } }));
    expect((await prisma.widget.findMany()).map((w) => w.sku)).toEqual(['D-3']);
  });
});
