import { inboxTable, type SqlExecutor, type TransactionalClient } from '../outbox/outbox-schema.ts';
import type { RecordContext } from '../consumer/consumer-runner.ts';

export type InboxOutcome = 'processed' | 'duplicate';

type InboxPosition = Pick<RecordContext, 'groupId' | 'topic' | 'partition' | 'offset'>;

/**
 * Runs a handler's effect at most once per event and consumer group. The processed event id is
 * recorded in the same transaction as the effect: if the effect commits, so does the record of it,
 * and a redelivered event (after a crash, a rebalance, a relay retry) finds it and changes nothing.
 * Two deliveries racing each other serialise on the inbox row's primary key.
 */
export async function processOnce<Tx extends SqlExecutor, R>(
  db: TransactionalClient<Tx>,
  event: { id: string },
  context: InboxPosition,
  effect: (tx: Tx) => Promise<R>,
): Promise<{ outcome: InboxOutcome; result?: R }> {
  return db.$transaction(async (tx) => {
    const fresh = await claimInbox(tx, [{ event, context }]);
    if (fresh.length === 0) return { outcome: 'duplicate' as const };
    return { outcome: 'processed' as const, result: await effect(tx) };
  });
}

/**
 * The batch form of `processOnce`: ONE transaction records every event id of the batch in the inbox
 * (one statement) and runs `effect` on the events not seen before, in the order given. A redelivered
 * event, or the same event twice in one batch, reaches the effect at most once. All of the batch's
 * effects commit together with their inbox rows, or none do.
 */
export async function processBatchOnce<
  Tx extends SqlExecutor,
  Item extends { event: { id: string }; context: InboxPosition },
  R,
>(
  db: TransactionalClient<Tx>,
  items: readonly Item[],
  effect: (tx: Tx, fresh: readonly Item[]) => Promise<R>,
): Promise<{ fresh: readonly Item[]; result: R }> {
  return db.$transaction(async (tx) => {
    const fresh = await claimInbox(tx, items);
    return { fresh, result: await effect(tx, fresh) };
  });
}

/**
 * The inbox claim as a statement to nest in the caller's own, as a data-modifying CTE, when the claim
 * and the effect should be one statement (one round trip, one implicit transaction): it records the
 * events of `source` and returns, as "event_id", those not recorded before. `source` names a relation
 * (a CTE of the same statement) with the columns "consumer_group", "event_id", "topic", "partition"
 * and "offset", and may carry a condition (`"input" WHERE ...`). The effect must then apply only to
 * the events this returns, which is what `processBatchOnce` does in two statements.
 */
export function inboxClaimFrom(source: string): string {
  return `INSERT INTO "${inboxTable}" ("consumer_group", "event_id", "topic", "partition", "offset")
     SELECT "consumer_group", "event_id", "topic", "partition", "offset" FROM ${source}
     ON CONFLICT DO NOTHING
     RETURNING "event_id"`;
}

/**
 * One item per event id, the first of each, as the inbox counts events: ids compared in lower case,
 * as PostgreSQL prints uuids. What a statement claiming with `inboxClaimFrom` should be given.
 */
export function firstOfEachEvent<Item extends { event: { id: string } }>(
  items: readonly Item[],
): Item[] {
  const first = new Map<string, Item>();
  for (const item of items) {
    const id = item.event.id.toLowerCase();
    if (!first.has(id)) first.set(id, item);
  }
  return [...first.values()];
}

/** Inserts the inbox rows of `items`; returns the items whose event ids were not there yet. */
async function claimInbox<Item extends { event: { id: string }; context: InboxPosition }>(
  tx: SqlExecutor,
  items: readonly Item[],
): Promise<Item[]> {
  const unique = firstOfEachEvent(items);
  if (unique.length === 0) return [];
  const claimed = await tx.$queryRawUnsafe<{ event_id: string }[]>(
    `INSERT INTO "${inboxTable}" ("consumer_group", "event_id", "topic", "partition", "offset")
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::int[], $5::bigint[])
     ON CONFLICT DO NOTHING
     RETURNING "event_id"::text AS "event_id"`,
    unique.map((item) => item.context.groupId),
    unique.map((item) => item.event.id),
    unique.map((item) => item.context.topic),
    unique.map((item) => item.context.partition),
    unique.map((item) => item.context.offset),
  );
  // PostgreSQL prints uuids in lower case, whatever case they came in.
  const ids = new Set(claimed.map((row) => row.event_id));
  return unique.filter((item) => ids.has(item.event.id.toLowerCase()));
}
