/** Test support: transactional batches and markers appended straight to a PartitionLog. */
import type { PartitionLog } from '../partition-log.ts';
import { encodeRecordBatch } from '../record-batch.ts';
import { ControlType } from '../txn-index-rebuild.ts';

export const T0 = 1_700_000_000_000;

/** Appends one transactional (or, with `transactional: false`, idempotent) batch; returns its base offset. */
export function appendData(
  log: PartitionLog,
  producerId: number,
  records: Array<{ key?: string; value: string }>,
  opts: { sequence?: number; transactional?: boolean; timestamp?: number } = {},
): number {
  const timestamp = opts.timestamp ?? T0;
  const buf = encodeRecordBatch({
    records: records.map((r) => ({ key: r.key ?? null, value: r.value, timestamp })),
    producerId,
    producerEpoch: 0,
    baseSequence: opts.sequence ?? 0,
    transactional: opts.transactional ?? true,
  });
  return log.append(buf, timestamp).baseOffset;
}

/** Appends a COMMIT or ABORT marker of the producer; returns its offset. */
export function appendMarker(
  log: PartitionLog,
  producerId: number,
  commit: boolean,
  timestamp = T0,
): number {
  const key = Buffer.alloc(4);
  key.writeInt16BE(commit ? ControlType.COMMIT : ControlType.ABORT, 2);
  const value = Buffer.alloc(6);
  const buf = encodeRecordBatch({
    records: [{ key, value, timestamp }],
    producerId,
    producerEpoch: 0,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
  return log.append(buf, timestamp, { allowControl: true }).baseOffset;
}

/**
 * An abort as the broker writes it: the marker, then its entry in the marker segment's index, with
 * the last stable offset the broker would record (the oldest other open transaction's start, else
 * the offset after the marker).
 */
export function appendAbort(
  log: PartitionLog,
  producerId: number,
  firstOffset: number,
  opts: { openSince?: number; timestamp?: number } = {},
): { producerId: number; firstOffset: number; lastOffset: number; lastStableOffset: number } {
  const lastOffset = appendMarker(log, producerId, false, opts.timestamp ?? T0);
  const lastStableOffset = opts.openSince ?? lastOffset + 1;
  const entry = { producerId, firstOffset, lastOffset, lastStableOffset };
  log.appendAbortedTxn(entry);
  return entry;
}
