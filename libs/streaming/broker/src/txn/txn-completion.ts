/**
 * Ending a transaction, in the order that makes it crash-safe:
 *  1. PrepareCommit / PrepareAbort is written to `__transaction_state`: from here on the outcome is
 *     decided, whatever happens to the broker;
 *  2. a marker is appended to every partition the transaction added, and on commit its offsets
 *     become the groups';
 *  3. CompleteCommit / CompleteAbort is written.
 * A broker killed between 1 and 3 finds the Prepare state at start-up and does 2 and 3 again; a
 * second marker for a transaction already ended in a partition changes nothing there, and applying
 * the same offsets twice is harmless. A failed marker write (a partition offline) leaves the
 * transaction in Prepare, retried by the coordinator's tick; the producer meanwhile gets
 * CONCURRENT_TRANSACTIONS, which every client retries.
 */
import { ErrorCode as E } from '../errors/index.ts';
import { MAX_EPOCH } from '../producer-state/index.ts';
import type { TxnCoordinatorState } from './txn-coordinator-state.ts';
import { clearTransaction } from './txn-metadata.ts';
import type { TxnMetadata } from './txn-metadata.ts';

/** A copy to change and persist; the current metadata stays as it was until the write succeeds. */
export function copyTxn(txn: TxnMetadata): TxnMetadata {
  return structuredClone(txn);
}

/**
 * Ends the open transaction: commit or abort. With `fence` (a timed-out transaction, or a new
 * producer instance taking over the id) the epoch is bumped first, so the old producer's later
 * requests are refused as fenced. Answers NONE once the decision is durable.
 */
export function endTransaction(
  st: TxnCoordinatorState,
  txn: TxnMetadata,
  commit: boolean,
  now: number,
  fence = false,
): number {
  const next = copyTxn(txn);
  if (fence) {
    if (next.producerEpoch < MAX_EPOCH) next.producerEpoch += 1;
  }
  next.state = commit ? 'PrepareCommit' : 'PrepareAbort';
  next.lastUpdateTimestamp = now;
  const code = st.persist(next, now);
  if (code !== E.NONE) return code;
  st.logger.debug(
    {
      transactionalId: next.transactionalId,
      producerId: next.producerId,
      epoch: next.producerEpoch,
      outcome: commit ? 'commit' : 'abort',
      fenced: fence,
    },
    'transaction ending',
  );
  finishPrepared(st, next, now);
  return E.NONE;
}

/**
 * Writes the markers (and, on commit, the offsets) of a transaction in Prepare, then its Complete
 * state. Leaves it in Prepare, to be retried, when any write fails.
 */
export function finishPrepared(st: TxnCoordinatorState, txn: TxnMetadata, now: number): boolean {
  const commit = txn.state === 'PrepareCommit';
  try {
    for (const [topic, partitions] of txn.partitions)
      for (const partition of partitions)
        st.writeMarker(topic, partition, txn.producerId, txn.producerEpoch, commit, now);
    if (commit) {
      for (const [groupId, offsets] of txn.groups) {
        const code = st.applyOffsets(groupId, offsets);
        if (code !== E.NONE) throw new Error(`committing the offsets of group ${groupId}: ${code}`);
      }
    }
  } catch (err) {
    st.logger.warn(
      { err, transactionalId: txn.transactionalId },
      'transaction markers not all written; retrying on the next tick',
    );
    return false;
  }
  const done = copyTxn(txn);
  done.state = commit ? 'CompleteCommit' : 'CompleteAbort';
  clearTransaction(done);
  done.lastUpdateTimestamp = now;
  return st.persist(done, now) === E.NONE;
}
