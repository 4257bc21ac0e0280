/**
 * `__consumer_offsets`: where the coordinator makes committed offsets and group metadata durable.
 *
 * It is an ordinary topic of the LogManager (so it gets the same segment files, CRC checks, crash
 * recovery and flushing as any other), created at coordinator start-up with one partition and
 * cleanup.policy=compact. One partition is enough for a single node: every write is one small batch
 * appended synchronously, and one partition keeps the replay order trivially total.
 *
 * The topic stays visible in Metadata, like Kafka's, and is reported as internal (see
 * `isInternalTopic`): clients and tools then recognise it and skip it in listings and regex
 * subscriptions.
 */
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from '../storage/errors.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../storage/record-batch.ts';
import type { LogManager, PartitionLog } from '../storage/index.ts';
import type { RawRecord } from './group-records.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const OFFSETS_TOPIC_PARTITIONS = 1;

/** Topics the broker itself manages; Metadata reports them with isInternal=true. */
export function isInternalTopic(name: string): boolean {
  return name === OFFSETS_TOPIC;
}

/** Where the coordinator writes and replays its records. */
export interface GroupStore {
  /** Appends the records as one batch; throws StorageError (e.g. KAFKA_STORAGE_ERROR) on failure. */
  append(records: readonly RawRecord[], nowMs: number): void;
  /** Every record from the start of the log, in order. */
  replay(): Iterable<RawRecord>;
}

/** Bytes read per step while replaying; a larger batch is still returned whole (minOneBatch). */
const REPLAY_CHUNK_BYTES = 1 << 20;

export class OffsetsTopicStore implements GroupStore {
  private readonly log: PartitionLog;

  private constructor(log: PartitionLog) {
    this.log = log;
  }

  /** Opens (creating it on first start) the offsets topic of `logs`. */
  static open(logs: LogManager): OffsetsTopicStore {
    if (!logs.getTopic(OFFSETS_TOPIC)) {
      logs.createTopic(OFFSETS_TOPIC, OFFSETS_TOPIC_PARTITIONS, { 'cleanup.policy': 'compact' });
    }
    const log = logs.partition(OFFSETS_TOPIC, 0);
    if (!log)
      throw new StorageError(ErrorCode.KAFKA_STORAGE_ERROR, `${OFFSETS_TOPIC} has no partition 0`);
    return new OffsetsTopicStore(log);
  }

  append(records: readonly RawRecord[], nowMs: number): void {
    if (records.length === 0) return;
    const batch = encodeRecordBatch({
      baseTimestamp: nowMs,
      records: records.map((r) => ({ key: r.key, value: r.value })),
    });
    this.log.append(batch, nowMs);
  }

  *replay(): Iterable<RawRecord> {
    let offset = this.log.logStartOffset;
    while (offset < this.log.logEndOffset) {
      const chunk = this.log.read(offset, REPLAY_CHUNK_BYTES, true);
      const batches = decodeRecordBatches(chunk);
      if (batches.length === 0) break;
      for (const batch of batches) {
        for (const record of batch.records) {
          if (record.offset < offset || !record.key) continue;
          yield { key: record.key, value: record.value };
        }
        offset = Math.max(offset, batch.baseOffset + batch.lastOffsetDelta + 1);
      }
    }
  }
}
