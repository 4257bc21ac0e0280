/**
 * The log cleaner: compacts partitions of topics whose cleanup.policy includes
 * "compact", keeping only the latest record of every key.
 *
 * For each such partition it looks at the non-active segments old enough for
 * min.compaction.lag.ms (the active segment is never touched), and when enough
 * of them is new since the last pass (min.cleanable.dirty.ratio) or a kept
 * tombstone has reached delete.retention.ms, it:
 *  1. maps every key to the offset of its latest record in those segments;
 *  2. rewrites each segment into `<segment>.log.cleaned` without the records
 *     that are superseded, keyless, or tombstones older than delete.retention.ms
 *     (by record timestamp); untouched batches are copied byte for byte, the
 *     others rebuilt with their original offsets, timestamps and producer fields;
 *  3. fsyncs the copy and has PartitionLog.replaceSegment swap it in.
 * Offsets stay as they were: the log simply has gaps afterwards.
 *
 * The work is synchronous per segment and yields to the event loop between
 * segments, so produce and fetch keep being served during a long pass.
 */
import fs from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ErrorCode } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';
import type { LogManager } from '../log-manager.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { InactiveSegment, PartitionLog } from '../partition-log.ts';
import { BatchField, LOG_OVERHEAD } from '../record-batch.ts';
import type { TopicConfig } from '../topic-config.ts';
import { readRawBatch, rebuildBatch } from './batch-records.ts';
import type { RawRecord } from './batch-records.ts';
import { TxnCleaning } from './txn-cleaning.ts';

/** Kafka's log.cleaner.backoff.ms default. */
export const DEFAULT_CLEANER_BACKOFF_MS = 15_000;
export const CLEANED_SUFFIX = '.cleaned';
const READ_WINDOW = 8 * 1024 * 1024;

export function compacts(config: Readonly<TopicConfig>): boolean {
  return config.cleanupPolicy.split(',').includes('compact');
}

export interface LogCleanerOptions {
  logs: LogManager;
  /** Pause between passes (log.cleaner.backoff.ms); null: no background passes, only runCompaction(). */
  backoffMs?: number | null;
  logger?: Logger;
  /**
   * Called before a partition's segments are rewritten. The broker snapshots
   * the partition's producer state here: compaction may remove batches a
   * later replay of the log would need to recognise retried produces.
   */
  beforeRewrite?: (log: PartitionLog) => void;
  /**
   * The partition's transactions and producers, as Kafka's cleaner uses them: nothing at or above
   * the last stable offset is compacted (an open transaction may still abort), and each tracked
   * producer's last batch stays (txn-cleaning.ts has the rules for aborted data and markers).
   */
  transactions?: CleanerTransactions;
  now?: () => number;
}

export interface CleanerTransactions {
  lastStableOffset(log: PartitionLog): number;
  /** The last offset of each producer's last batch, for the producers the broker tracks. */
  producerLastOffsets(log: PartitionLog): ReadonlyMap<number, number>;
}

export interface CompactionOptions {
  /** Clean even when the dirty ratio is below min.cleanable.dirty.ratio (tests, admin tools). */
  force?: boolean;
  nowMs?: number;
}

export interface CompactionStats {
  partitionsCleaned: number;
  segmentsRewritten: number;
  /** Segments left empty by compaction, and so removed. */
  segmentsRemoved: number;
  recordsRemoved: number;
  tombstonesRemoved: number;
  /** Transaction markers removed (no batch of their transaction left, delete.retention.ms passed). */
  markersRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
}

interface CleanState {
  /** Segments with a base offset at or above this are dirty (written since the last pass). */
  dirtyFrom: number;
  /** Earliest time a kept tombstone or marker becomes removable (Infinity: none kept). */
  tombstoneDeadline: number;
  /** Markers with no batch of their transaction left: since when (txn-cleaning.ts). */
  markerClearSince: Map<number, number>;
}

function emptyStats(): CompactionStats {
  return {
    partitionsCleaned: 0,
    segmentsRewritten: 0,
    segmentsRemoved: 0,
    recordsRemoved: 0,
    tombstonesRemoved: 0,
    markersRemoved: 0,
    bytesBefore: 0,
    bytesAfter: 0,
  };
}

export class LogCleaner {
  private readonly logs: LogManager;
  private readonly logger: Logger;
  private readonly beforeRewrite: ((log: PartitionLog) => void) | undefined;
  private readonly transactions: CleanerTransactions | undefined;
  private readonly now: () => number;
  private readonly state = new WeakMap<PartitionLog, CleanState>();
  /** Passes run one at a time, in request order. */
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(opts: LogCleanerOptions) {
    this.logs = opts.logs;
    this.logger = opts.logger ?? silentLogger;
    this.beforeRewrite = opts.beforeRewrite;
    this.transactions = opts.transactions;
    this.now = opts.now ?? Date.now;
    const backoff = opts.backoffMs === undefined ? DEFAULT_CLEANER_BACKOFF_MS : opts.backoffMs;
    if (backoff !== null && backoff > 0) this.schedule(backoff);
  }

