import type { SqlExecutor } from '@retail-streams/streaming-client';

/**
 * Serialises the transactions that store or decide one order: the sync path storing an order from
 * inventory's HTTP answer, and the consumer applying inventory's result event for it. Without it a
 * result could be parked as "unmatched" by a transaction that did not yet see the order being stored.
 * Released when the transaction ends.
 */
export function lockOrder(tx: SqlExecutor, orderId: string): Promise<void> {
  return lockOrders(tx, [orderId]);
}

/**
 * `lockOrder` for many orders at once, in one statement, taking the locks in order-id order: two
 * transactions locking overlapping sets then wait for each other instead of deadlocking.
 */
export async function lockOrders(tx: SqlExecutor, orderIds: readonly string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await tx.$queryRawUnsafe(
    `SELECT count(pg_advisory_xact_lock(hashtextextended(id, 0)))::int AS "locked"
       FROM (SELECT DISTINCT id FROM unnest($1::text[]) AS u(id) ORDER BY id) AS sorted`,
    orderIds.map((orderId) => orderId.toLowerCase()),
  );
}
