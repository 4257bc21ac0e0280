/**
 * Idempotent-producer state of every partition, kept next to the log.
 *
 * A partition's state is built lazily, on its first idempotent produce (or
 * when the cleaner needs it): from its snapshot file, then by replaying the
 * batch headers appended after the snapshot's offset (from the log start when
 * there is none). Partitions never written by an idempotent producer cost
 * nothing at start-up. Snapshots are written periodically and at shutdown, so
 * a restart replays only a short tail; after a crash the replay covers
 * whatever the snapshot missed, so a retried batch is still recognised.
 */
import type { Logger } from 'pino';
import type { LogManager, PartitionLog } from '../storage/index.ts';
import { BatchField, LOG_OVERHEAD, readBatchInfo, Attribute } from '../storage/index.ts';
import { PartitionProducerState } from './partition-producer-state.ts';
import type { ProducerBatch } from './partition-producer-state.ts';
import { ProducerIdAllocator } from './producer-id-allocator.ts';
import { ProducerErrorCode, ProducerStateError } from './producer-state-error.ts';
import { deleteSnapshotFile, readSnapshotFile, writeSnapshotFile } from './snapshot-file.ts';

/** Kafka's producer.id.expiration.ms default: producers idle this long are forgotten. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 60_000;
const REPLAY_READ_BYTES = 4 * 1024 * 1024;

export interface ProducerStateManagerOptions {
  logs: LogManager;
  logger?: Logger;
  producerIdExpirationMs?: number;
  /** How often changed partitions write their snapshot; null disables the timer (close() still writes). */
  snapshotIntervalMs?: number | null;
}

export interface ProducerAppendResult {
  baseOffset: number;
  lastOffset: number;
  logAppendTimeMs: number;
  /** True when the batch was a retry of one already in the log (nothing was written). */
  duplicate: boolean;
}

export class ProducerStateManager {
  /** Producer ids for InitProducerId, persisted in the log dir. */
  readonly ids: ProducerIdAllocator;
  private readonly logs: LogManager;
  private readonly logger: Logger | undefined;
  private readonly expirationMs: number;
  /** Keyed by the log object: a deleted and re-created topic starts with fresh state. */
  private readonly states = new Map<PartitionLog, PartitionProducerState>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(opts: ProducerStateManagerOptions) {
    this.logs = opts.logs;
    this.ids = ProducerIdAllocator.open(opts.logs.logDir);
    this.logger = opts.logger;
    this.expirationMs = opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
  }

  /**
   * Opens the manager over a loaded LogManager. Discards snapshots that claim
   * more than their log holds (its tail was cut by crash recovery): replaying
   * the log from the start is then the only correct source.
   */
  static open(opts: ProducerStateManagerOptions): ProducerStateManager {
    const manager = new ProducerStateManager(opts);
    for (const topic of opts.logs.listTopics()) {
      for (const log of opts.logs.partitions(topic.name)) {
        const snapshot = readSnapshotFile(log.dir);
        if (snapshot && snapshot.offset > log.logEndOffset) {
          opts.logger?.warn(
            {
              topic: log.topic,
              partition: log.partition,
              snapshotOffset: snapshot.offset,
              logEndOffset: log.logEndOffset,
            },
            'producer-state snapshot is ahead of the recovered log; it will be rebuilt from the log',
          );
          deleteSnapshotFile(log.dir);
        }
      }
    }
    const every =
      opts.snapshotIntervalMs === undefined
        ? DEFAULT_SNAPSHOT_INTERVAL_MS
        : opts.snapshotIntervalMs;
    if (every !== null && every > 0) {
      manager.timer = setInterval(() => manager.snapshotAll(), every);
      manager.timer.unref();
    }
    return manager;
  }

  /** The state of a partition, loading it from snapshot + log on first use. */
  stateFor(log: PartitionLog): PartitionProducerState {
    let state = this.states.get(log);
    if (!state) {
      state = this.load(log);
      this.states.set(log, state);
    }
    return state;
  }

  /** Whether the partition's state is in memory (diagnostics and tests). */
  isLoaded(log: PartitionLog): boolean {
    return this.states.has(log);
  }

