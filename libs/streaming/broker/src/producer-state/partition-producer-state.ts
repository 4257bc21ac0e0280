/**
 * Idempotence state of one partition: for every producer id, its current epoch
 * and the sequence ranges and offsets of its last five batches (what a producer
 * may have in flight, max.in.flight.requests.per.connection <= 5). A retry of
 * one of those batches is recognised and answered with its original offset
 * instead of being written twice.
 */
import { ErrorCode } from '../errors/index.ts';
import { ProducerStateError } from './producer-state-error.ts';
import { PartitionTxnIndex, type AbortedTxn } from './partition-txn-index.ts';
import { followsInSequence, lastSequenceOf, NO_PRODUCER_EPOCH } from './sequence.ts';

/** How many recent batches per producer are remembered (Kafka's value, the clients' in-flight limit). */
export const RETAINED_BATCHES = 5;

export interface BatchMetadata {
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
  /**
   * Broker wall-clock time the batch was appended (or replayed), for producer
   * expiry. Not the batch's own timestamps: producers' clocks may be skewed.
   */
  timestamp: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** Oldest first, at most RETAINED_BATCHES. */
  batches: BatchMetadata[];
}

/** The producer fields of a batch header. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  /** A batch of a transaction (the transactional attribute). */
  transactional?: boolean;
}

export type SequenceVerdict = { kind: 'append' } | { kind: 'duplicate'; original: BatchMetadata };

export class PartitionProducerState {
  private readonly entries = new Map<number, ProducerEntry>();
  /** Open and aborted transactions (last stable offset, Fetch's aborted transactions). */
  readonly txns = new PartitionTxnIndex();
  /** When producers known only from a marker were last seen (expiry). */
  private readonly markerTimes = new Map<number, number>();
  /** Writes since the last snapshot (snapshots are skipped for unchanged partitions). */
  dirty = false;

  get producerCount(): number {
    return this.entries.size;
  }

  entry(producerId: number): ProducerEntry | undefined {
    return this.entries.get(producerId);
  }

  allEntries(): IterableIterator<ProducerEntry> {
    return this.entries.values();
  }

  /**
   * Decides what to do with an idempotent batch before it is appended:
   * append it, answer it as a duplicate, or throw ProducerStateError with
   * INVALID_PRODUCER_EPOCH (a fenced, older epoch) or OUT_OF_ORDER_SEQUENCE_NUMBER
   * (a gap, or a new epoch not starting at 0).
   *
   * A producer id this partition has never seen is accepted at any sequence,
   * as current Kafka does: its state may legitimately be gone (retention
   * removed its batches), and refusing would wedge the producer.
   */
  check(batch: ProducerBatch): SequenceVerdict {
    const entry = this.entries.get(batch.producerId);
    if (!entry) return { kind: 'append' };
    if (batch.producerEpoch < entry.epoch) {
      throw new ProducerStateError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `producer ${batch.producerId} epoch ${batch.producerEpoch} is older than the current epoch ${entry.epoch}`,
      );
    }
    if (batch.producerEpoch !== entry.epoch) {
      // A bumped epoch restarts the sequence numbering at 0.
      if (batch.baseSequence !== 0 && entry.epoch !== NO_PRODUCER_EPOCH) {
        throw new ProducerStateError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${batch.producerId} new epoch ${batch.producerEpoch} must start at sequence 0, got ${batch.baseSequence}`,
        );
      }
      return { kind: 'append' };
    }
    const lastSequence = lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta);
    for (const b of entry.batches) {
      if (b.firstSequence === batch.baseSequence && b.lastSequence === lastSequence) {
        return { kind: 'duplicate', original: b };
      }
    }
    const last = entry.batches[entry.batches.length - 1];
    if (last && !followsInSequence(last.lastSequence, batch.baseSequence)) {
      throw new ProducerStateError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${batch.producerId} epoch ${batch.producerEpoch}: expected sequence ${lastSequenceOf(last.lastSequence, 1)}, got ${batch.baseSequence}`,
      );
    }
    return { kind: 'append' };
  }

  /** Records a batch that was appended at [firstOffset, lastOffset] (also used when replaying the log). */
  record(batch: ProducerBatch, firstOffset: number, lastOffset: number, nowMs: number): void {
    let entry = this.entries.get(batch.producerId);
    if (!entry) {
      entry = { producerId: batch.producerId, epoch: batch.producerEpoch, batches: [] };
      this.entries.set(batch.producerId, entry);
    } else if (entry.epoch !== batch.producerEpoch) {
      entry.epoch = batch.producerEpoch;
      entry.batches = [];
    }
    entry.batches.push({
      firstSequence: batch.baseSequence,
      lastSequence: lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset,
      lastOffset,
      timestamp: nowMs,
    });
    if (entry.batches.length > RETAINED_BATCHES) entry.batches.shift();
    this.dirty = true;
  }

  /**
   * A transaction marker of `producerId` at `markerOffset`. Its epoch becomes the producer's epoch
   * here (a marker written after a timeout carries a bumped epoch, which fences the old producer's
   * late batches), and its transaction here ends. Returns the transaction when the marker aborted one
   * that wrote here.
   */
  recordMarker(
    producerId: number,
    epoch: number,
    markerOffset: number,
    commit: boolean,
    nowMs: number,
  ): AbortedTxn | null {
    const entry = this.entries.get(producerId);
    if (!entry) {
      this.entries.set(producerId, { producerId, epoch, batches: [] });
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    // An entry without batches keeps the marker's time for expiry.
    const kept = this.entries.get(producerId)!;
    if (kept.batches.length === 0) this.markerTimes.set(producerId, nowMs);
    this.dirty = true;
    return this.txns.recordMarker(producerId, markerOffset, commit);
  }

  /** Restores an entry from a snapshot. */
  restore(entry: ProducerEntry): void {
    this.entries.set(entry.producerId, {
      producerId: entry.producerId,
      epoch: entry.epoch,
      batches: entry.batches.slice(-RETAINED_BATCHES),
    });
  }

  /**
   * Forgets producers whose newest batch was appended before `cutoffTimestamp`
   * (Kafka's producer.id.expiration.ms), so the state does not grow forever.
   * Returns how many were removed.
   */
  expireBefore(cutoffTimestamp: number): number {
    let removed = 0;
    for (const [id, entry] of this.entries) {
      // A producer with a transaction open here is kept: its transaction must still end.
      if (this.txns.hasOpen(id)) continue;
      const newest = entry.batches[entry.batches.length - 1];
      const seen = newest ? newest.timestamp : (this.markerTimes.get(id) ?? -1);
      if (seen >= 0 && seen < cutoffTimestamp) {
        this.markerTimes.delete(id);
        this.entries.delete(id);
        removed++;
      }
    }
    if (removed > 0) this.dirty = true;
    return removed;
  }
}
