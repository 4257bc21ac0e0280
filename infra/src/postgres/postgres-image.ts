import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'libpg-query';
import pg from 'pg';
import type { PostgresSetup } from './postgres-service.ts';

/**
 * Does on a running PostgreSQL server what the postgres image's entrypoint does on first start, as
 * far as the services can tell: the POSTGRES_USER superuser with POSTGRES_PASSWORD, the POSTGRES_DB
 * database, then each init script run in that database as that user, statement by statement and
 * stopping at the first error (`psql -v ON_ERROR_STOP=1`: each statement commits on its own, which
 * is what lets a script hold several CREATE DATABASE). `adminUrl` is a superuser URL of the server.
 *
 * Throws what the container log would show when a script fails: the image's container exits then.
 */
export async function initialiseLikeThePostgresImage(
  adminUrl: string,
  setup: PostgresSetup,
): Promise<void> {
  await withClient(adminUrl, async (admin) => {
    await admin.query(
      `CREATE ROLE ${pg.escapeIdentifier(setup.user)} SUPERUSER LOGIN PASSWORD ${pg.escapeLiteral(setup.password)}`,
    );
    if (setup.database !== 'postgres')
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(setup.database)}`);
  });
  const asUser = new URL(adminUrl);
  asUser.username = encodeURIComponent(setup.user);
  asUser.password = encodeURIComponent(setup.password);
  asUser.pathname = `/${encodeURIComponent(setup.database)}`;
  await withClient(asUser.href, async (client) => {
    for (const script of setup.initScripts) {
      for (const statement of await statementsOf(script)) {
        try {
          await client.query(statement);
        } catch (error) {
          throw new Error(
            `${basename(script)}: psql stops at \`${statement.trim()}\`: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
    }
  });
}

/** The statements of a SQL script, split where PostgreSQL's own parser says they end. */
async function statementsOf(path: string): Promise<string[]> {
  const source = readFileSync(path);
  const { stmts = [] } = await parse(source.toString('utf8')).catch((error: unknown) => {
    throw new Error(`${basename(path)}: PostgreSQL cannot parse it: ${(error as Error).message}`, {
      cause: error,
    });
  });
  // Locations are byte offsets into the UTF-8 text; a missing length means "to the end".
  return stmts.map(({ stmt_location: start = 0, stmt_len: length }) =>
    source.subarray(start, length ? start + length : undefined).toString(),
  );
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Connects with a service's DATABASE_URL, its host and port swapped for the server's: proves the
 * role, password and database it names exist. Returns who the server says we are.
 */
export async function connectAs(
  databaseUrl: string,
  server: { host: string; port: number },
): Promise<{ user: string; database: string }> {
  const url = new URL(databaseUrl);
  url.hostname = server.host;
  url.port = String(server.port);
  return withClient(url.href, async (client) => {
    const { rows } = await client.query<{ user: string; database: string }>(
      'SELECT current_user AS "user", current_database() AS database',
    );
    return rows[0] as { user: string; database: string };
  });
}
