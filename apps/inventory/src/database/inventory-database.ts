import { createPrismaClient } from '@retail-streams/service-kit';
import type { TransactionalClient } from '@retail-streams/streaming-client';
import { PrismaClient, type Prisma } from '../generated/prisma/client.ts';

export type InventoryPrisma = PrismaClient;
export type InventoryTx = Prisma.TransactionClient;

/**
 * Prisma's interactive transactions wait at most 2 s for a pooled connection and run at most 5 s by
 * default. A burst of orders for the same SKU queues on that SKU's row lock, so both limits would
 * turn a busy moment into failed reservations; these are generous instead, and a real hang still
 * ends in an error rather than a stuck request.
 */
const transactionOptions = { maxWait: 15_000, timeout: 30_000 } as const;

export function createInventoryPrisma(databaseUrl: string, maxConnections = 10): InventoryPrisma {
  return createPrismaClient(PrismaClient, databaseUrl, { maxConnections });
}

/** Runs `work` in one transaction with inventory's transaction limits. */
export function inTransaction<R>(
  prisma: InventoryPrisma,
  work: (tx: InventoryTx) => Promise<R>,
): Promise<R> {
  return prisma.$transaction(work, transactionOptions);
}

/**
 * The Prisma client as the streaming client's inbox sees it (`processOnce`), with inventory's
 * transaction limits applied to the transaction it opens.
 */
export function inboxDatabase(prisma: InventoryPrisma): TransactionalClient<InventoryTx> {
  return {
    $executeRawUnsafe: (query, ...values) => prisma.$executeRawUnsafe(query, ...values),
    $queryRawUnsafe: <T>(query: string, ...values: unknown[]) =>
      prisma.$queryRawUnsafe<T>(query, ...values),
    $transaction: (work) => inTransaction(prisma, work),
  };
}
