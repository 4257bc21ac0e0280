import { PrismaPg } from '@prisma/adapter-pg';

export interface PrismaClientOptions {
  /** Connection pool size (pg's default is 10). */
  maxConnections?: number;
}

/**
 * Builds a service's generated PrismaClient on the `pg` driver adapter (Prisma 7 has no native
 * query engine: the adapter is how it reaches PostgreSQL). The generated class is passed in because
 * each service generates its own client from its own schema.
 */
export function createPrismaClient<Client>(
  PrismaClient: new (options: { adapter: PrismaPg }) => Client,
  databaseUrl: string,
  options: PrismaClientOptions = {},
): Client {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections });
  return new PrismaClient({ adapter });
}

/** A readiness check for a Prisma client: the database answers a trivial query. */
export function prismaReadinessCheck(prisma: {
  $queryRawUnsafe(query: string): Promise<unknown>;
}): () => Promise<void> {
  return async () => {
    await prisma.$queryRawUnsafe('SELECT 1');
  };
}
