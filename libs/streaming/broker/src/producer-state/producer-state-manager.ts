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
import { ErrorCode } from '../errors/index.ts';
import { ProducerStateError } from './producer-state-error.ts';
import { deleteSnapshotFile, readSnapshotFile, writeSnapshotFile } from './snapshot-file.ts';
import { ControlType, encodeMarkerBatch, readControlType } from './control-records.ts';

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

/**
 * Decides whether a transactional batch may be appended to a partition (the transaction coordinator:
 * the producer's transaction is ongoing, its epoch current, the partition added to it); throws a
 * ProducerStateError with the code to answer otherwise.
 */
export type TransactionalProduceCheck = (
  transactionalId: string | null,
  batch: ProducerBatch,
  topic: string,
  partition: number,
) => void;

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
  /** Set by the transaction coordinator; without one, transactional batches are refused. */
  checkTransactional: TransactionalProduceCheck | null = null;

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
      // Aborted transactions of older snapshots are ignored: the segments index them now.
      state.txns.restore(snapshot.openTxns ?? []);
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
        if (info.producerId >= 0) {
          replayBatch(state, buf, info, nowMs);
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
  append(
    log: PartitionLog,
    records: Buffer,
    nowMs: number,
    transactionalId: string | null = null,
  ): ProducerAppendResult {
    const batch = peekProducerBatch(records);
    if (!batch) return { ...log.append(records, nowMs), duplicate: false };
    if (batch.transactional) {
      if (!this.checkTransactional)
        throw new ProducerStateError(
          ErrorCode.INVALID_TXN_STATE,
          'transactional batches need a transaction coordinator',
        );
      this.checkTransactional(transactionalId, batch, log.topic, log.partition);
    }
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
    if (batch.transactional) state.txns.recordData(batch.producerId, appended.baseOffset);
    return { ...appended, duplicate: false };
  }

  /**
   * Appends a COMMIT or ABORT marker of the producer's transaction to the partition and ends the
   * transaction there; an abort of a transaction that wrote here goes into the marker segment's
   * aborted-transaction index. Throws (StorageError) when the log or the index cannot be written;
   * the coordinator retries, and the transaction stays open here until an attempt indexes it.
   */
  writeMarker(
    log: PartitionLog,
    producerId: number,
    producerEpoch: number,
    commit: boolean,
    nowMs: number,
  ): number {
    const state = this.stateFor(log);
    const batch = encodeMarkerBatch({
      producerId,
      producerEpoch,
      commit,
      coordinatorEpoch: 0,
      timestamp: nowMs,
    });
    const appended = log.append(batch, nowMs, { allowControl: true });
    const aborted = state.recordMarker(
      producerId,
      producerEpoch,
      appended.baseOffset,
      commit,
      nowMs,
    );
    if (aborted) {
      try {
        log.appendAbortedTxn({ ...aborted, lastStableOffset: this.lastStableOffset(log) });
      } catch (err) {
        // Reopened, so the retried marker indexes it (its data must never reach read_committed).
        state.txns.recordData(producerId, aborted.firstOffset);
        throw err;
      }
    }
    return appended.baseOffset;
  }

  /**
   * The last stable offset: read_committed consumers read below it. The first offset of the oldest
   * transaction still open in the partition, else the high watermark.
   */
  lastStableOffset(log: PartitionLog): number {
    const first = this.stateFor(log).txns.firstUnstableOffset();
    return first === null ? log.highWatermark : Math.min(first, log.highWatermark);
  }

  /** The last offset of each tracked producer's last batch here (the log cleaner keeps those batches). */
  lastBatchOffsets(log: PartitionLog): Map<number, number> {
    const out = new Map<number, number>();
    for (const e of this.stateFor(log).allEntries()) {
      const last = e.batches[e.batches.length - 1];
      if (last) out.set(e.producerId, last.lastOffset);
    }
    return out;
  }

  /** Writes the partition's snapshot at its current log end offset (loading its state if needed). */
  snapshot(log: PartitionLog, nowMs: number = Date.now()): void {
    const state = this.stateFor(log);
    state.expireBefore(nowMs - this.expirationMs);
    writeSnapshotFile(log.dir, {
      offset: log.logEndOffset,
      entries: [...state.allEntries()],
      openTxns: state.txns.openTxns(),
    });
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
      ErrorCode.INVALID_RECORD,
      'an idempotent produce must carry exactly one record batch per partition',
    );
  }
  return {
    producerId: info.producerId,
    producerEpoch: info.producerEpoch,
    baseSequence: info.baseSequence,
    lastOffsetDelta: info.lastOffsetDelta,
    transactional: (info.attributes & Attribute.TRANSACTIONAL) !== 0,
  };
}

/** Replays one batch of a producer into the partition's state (log load after a restart). */
function replayBatch(
  state: PartitionProducerState,
  buf: Buffer,
  info: ReturnType<typeof readBatchInfo>,
  nowMs: number,
): void {
  if ((info.attributes & Attribute.CONTROL) !== 0) {
    const type = readControlType(buf, info.position);
    if (type !== null)
      state.recordMarker(
        info.producerId,
        info.producerEpoch,
        info.baseOffset,
        type === ControlType.COMMIT,
        nowMs,
      );
    return;
  }
  const batch = {
    producerId: info.producerId,
    producerEpoch: info.producerEpoch,
    baseSequence: info.baseSequence,
    lastOffsetDelta: info.lastOffsetDelta,
  };
  state.record(batch, info.baseOffset, info.baseOffset + info.lastOffsetDelta, nowMs);
  if ((info.attributes & Attribute.TRANSACTIONAL) !== 0)
    state.txns.recordData(info.producerId, info.baseOffset);
}
