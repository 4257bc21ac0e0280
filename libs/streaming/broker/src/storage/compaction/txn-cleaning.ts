/**
 * What compaction does with transactions and producers, decided batch by batch while a pass walks a
 * partition's cleanable segments in offset order (always a prefix of the log, so every batch of a
 * transaction is seen before its marker):
 *
 * - the records of aborted transactions are removed (the segments' aborted-transaction indexes say
 *   which), never kept as a key's latest value;
 * - the last batch of every producer the broker still tracks stays, emptied of records if none of
 *   them survives, so its producer id, epoch and sequence remain in the log for a later rebuild of
 *   the producer state;
 * - a COMMIT or ABORT marker stays while any batch of its transaction remains before it: a replay
 *   of the log would otherwise take that batch for an open transaction (and the last stable offset
 *   would stop there), and read_committed consumers need the marker to end an aborted one. Once no
 *   batch of its transaction remains, the marker goes after delete.retention.ms more, so that a
 *   consumer that read the transaction's data before it was removed still meets the marker.
 *   When that clock started is kept in memory per partition: a restart restarts it (later, never
 *   sooner).
 */
import type { AbortedTxnEntry } from '../txn-index.ts';
import { ControlType, readControlType } from '../txn-index-rebuild.ts';
import type { RawBatch } from './batch-records.ts';

export interface TxnCleaningInput {
  /** Aborted transactions with data in the cleaned range. */
  aborted: readonly AbortedTxnEntry[];
  /** Each tracked producer's last batch (its last offset); those batches stay. */
  producerLastOffsets: ReadonlyMap<number, number>;
  /** Marker offset -> when no batch of its transaction was left (kept across passes). */
  markerClearSince: Map<number, number>;
  nowMs: number;
  deleteRetentionMs: number;
}

export class TxnCleaning {
  private readonly abortedBy = new Map<number, AbortedTxnEntry[]>();
  /** Producers with a batch of their current transaction still in the log. */
  private readonly batchesKept = new Set<number>();
  /** Earliest time a kept marker becomes removable (Infinity: none). */
  markerDeadline = Infinity;
  markersRemoved = 0;
  private lastOffsets: ReadonlyMap<number, number>;
  private readonly input: TxnCleaningInput;

  constructor(input: TxnCleaningInput) {
    this.input = input;
    this.lastOffsets = input.producerLastOffsets;
    for (const a of input.aborted) {
      const list = this.abortedBy.get(a.producerId) ?? [];
      list.push(a);
      this.abortedBy.set(a.producerId, list);
    }
  }

  /** Whether a data batch belongs to an aborted transaction. */
  isAborted(raw: RawBatch): boolean {
    if (!raw.isTransactional) return false;
    const list = this.abortedBy.get(raw.producerId);
    return (
      list?.some((a) => a.firstOffset <= raw.baseOffset && raw.baseOffset < a.lastOffset) ?? false
    );
  }

  /** Whether a data batch left without records stays, empty (its producer's last batch). */
  keepsEmpty(raw: RawBatch): boolean {
    if (raw.producerId < 0) return false;
    return this.lastOffsets.get(raw.producerId) === raw.baseOffset + raw.lastOffsetDelta;
  }

  /** Uses the last batches found in the cleaned segments (no producer-state source). */
  setProducerLastOffsets(lastOffsets: ReadonlyMap<number, number>): void {
    this.lastOffsets = lastOffsets;
  }

  /** A data batch stays in the log (with records, or empty). */
  batchKept(raw: RawBatch): void {
    if (raw.isTransactional && raw.producerId >= 0) this.batchesKept.add(raw.producerId);
  }

  /** Whether a control batch (`batch`, whole) stays. */
  keepControl(raw: RawBatch, batch: Buffer): boolean {
    let type: number | null;
    try {
      type = readControlType(batch);
    } catch {
      return true; // unreadable: keep it, as every control record this broker does not know
    }
    if (type !== ControlType.ABORT && type !== ControlType.COMMIT) return true;
    const { markerClearSince, nowMs, deleteRetentionMs } = this.input;
    if (this.batchesKept.delete(raw.producerId)) {
      markerClearSince.delete(raw.baseOffset);
      return true;
    }
    const since = markerClearSince.get(raw.baseOffset) ?? nowMs;
    if (since + deleteRetentionMs <= nowMs) {
      markerClearSince.delete(raw.baseOffset);
      this.markersRemoved++;
      return false;
    }
    markerClearSince.set(raw.baseOffset, since);
    this.markerDeadline = Math.min(this.markerDeadline, since + deleteRetentionMs);
    return true;
  }
}
