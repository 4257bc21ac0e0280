import { createPrismaClient, sqlClientOf } from '@retail-streams/service-kit';
import type { SqlExecutor, TransactionalClient } from '@retail-streams/streaming-client';
import { PrismaClient } from '../generated/prisma/client.ts';

export type InventoryPrisma = PrismaClient;
/** What inventory's transactions run on: raw SQL on one connection (see `inTransaction`). */
export type InventoryTx = SqlExecutor;

export function createInventoryPrisma(databaseUrl: string, maxConnections = 10): InventoryPrisma {
  return createPrismaClient(PrismaClient, databaseUrl, { maxConnections });
}

/**
 * Runs `work` in one transaction. Inventory's transactions are raw SQL (they lock rows and write
 * sets of rows in single statements), so they run on the SqlClient over the Prisma client's pool,
 * without Prisma's interactive-transaction machinery in between. A burst of orders for the same SKU
 * queues on that SKU's row lock: the client waits up to 15 s for a connection and lets a transaction
 * run up to 30 s, so a busy moment does not turn into failed reservations, and a real hang still ends
 * in an error rather than a stuck request.
 */
export function inTransaction<R>(
  prisma: InventoryPrisma,
  work: (tx: InventoryTx) => Promise<R>,
): Promise<R> {
  return sqlClientOf(prisma).$transaction(work);
}

/** The database as the streaming client's inbox (`processOnce`) and outbox relay see it. */
export function inboxDatabase(prisma: InventoryPrisma): TransactionalClient<InventoryTx> {
  return sqlClientOf(prisma);
}
