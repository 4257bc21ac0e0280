import type { Prisma } from '../generated/prisma/client.ts';

/**
 * Serialises the transactions that store or decide one order: the sync path storing an order from
 * inventory's HTTP answer, and the consumer applying inventory's result event for it. Without it a
 * result could be parked as "unmatched" by a transaction that did not yet see the order being stored.
 * Released when the transaction ends.
 */
export async function lockOrder(tx: Prisma.TransactionClient, orderId: string): Promise<void> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', orderId);
}
