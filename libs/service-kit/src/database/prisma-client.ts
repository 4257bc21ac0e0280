import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { SqlClient } from './sql-client.ts';

export interface PrismaClientOptions {
  /** Connection pool size (pg's default is 10), shared by the Prisma client and its `sqlClientOf`. */
  maxConnections?: number;
}

/** The raw-SQL client over each Prisma client's pool, for `sqlClientOf`. */
const sqlClients = new WeakMap<object, SqlClient>();

/**
 * Builds a service's generated PrismaClient on the `pg` driver adapter (Prisma 7 has no native
 * query engine: the adapter is how it reaches PostgreSQL). The generated class is passed in because
 * each service generates its own client from its own schema.
 *
 * The pool is created here and handed to the adapter, so that the hot paths can run their SQL on the
 * same connections without Prisma in between (`sqlClientOf`). `$disconnect()` ends it.
 */
export function createPrismaClient<Client extends object>(
  PrismaClient: new (options: { adapter: PrismaPg }) => Client,
  databaseUrl: string,
  options: PrismaClientOptions = {},
): Client {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections,
    // Waiting longer than this for a connection (the pool busy, the server hanging) is an error
    // the caller can answer (503, a retry) rather than a request that never ends.
    connectionTimeoutMillis: 15_000,
  });
  // An idle connection that breaks (the server restarted) is dropped by the pool and replaced on
  // the next query; without a listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const client = new PrismaClient({ adapter });
  sqlClients.set(client, new SqlClient(pool));
  return client;
}

/**
 * The raw-SQL client on the pool of a Prisma client made by `createPrismaClient`: the same database
 * and connections, without Prisma's per-query overhead (see SqlClient).
 */
export function sqlClientOf(prisma: object): SqlClient {
  const sql = sqlClients.get(prisma);
  if (!sql) {
    throw new Error(
      'SQL_CLIENT_MISSING: this Prisma client was not made by createPrismaClient; build it with createPrismaClient to get its SqlClient',
    );
  }
  return sql;
}

/** A readiness check for a Prisma client: the database answers a trivial query. */
export function prismaReadinessCheck(prisma: {
  $queryRawUnsafe(query: string): Promise<unknown>;
}): () => Promise<void> {
  return async () => {
    await prisma.$queryRawUnsafe('SELECT 1');
  };
}
