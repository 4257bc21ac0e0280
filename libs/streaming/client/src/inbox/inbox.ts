import { inboxTable, type SqlExecutor, type TransactionalClient } from '../outbox/outbox-schema.ts';
import type { RecordContext } from '../consumer/consumer-runner.ts';

export type InboxOutcome = 'processed' | 'duplicate';

/**
 * Runs a handler's effect at most once per event and consumer group. The processed event id is
 * recorded in the same transaction as the effect: if the effect commits, so does the record of it,
 * and a redelivered event (after a crash, a rebalance, a relay retry) finds it and changes nothing.
 * Two deliveries racing each other serialise on the inbox row's primary key.
 */
export async function processOnce<Tx extends SqlExecutor, R>(
  db: TransactionalClient<Tx>,
  event: { id: string },
  context: Pick<RecordContext, 'groupId' | 'topic' | 'partition' | 'offset'>,
  effect: (tx: Tx) => Promise<R>,
): Promise<{ outcome: InboxOutcome; result?: R }> {
  return db.$transaction(async (tx) => {
    const inserted = await tx.$executeRawUnsafe(
      `INSERT INTO "${inboxTable}" ("consumer_group", "event_id", "topic", "partition", "offset")
       VALUES ($1, $2::uuid, $3, $4, $5::bigint)
       ON CONFLICT DO NOTHING`,
      context.groupId,
      event.id,
      context.topic,
      context.partition,
      context.offset,
    );
    if (inserted === 0) return { outcome: 'duplicate' as const };
    return { outcome: 'processed' as const, result: await effect(tx) };
  });
}
