/**
 * What a read_committed fetch may return: only records below the partition's last stable offset
 * (no batch of a transaction still open, nor anything after it), with the aborted transactions that
 * overlap the returned batches, so the consumer drops their records (clients filter them out by
 * producer id until they reach the abort marker, as Kafka's protocol intends).
 */
import { BatchField, LOG_OVERHEAD } from '../storage/index.ts';
import type { PartitionLog } from '../storage/index.ts';

const TWO_32 = 4294967296;

function baseOffsetAt(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BatchField.BASE_OFFSET) * TWO_32 + buf.readUInt32BE(pos + 4);
}

/** The whole batches of `records` that start below `stableOffset`. */
export function stablePart(records: Buffer, stableOffset: number): Buffer {
  let pos = 0;
  while (pos + LOG_OVERHEAD <= records.length) {
    if (baseOffsetAt(records, pos) >= stableOffset) break;
    pos += records.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
  }
  return pos >= records.length ? records : records.subarray(0, pos);
}

/** The last offset of the last whole batch in `records` (-1 when there is none). */
export function lastOffsetIn(records: Buffer): number {
  let pos = 0;
  let last = -1;
  while (pos + BatchField.RECORDS <= records.length) {
    const size = records.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
    if (pos + size > records.length) break;
    last = baseOffsetAt(records, pos) + records.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA);
    pos += size;
  }
  return last;
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** The aborted transactions a fetch from `fetchOffset` returning `records` must report. */
export function abortedTransactionsFor(
  log: PartitionLog,
  fetchOffset: number,
  records: Buffer,
): AbortedTransaction[] {
  if (records.length === 0) return [];
  const last = lastOffsetIn(records);
  if (last < 0) return [];
  return log
    .abortedTxnsIn(fetchOffset, last)
    .map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) }));
}