  private schedule(backoffMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.runCompaction()
        .catch((err: unknown) => this.logger.error({ err }, 'log cleaner pass failed'))
        .finally(() => this.schedule(backoffMs));
    }, backoffMs);
    this.timer.unref();
  }

  /** One pass over every compacted partition. Resolves with what it removed. */
  runCompaction(options: CompactionOptions = {}): Promise<CompactionStats> {
    const run = this.queue.then(() => this.pass(options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops background passes (a pass in progress stops at its next segment). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async pass(options: CompactionOptions): Promise<CompactionStats> {
    const total = emptyStats();
    for (const topic of this.logs.listTopics()) {
      if (!compacts(topic.config)) continue;
      for (const log of this.logs.partitions(topic.name)) {
        if (this.closed) return total;
        try {
          const stats = await this.cleanPartition(log, options);
          if (!stats) continue;
          total.partitionsCleaned++;
          for (const k of Object.keys(stats) as Array<keyof CompactionStats>) {
            if (k !== 'partitionsCleaned') total[k] += stats[k];
          }
        } catch (err) {
          this.logger.error(
            { err, topic: log.topic, partition: log.partition },
            'compaction of a partition failed',
          );
        }
      }
    }
    return total;
  }

  private isCurrent(log: PartitionLog): boolean {
    return !this.closed && !log.isOffline && this.logs.partition(log.topic, log.partition) === log;
  }

  /**
   * Maps every key to the offset of its latest record outside aborted transactions; null when the
   * partition went away meanwhile. Without a producer-state source, the producers' last batches
   * are taken from these segments.
   */
  private async mapLatest(
    log: PartitionLog,
    cleanable: readonly InactiveSegment[],
    txn: TxnCleaning,
  ): Promise<Map<string, number> | null> {
    const latest = new Map<string, number>();
    const lastOffsets = this.transactions ? null : new Map<number, number>();
    for (const s of cleanable) {
      forEachBatch(s, (batch) => {
        const raw = readRawBatch(batch);
        if (raw.isControl) return;
        if (raw.producerId >= 0)
          lastOffsets?.set(raw.producerId, raw.baseOffset + raw.lastOffsetDelta);
        if (txn.isAborted(raw)) return;
        for (const r of raw.records) if (r.key) latest.set(r.key.toString('latin1'), r.offset);
      });
      await yieldToEventLoop();
      if (!this.isCurrent(log)) return null;
    }
    if (lastOffsets) txn.setProducerLastOffsets(lastOffsets);
    return latest;
  }

  /** Compacts one partition if it needs it; null when it was left alone. */
  async cleanPartition(
    log: PartitionLog,
    options: CompactionOptions = {},
  ): Promise<CompactionStats | null> {
    const cfg = log.config;
    if (!compacts(cfg) || log.isOffline) return null;
    const nowMs = options.nowMs ?? this.now();
    const stableEnd = this.transactions?.lastStableOffset(log) ?? Infinity;
    const cleanable = cleanableSegments(log.inactiveSegments(), cfg, nowMs).filter(
      (s) => s.nextOffset <= stableEnd,
    );
    if (cleanable.length === 0) return null;
    const st = this.state.get(log) ?? {
      dirtyFrom: 0,
      tombstoneDeadline: Infinity,
      markerClearSince: new Map<number, number>(),
    };
    if (!isDue(cleanable, st, cfg, nowMs, options.force === true)) return null;

    const started = performance.now();
    const last = cleanable[cleanable.length - 1]!;
    for (const offset of st.markerClearSince.keys())
      if (offset < cleanable[0]!.baseOffset) st.markerClearSince.delete(offset);
    const txn = new TxnCleaning({
      aborted: log.abortedTxnsIn(cleanable[0]!.baseOffset, last.nextOffset - 1),
      producerLastOffsets: this.transactions?.producerLastOffsets(log) ?? new Map(),
      markerClearSince: st.markerClearSince,
      nowMs,
      deleteRetentionMs: cfg.deleteRetentionMs,
    });
    const latest = await this.mapLatest(log, cleanable, txn);
    if (!latest) return null;

    this.beforeRewrite?.(log);
    const stats = emptyStats();
    const horizon = nowMs - cfg.deleteRetentionMs;
    let tombstoneDeadline = Infinity;
    const keep = (r: RawRecord): boolean => {
      if (!r.key || latest.get(r.key.toString('latin1')) !== r.offset) return false;
      if (r.value === null) {
        if (r.timestamp < horizon) {
          stats.tombstonesRemoved++;
          return false;
        }
        tombstoneDeadline = Math.min(tombstoneDeadline, r.timestamp + cfg.deleteRetentionMs + 1);
      }
      return true;
    };
    for (const s of cleanable) {
      if (!this.isCurrent(log)) return null;
      const cleanedPath = s.logPath + CLEANED_SUFFIX;
      const result = writeCleanedCopy(s, cleanedPath, keep, txn);
      stats.bytesBefore += s.size;
      stats.recordsRemoved += result.recordsRemoved;
      if (!result.changed) {
        fs.rmSync(cleanedPath, { force: true });
        stats.bytesAfter += s.size;
      } else if (log.replaceSegment(s.baseOffset, cleanedPath, nowMs)) {
        stats.bytesAfter += result.bytes;
        if (result.bytes === 0) stats.segmentsRemoved++;
        else stats.segmentsRewritten++;
      }
      await yieldToEventLoop();
    }
    stats.markersRemoved = txn.markersRemoved;
    this.state.set(log, {
      dirtyFrom: last.baseOffset + 1,
      tombstoneDeadline: Math.min(tombstoneDeadline, txn.markerDeadline),
      markerClearSince: st.markerClearSince,
    });
    this.logger.info(
      {
        topic: log.topic,
        partition: log.partition,
        keys: latest.size,
        ...stats,
        ms: Math.round(performance.now() - started),
      },
      'compacted partition',
    );
    return stats;
  }
}

/** Whether a partition is due: enough dirty data, overdue data, or a tombstone/marker to remove. */
function isDue(
  cleanable: readonly InactiveSegment[],
  st: CleanState,
  cfg: Readonly<TopicConfig>,
  nowMs: number,
  force: boolean,
): boolean {
  let dirtyBytes = 0;
  let totalBytes = 0;
  for (const s of cleanable) {
    totalBytes += s.size;
    if (s.baseOffset >= st.dirtyFrom) dirtyBytes += s.size;
  }
  // max.compaction.lag.ms: dirty data older than the lag is cleaned whatever the dirty ratio.
  const firstDirty = cleanable.find((s) => s.baseOffset >= st.dirtyFrom);
  const overdue =
    firstDirty !== undefined &&
    firstDirty.firstTimestamp >= 0 &&
    nowMs - firstDirty.firstTimestamp >= cfg.maxCompactionLagMs;
  return (
    force ||
    overdue ||
    (dirtyBytes > 0 && dirtyBytes / totalBytes >= cfg.minCleanableDirtyRatio) ||
    st.tombstoneDeadline <= nowMs
  );
}

/**
 * The non-active segments compaction may touch: the oldest ones up to the
 * first whose newest record is younger than min.compaction.lag.ms.
 */
export function cleanableSegments(
  segments: readonly InactiveSegment[],
  cfg: Readonly<TopicConfig>,
  nowMs: number,
): InactiveSegment[] {
  const out: InactiveSegment[] = [];
  for (const s of segments) {
    if (cfg.minCompactionLagMs > 0 && s.maxTimestamp > nowMs - cfg.minCompactionLagMs) break;
    if (s.size > 0) out.push(s);
  }
  return out;
}

/** Calls `visit` with every whole batch of a non-active segment, reading it in large windows. */
function forEachBatch(segment: InactiveSegment, visit: (batch: Buffer) => void): void {
  const fd = fs.openSync(segment.logPath, 'r');
  try {
    let pos = 0;
    while (pos < segment.size) {
      const want = Math.min(READ_WINDOW, segment.size - pos);
      let window = Buffer.allocUnsafe(want);
      let got = fs.readSync(fd, window, 0, want, pos);
      let at = 0;
      while (at + LOG_OVERHEAD <= got) {
        const size = window.readInt32BE(at + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
        if (at + size > got) {
          if (at > 0) break;
          // A batch larger than the window: read it whole.
          window = Buffer.allocUnsafe(size);
          got = fs.readSync(fd, window, 0, size, pos);
          if (got < size)
            throw new StorageError(
              ErrorCode.CORRUPT_MESSAGE,
              `truncated batch in ${segment.logPath}`,
            );
        }
        visit(window.subarray(at, at + size));
        at += size;
      }
      if (at === 0)
        throw new StorageError(
          ErrorCode.CORRUPT_MESSAGE,
          `unreadable batch at byte ${pos} of ${segment.logPath}`,
        );
      pos += at;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the compacted copy of a segment and fsyncs it. */
function writeCleanedCopy(
  segment: InactiveSegment,
  cleanedPath: string,
  keep: (r: RawRecord) => boolean,
  txn: TxnCleaning,
): { changed: boolean; bytes: number; recordsRemoved: number } {
  const fd = fs.openSync(cleanedPath, 'w');
  let bytes = 0;
  let recordsRemoved = 0;
  let changed = false;
  try {
    const write = (b: Buffer): void => {
      let off = 0;
      while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off, bytes + off);
      bytes += b.length;
    };
    forEachBatch(segment, (batch) => {
      const raw = readRawBatch(batch);
      if (raw.isControl) {
        if (txn.keepControl(raw, batch)) write(batch);
        else changed = true;
        return;
      }
      const kept = txn.isAborted(raw) ? [] : raw.records.filter(keep);
      recordsRemoved += raw.records.length - kept.length;
      if (kept.length === raw.records.length) write(batch);
      else if (kept.length > 0 || txn.keepsEmpty(raw)) write(rebuildBatch(batch, kept));
      if (kept.length > 0 || txn.keepsEmpty(raw)) txn.batchKept(raw);
      if (kept.length !== raw.records.length) changed = true;
    });
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(cleanedPath, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return { changed, bytes, recordsRemoved };
}
