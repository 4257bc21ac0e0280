/**
 * What the transaction coordinator knows of one transactional id: the producer id and epoch it
 * granted, the transaction's timeout, its state, and what the open transaction has touched (the
 * partitions it may write, the groups whose offsets it commits and those offsets).
 *
 * States follow Kafka's coordinator (the names are what ListTransactions and DescribeTransactions
 * answer): Empty → Ongoing → PrepareCommit | PrepareAbort → CompleteCommit | CompleteAbort, and a
 * completed transaction may start the next one. Prepare* is the decision made durable; the markers
 * are written right after it (again after a restart, if the broker died in between).
 */

export const TXN_STATES = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const;
export type TxnState = (typeof TXN_STATES)[number];

/** An offset committed inside a transaction, applied to the group when the transaction commits. */
export interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** The producer id before the last renumbering (epoch exhausted), -1 if none. */
  lastProducerId: number;
  timeoutMs: number;
  state: TxnState;
  /** "topic" → partitions added to the open transaction. */
  partitions: Map<string, Set<number>>;
  /** group id → offsets committed in the open transaction (AddOffsetsToTxn adds the group). */
  groups: Map<string, PendingOffset[]>;
  /** When the open transaction started (-1 when none is open). */
  startTimestamp: number;
  lastUpdateTimestamp: number;
}

export function newTxn(
  transactionalId: string,
  producerId: number,
  timeoutMs: number,
  now: number,
): TxnMetadata {
  return {
    transactionalId,
    producerId,
    producerEpoch: 0,
    lastProducerId: -1,
    timeoutMs,
    state: 'Empty',
    partitions: new Map(),
    groups: new Map(),
    startTimestamp: -1,
    lastUpdateTimestamp: now,
  };
}

export function hasPartition(txn: TxnMetadata, topic: string, partition: number): boolean {
  return txn.partitions.get(topic)?.has(partition) ?? false;
}

export function isPreparing(txn: TxnMetadata): boolean {
  return txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort';
}

/** Forgets what the finished transaction touched. */
export function clearTransaction(txn: TxnMetadata): void {
  txn.partitions = new Map();
  txn.groups = new Map();
  txn.startTimestamp = -1;
}