  private load(log: PartitionLog): PartitionProducerState {
    const started = performance.now();
    const state = new PartitionProducerState();
    const snapshot = readSnapshotFile(log.dir);
    let from = log.logStartOffset;
    if (snapshot && snapshot.offset <= log.logEndOffset) {
      for (const entry of snapshot.entries) state.restore(entry);
      from = Math.max(from, snapshot.offset);
    }
    let replayed = 0;
    // Append times are not in the log: replayed producers count as seen now (expire later, never sooner).
    const nowMs = Date.now();
    while (from < log.logEndOffset) {
      const buf = log.read(from, REPLAY_READ_BYTES, true);
      if (buf.length === 0) break;
      let pos = 0;
      while (pos + LOG_OVERHEAD <= buf.length) {
        const size = buf.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
        if (pos + size > buf.length) break;
        const info = readBatchInfo(buf, pos);
        const lastOffset = info.baseOffset + info.lastOffsetDelta;
        if (info.producerId >= 0 && (info.attributes & Attribute.CONTROL) === 0) {
          state.record(
            {
              producerId: info.producerId,
              producerEpoch: info.producerEpoch,
              baseSequence: info.baseSequence,
              lastOffsetDelta: info.lastOffsetDelta,
            },
            info.baseOffset,
            lastOffset,
            nowMs,
          );
          replayed++;
        }
        from = lastOffset + 1;
        pos += size;
      }
      if (pos === 0) break; // defensive: a read that returned no whole batch
    }
    state.dirty = replayed > 0;
    this.logger?.debug(
      {
        topic: log.topic,
        partition: log.partition,
        fromSnapshot: snapshot?.offset ?? null,
        replayedBatches: replayed,
        producers: state.producerCount,
        ms: Math.round(performance.now() - started),
      },
      'producer state loaded',
    );
    return state;
  }

  /**
   * Appends a Produce payload, applying the idempotence rules when its batch
   * carries a producer id: a retry of one of the producer's last five batches
   * is answered with the original offsets and not written again; a sequence gap
   * or a fenced epoch throws ProducerStateError. Payloads without a producer id
   * go straight to the log.
   */
  append(log: PartitionLog, records: Buffer, nowMs: number): ProducerAppendResult {
    const batch = peekProducerBatch(records);
    if (!batch) return { ...log.append(records, nowMs), duplicate: false };
    const state = this.stateFor(log);
    const verdict = state.check(batch);
    if (verdict.kind === 'duplicate') {
      this.logger?.debug(
        {
          topic: log.topic,
          partition: log.partition,
          producerId: batch.producerId,
          baseSequence: batch.baseSequence,
          offset: verdict.original.firstOffset,
        },
        'duplicate batch from an idempotent producer answered with its original offset',
      );
      return {
        baseOffset: verdict.original.firstOffset,
        lastOffset: verdict.original.lastOffset,
        logAppendTimeMs: -1,
        duplicate: true,
      };
    }
    const appended = log.append(records, nowMs);
    state.record(batch, appended.baseOffset, appended.lastOffset, nowMs);
    return { ...appended, duplicate: false };
  }

  /** Writes the partition's snapshot at its current log end offset (loading its state if needed). */
  snapshot(log: PartitionLog, nowMs: number = Date.now()): void {
    const state = this.stateFor(log);
    state.expireBefore(nowMs - this.expirationMs);
    writeSnapshotFile(log.dir, { offset: log.logEndOffset, entries: [...state.allEntries()] });
    state.dirty = false;
  }

  /** Snapshots every loaded partition that changed; forgets partitions whose topic is gone. */
  snapshotAll(nowMs: number = Date.now()): void {
    for (const [log, state] of this.states) {
      if (this.logs.partition(log.topic, log.partition) !== log) {
        this.states.delete(log);
        continue;
      }
      if (!state.dirty) continue;
      try {
        this.snapshot(log, nowMs);
      } catch (err) {
        this.logger?.warn(
          { err, topic: log.topic, partition: log.partition },
          'cannot write the producer-state snapshot; a restart will replay more of the log',
        );
      }
    }
  }

  /** Stops the timer and writes the final snapshots (call before the logs close). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.snapshotAll();
    this.states.clear();
  }
}

/**
 * The producer fields of an idempotent payload, or null when it carries no
 * producer id (or is too short to tell: storage validation then rejects it).
 * Idempotence needs exactly one batch per partition, as Kafka requires for v2
 * batches, because the whole payload is answered with one base offset.
 */
function peekProducerBatch(records: Buffer): ProducerBatch | null {
  if (records.length < BatchField.RECORDS || records.readInt8(BatchField.MAGIC) !== 2) return null;
  const info = readBatchInfo(records, 0);
  if (info.producerId < 0) return null;
  if (info.size !== records.length) {
    throw new ProducerStateError(
      ProducerErrorCode.INVALID_RECORD,
      'an idempotent produce must carry exactly one record batch per partition',
    );
  }
  if ((info.attributes & Attribute.TRANSACTIONAL) !== 0) {
    throw new ProducerStateError(
      ProducerErrorCode.INVALID_RECORD,
      'transactional batches are not supported by this broker',
    );
  }
  return {
    producerId: info.producerId,
    producerEpoch: info.producerEpoch,
    baseSequence: info.baseSequence,
    lastOffsetDelta: info.lastOffsetDelta,
  };
}
