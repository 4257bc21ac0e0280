/**
 * `__transaction_state`: where the transaction coordinator makes its decisions durable. Like
 * `__consumer_offsets` it is an ordinary compacted topic of the LogManager with one partition (one
 * node, a trivially total replay order), reported as internal. Each state change of a transactional
 * id is one record appended synchronously before the coordinator answers or acts on it, so a broker
 * killed at any point restarts knowing every decision it had announced.
 *
 * As in Kafka, the topic is created lazily: by the first FindCoordinator for a transactional id, or
 * the first record the coordinator writes (InitProducerId with a transactional id), or a Metadata
 * request that auto-creates it. A broker no transactional producer ever used has no such topic, so
 * `kafka-topics --list` on a fresh broker shows what it shows on a fresh Kafka.
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
  /** Makes the store exist (FindCoordinator); throws StorageError when it cannot be created. */
  create(): void;
}

/**
 * Creates `__transaction_state` the way the coordinator needs it (one compacted partition) unless
 * it exists. Whoever creates it first (FindCoordinator, the coordinator's first write, Metadata
 * auto-creation) creates this topic, never one with the broker's defaults for ordinary topics.
 */
export function createTxnStateTopic(logs: LogManager): void {
  if (!logs.getTopic(TXN_STATE_TOPIC))
    logs.createTopic(TXN_STATE_TOPIC, 1, { 'cleanup.policy': 'compact' });
}

export class TxnStateTopicStore implements TxnStore {
  private readonly logs: LogManager;

  private constructor(logs: LogManager) {
    this.logs = logs;
  }

  /** The store of `logs`; the topic is not created until it is first needed. */
  static open(logs: LogManager): TxnStateTopicStore {
    return new TxnStateTopicStore(logs);
  }

  create(): void {
    this.log(true);
  }

  /**
   * Partition 0 of the topic (created first when `create`), looked up on each use rather than
   * held: the topic may come into being after the store, lazily or by a client's CreateTopics.
   */
  private log(create: true): PartitionLog;
  private log(create: false): PartitionLog | undefined;
  private log(create: boolean): PartitionLog | undefined {
    const existing = this.logs.partition(TXN_STATE_TOPIC, 0);
    if (existing || !create) return existing;
    createTxnStateTopic(this.logs);
    const log = this.logs.partition(TXN_STATE_TOPIC, 0);
    if (!log)
      throw new StorageError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `${TXN_STATE_TOPIC} was created without a partition 0: check the log directory's topic registry`,
      );
    return log;
  }

  append(record: TxnStateRecord, nowMs: number): void {
    this.log(true).append(encodeRecordBatch({ baseTimestamp: nowMs, records: [record] }), nowMs);
  }

  *replay(): Iterable<TxnStateRecord> {
    // No topic yet: no transactional producer was ever initialised here, so nothing to restore.
    const log = this.log(false);
    if (!log) return;
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const batches = decodeRecordBatches(log.read(offset, REPLAY_CHUNK_BYTES, true));
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

  create(): void {
    if (this.failing) throw new StorageError(ErrorCode.KAFKA_STORAGE_ERROR, 'store is failing');
  }
}
