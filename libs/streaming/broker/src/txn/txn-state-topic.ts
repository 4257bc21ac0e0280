/**
 * `__transaction_state`: where the transaction coordinator makes its decisions durable. Like
 * `__consumer_offsets` it is an ordinary compacted topic of the LogManager with one partition (one
 * node, a trivially total replay order), created on first start and reported as internal. Each
 * state change of a transactional id is one record appended synchronously before the coordinator
 * answers or acts on it, so a broker killed at any point restarts knowing every decision it had
 * announced.
 */
import { ErrorCode } from '../errors/index.ts';
import { StorageError, decodeRecordBatches, encodeRecordBatch } from '../storage/index.ts';
import type { LogManager, PartitionLog } from '../storage/index.ts';

export const TXN_STATE_TOPIC = '__transaction_state';
const REPLAY_CHUNK_BYTES = 1 << 20;

export interface TxnStateRecord {
  key: Buffer;
  value: Buffer | null;
}

/** Where the coordinator writes and replays its records (a topic, or memory in unit tests). */
export interface TxnStore {
  /** Appends the record; throws StorageError when the log cannot be written. */
  append(record: TxnStateRecord, nowMs: number): void;
  replay(): Iterable<TxnStateRecord>;
}

export class TxnStateTopicStore implements TxnStore {
  private readonly log: PartitionLog;

  private constructor(log: PartitionLog) {
    this.log = log;
  }

  static open(logs: LogManager): TxnStateTopicStore {
    if (!logs.getTopic(TXN_STATE_TOPIC))
      logs.createTopic(TXN_STATE_TOPIC, 1, { 'cleanup.policy': 'compact' });
    const log = logs.partition(TXN_STATE_TOPIC, 0);
    if (!log)
      throw new StorageError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `${TXN_STATE_TOPIC} has no partition 0`,
      );
    return new TxnStateTopicStore(log);
  }

  append(record: TxnStateRecord, nowMs: number): void {
    this.log.append(encodeRecordBatch({ baseTimestamp: nowMs, records: [record] }), nowMs);
  }

  *replay(): Iterable<TxnStateRecord> {
    let offset = this.log.logStartOffset;
    while (offset < this.log.logEndOffset) {
      const batches = decodeRecordBatches(this.log.read(offset, REPLAY_CHUNK_BYTES, true));
      if (batches.length === 0) break;
      for (const batch of batches) {
        for (const r of batch.records)
          if (r.offset >= offset && r.key) yield { key: r.key, value: r.value };
        offset = Math.max(offset, batch.baseOffset + batch.lastOffsetDelta + 1);
      }
    }
  }
}

/** A store in memory, for unit tests of the coordinator. */
export class MemoryTxnStore implements TxnStore {
  readonly records: TxnStateRecord[] = [];
  failing = false;

  append(record: TxnStateRecord): void {
    if (this.failing) throw new StorageError(ErrorCode.KAFKA_STORAGE_ERROR, 'store is failing');
    this.records.push(record);
  }

  replay(): Iterable<TxnStateRecord> {
    return [...this.records];
  }
}
