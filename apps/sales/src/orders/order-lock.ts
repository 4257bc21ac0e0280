import type { SqlExecutor } from '@retail-streams/streaming-client';

/**
 * Serialises the transactions that store one order on the sync path with an Idempotency-Key: two
 * requests with the same key (in flight at once) share the order id, and the second waits for the
 * first to store it, then answers with it. Released when the transaction ends.
 */
export async function lockOrder(tx: SqlExecutor, orderId: string): Promise<void> {
  await tx.$queryRawUnsafe(
    `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text AS "locked"`,
    orderId.toLowerCase(),
  );
}
