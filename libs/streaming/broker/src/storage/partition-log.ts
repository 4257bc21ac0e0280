/**
 * The log of one topic partition: an ordered list of segments, the last one
 * active. Appends assign offsets by patching batch headers and write the
 * producer's bytes once; reads return whole batches from one positional read.
 * Offsets and timestamps are JS numbers here (exact up to 2^53).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, readOffsetCheckpoint, writeOffsetCheckpoint } from './checkpoint.ts';
import { ErrorCode } from '../errors/index.ts';
import { StorageError, storageIoError } from './errors.ts';
import { defaultFileIo, type FileIo } from './file-io.ts';
import { silentLogger, type Logger } from './logger.ts';
import {
  patchBaseOffset,
  stampLogAppendTime,
  validateRecordBatches,
  type ValidateOptions,
} from './record-batch.ts';
import { LogSegment, parseSegmentFileName } from './segment.ts';
import { removeLeftovers } from './segment-files.ts';
import { deletesOldSegments, type TopicConfig } from './topic-config.ts';
import { drawRollJitter, maxSegmentMs } from './roll-schedule.ts';
import type { AbortedTxnEntry } from './txn-index.ts';
import { loadTxnIndexes } from './txn-index-load.ts';

export const LOG_START_OFFSET_FILE = 'log-start-offset';
export const RECOVERY_POINT_FILE = 'recovery-point';

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The broker time stamped on the batches for LogAppendTime topics, else -1. */
  logAppendTimeMs: number;
  recordCount: number;
}

export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  config: TopicConfig;
  /** True after a clean shutdown: trust the files instead of scanning them. */
  clean?: boolean;
  io?: FileIo;
  logger?: Logger;
  nowMs?: number;
  /** Called synchronously after each successful append. */
  onAppend?: (topic: string, partition: number) => void;
}

/** A non-active (immutable) segment as the log cleaner sees it. */
export interface InactiveSegment {
  baseOffset: number;
  nextOffset: number;
  size: number;
  maxTimestamp: number;
  /** The first batch's max timestamp (-1: none): how old the segment's data is, for compaction lag. */
  firstTimestamp: number;
  logPath: string;
}

export interface TimestampAndOffset {
  offset: number;
  timestamp: number;
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  private cfg: TopicConfig;
  private readonly io: FileIo;
  private readonly logger: Logger;
  private readonly onAppendCb: ((topic: string, partition: number) => void) | undefined;
  private segments: LogSegment[] = [];
  private startOffset = 0;
  private recoveryPoint = 0;
  /** Set after an I/O failure that could not be rolled back. */
  private offlineReason: string | null = null;
  /** The active segment's segment.jitter.ms draw (roll-schedule.ts). */
  private rollJitterMs: number;
  private closed = false;

  private constructor(opts: PartitionLogOptions) {
    this.topic = opts.topic;
    this.partition = opts.partition;
    this.dir = opts.dir;
    this.cfg = opts.config;
    this.rollJitterMs = drawRollJitter(this.cfg);
    this.io = opts.io ?? defaultFileIo;
    this.logger = opts.logger ?? silentLogger;
    this.onAppendCb = opts.onAppend;
  }

  /** Opens (creating if needed) the partition directory and recovers its segments. */
  static open(opts: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(opts);
    try {
      fs.mkdirSync(opts.dir, { recursive: true });
    } catch (err) {
      throw storageIoError(`cannot create partition directory ${opts.dir}`, err);
    }
    try {
      log.load(opts.clean ?? false, opts.nowMs ?? Date.now());
    } catch (err) {
      log.close();
      throw err instanceof StorageError
        ? err
        : storageIoError(`cannot open partition ${opts.dir}`, err);
    }
    return log;
  }

  private load(clean: boolean, nowMs: number): void {
    const names = fs.readdirSync(this.dir);
    const bases = names
      .map(parseSegmentFileName)
      .filter((b): b is number => b !== null)
      .sort((a, b) => a - b);
    removeLeftovers(this.dir, names, bases);
    const recoveryPoint = clean
      ? Infinity
      : (readOffsetCheckpoint(path.join(this.dir, RECOVERY_POINT_FILE)) ?? 0);
    const interval = this.cfg.indexIntervalBytes;
    let verified = false;
    let firstUnflushed = Infinity;
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const nextBase = bases[i + 1];
      // Only segments that may hold data at or after the recovery point can be torn.
      const verify = !clean && (nextBase === undefined || nextBase > recoveryPoint);
      verified ||= verify;
      if (verify) firstUnflushed = Math.min(firstUnflushed, i);
      const { segment, truncatedBytes, rebuiltIndexes } = LogSegment.load(this.dir, base, this.io, {
        verify,
        indexIntervalBytes: interval,
        nowMs,
      });
      this.segments.push(segment);
      if (rebuiltIndexes) this.logger.info({ segment: segment.logPath }, 'rebuilt segment indexes');
      if (truncatedBytes > 0) {
        this.logger.warn(
          { segment: segment.logPath, truncatedBytes, logEndOffset: segment.nextOffset },
          'truncated a torn or corrupt log tail',
        );
        // Anything after a corrupt batch cannot be trusted to continue the offset sequence.
        for (const later of bases.slice(i + 1)) LogSegment.deleteFiles(this.dir, later);
        break;
      }
    }
    // Drop empty non-active segments (e.g. a crash right after a roll left two).
    while (
      this.segments.length > 1 &&
      this.segments[this.segments.length - 1]!.size === 0 &&
      this.segments[this.segments.length - 2]!.size === 0
    ) {
      this.segments.pop()!.delete();
    }
    const checkpoint = readOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE));
    if (this.segments.length === 0) {
      this.segments.push(LogSegment.create(this.dir, checkpoint ?? 0, this.io, nowMs));
    }
    loadTxnIndexes(this.segments, firstUnflushed, this.logger);
    const leo = this.logEndOffset;
    this.startOffset = Math.min(Math.max(checkpoint ?? 0, this.segments[0]!.baseOffset), leo);
    if (verified) {
      // The scanned data is now known good: make it durable and move the recovery point.
      this.flush();
    } else {
      this.recoveryPoint = clean ? leo : recoveryPoint;
    }
  }

  get config(): TopicConfig {
    return this.cfg;
  }

  /** Applies changed topic configs (retention, segment size...) from the next operation on. */
  setConfig(config: TopicConfig): void {
    this.cfg = config;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  /** Single node: everything appended is committed. */
  get highWatermark(): number {
    return this.logEndOffset;
  }

  get sizeInBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first (diagnostics and tests). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  get isOffline(): boolean {
    return this.offlineReason !== null;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private ensureWritable(): void {
    if (this.closed)
      throw new StorageError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `partition ${this.topic}-${this.partition} is closed`,
      );
    if (this.offlineReason !== null) {
      throw new StorageError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `partition ${this.topic}-${this.partition} is offline after an unrecoverable I/O error (${this.offlineReason}); restart the broker to recover it`,
      );
    }
  }

  /**
   * Validates and appends a Produce `records` payload. The buffer's batch
   * headers are patched in place (base offsets; timestamps for LogAppendTime).
   */
  append(records: Buffer, nowMs: number, options: ValidateOptions = {}): AppendResult {
    this.ensureWritable();
    const cfg = this.cfg;
    const batches = validateRecordBatches(records, options);
    for (const b of batches) {
      if (b.size > cfg.maxMessageBytes) {
        throw new StorageError(
          ErrorCode.MESSAGE_TOO_LARGE,
          `record batch of ${b.size} bytes exceeds max.message.bytes ${cfg.maxMessageBytes}`,
        );
      }
    }
    if (records.length > cfg.segmentBytes) {
      throw new StorageError(
        ErrorCode.RECORD_LIST_TOO_LARGE,
        `${records.length} bytes of records exceed segment.bytes ${cfg.segmentBytes}`,
      );
    }
    let recordCount = 0;
    for (const b of batches) recordCount += b.lastOffsetDelta + 1;
    const firstOffset = this.logEndOffset;
    let incomingMaxTimestamp = -1;
    if (cfg.messageTimestampType === 'LogAppendTime') incomingMaxTimestamp = nowMs;
    else
      for (const b of batches)
        incomingMaxTimestamp = Math.max(incomingMaxTimestamp, b.maxTimestamp);
    this.maybeRoll(records.length, firstOffset + recordCount - 1, incomingMaxTimestamp, nowMs);

    let next = firstOffset;
    for (const b of batches) {
      patchBaseOffset(records, b.position, next);
      b.baseOffset = next;
      next += b.lastOffsetDelta + 1;
    }
    let logAppendTimeMs = -1;
    if (cfg.messageTimestampType === 'LogAppendTime') {
      logAppendTimeMs = nowMs;
      for (const b of batches) {
        stampLogAppendTime(records, b.position, b.size, nowMs);
        b.maxTimestamp = nowMs;
      }
    }
    const active = this.active;
    try {
      active.append(records, batches, cfg.indexIntervalBytes);
    } catch (err) {
      if (active.broken) this.offlineReason = err instanceof Error ? err.message : String(err);
      this.logger.error({ err, topic: this.topic, partition: this.partition }, 'append failed');
      throw err;
    }
    this.onAppendCb?.(this.topic, this.partition);
    return { baseOffset: firstOffset, lastOffset: next - 1, logAppendTimeMs, recordCount };
  }

  /**
   * Rolls before an append that would overflow segment.bytes or the int32
   * relative offsets, or once the segment is old enough (roll-schedule.ts). Like Kafka, age is the
   * incoming batches' timestamp minus the segment's first batch timestamp
   * (wall-clock age only when batches carry no timestamps), so replaying old
   * data does not produce one segment per append.
   */
  private maybeRoll(
    incomingBytes: number,
    lastOffset: number,
    incomingMaxTimestamp: number,
    nowMs: number,
  ): void {
    const active = this.active;
    if (active.size === 0) return;
    const age =
      active.firstBatchTimestamp >= 0 && incomingMaxTimestamp >= 0
        ? incomingMaxTimestamp - active.firstBatchTimestamp
        : nowMs - active.createdMs;
    if (
      active.size + incomingBytes > this.cfg.segmentBytes ||
      age >= maxSegmentMs(this.cfg) - this.rollJitterMs ||
      !active.canHoldOffset(lastOffset)
    ) {
      this.roll(nowMs);
    }
  }

  /** Starts a new active segment at the log end offset (no-op when the active one is empty). */
  roll(nowMs: number = Date.now()): void {
    this.ensureWritable();
    const active = this.active;
    if (active.size === 0) return;
    const segment = LogSegment.create(this.dir, this.logEndOffset, this.io, nowMs);
    active.seal();
    this.segments.push(segment);
    this.rollJitterMs = drawRollJitter(this.cfg);
    this.logger.debug(
      { topic: this.topic, partition: this.partition, baseOffset: segment.baseOffset },
      'rolled segment',
    );
  }

  /** Index of the last segment whose base offset is <= offset (0 if none). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Whole batches starting with the one containing `offset`, up to `maxBytes`
   * (at least one batch when `minOneBatch`). Empty at the log end offset.
   * Throws OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset].
   */
  read(offset: number, maxBytes: number, minOneBatch: boolean): Buffer {
    if (this.closed)
      throw new StorageError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `partition ${this.topic}-${this.partition} is closed`,
      );
    const leo = this.logEndOffset;
    if (offset < this.startOffset || offset > leo) {
      throw new StorageError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is outside [${this.startOffset}, ${leo}] of ${this.topic}-${this.partition}`,
      );
    }
    if (offset === leo) return Buffer.alloc(0);
    try {
      for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
        const seg = this.segments[i]!;
        const pos = seg.findBatchPosition(offset);
        if (pos >= 0) return seg.read(pos, maxBytes, minOneBatch);
      }
    } catch (err) {
      throw err instanceof StorageError
        ? err
        : storageIoError(`read of ${this.topic}-${this.partition} failed`, err);
    }
    return Buffer.alloc(0);
  }

  /** Indexes an aborted transaction in its abort marker's segment (throws StorageError). */
  appendAbortedTxn(entry: AbortedTxnEntry): void {
    this.ensureWritable();
    this.segments[this.segmentIndexFor(entry.lastOffset)]!.txnIndex.append(entry);
  }

  /** Aborted transactions with data in [from, upTo]: markers at/after `from`, so from its segment on. */
  abortedTxnsIn(fromOffset: number, upToOffset: number): AbortedTxnEntry[] {
    const out: AbortedTxnEntry[] = [];
    for (let i = this.segmentIndexFor(fromOffset); i < this.segments.length; i++)
      this.segments[i]!.txnIndex.collect(fromOffset, upToOffset, out);
    return out;
  }

  /**
   * The first record at or after `timestamp` that is still in the log, or null
   * when every record is older (ListOffsets then answers the log end).
   */
  offsetForTimestamp(timestamp: number): TimestampAndOffset | null {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < timestamp || seg.nextOffset <= this.startOffset) continue;
      const found = seg.findTimestamp(timestamp, this.startOffset);
      if (found) return found;
    }
    return null;
  }

  /**
   * The first record with the largest timestamp still in the log (ListOffsets
   * MAX_TIMESTAMP), null when the log is empty. Uses the per-segment maxima, so
   * it reads one batch rather than scanning the log.
   */
  maxTimestampRecord(): TimestampAndOffset | null {
    let best: TimestampAndOffset | null = null;
    for (const seg of this.segments) {
      if (seg.nextOffset <= this.startOffset || seg.maxTimestamp < 0) continue;
      // A segment's maximum only bounds what it holds at or after the start offset.
      if (best && seg.maxTimestamp <= best.timestamp) continue;
      const found = seg.maxTimestampRecord(this.startOffset);
      if (found && (!best || found.timestamp > best.timestamp)) best = found;
    }
    return best;
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (-1 = high
   * watermark), deletes segments wholly below it, and persists it. Returns the
   * new log start offset. Throws OFFSET_OUT_OF_RANGE beyond the high watermark.
   */
  deleteRecordsBefore(offset: number): number {
    this.ensureWritable();
    const target = offset === -1 ? this.highWatermark : offset;
    if (target < 0 || target > this.highWatermark) {
      throw new StorageError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `cannot delete records before ${offset}: high watermark is ${this.highWatermark}`,
      );
    }
    if (target <= this.startOffset) return this.startOffset;
    try {
      writeOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE), target);
    } catch (err) {
      throw storageIoError(
        `cannot persist log start offset of ${this.topic}-${this.partition}`,
        err,
      );
    }
    this.startOffset = target;
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= target) {
      this.segments.shift()!.delete();
    }
    return this.startOffset;
  }

  /**
   * Deletes whole segments beyond retention.ms (by their largest timestamp)
   * and while the partition exceeds retention.bytes; -1 disables each limit,
   * and topics whose cleanup.policy lacks "delete" are left alone. An expired
   * active segment is rolled first. Returns the number of segments deleted.
   */
  runRetention(nowMs: number = Date.now()): number {
    if (this.closed || this.offlineReason !== null || !deletesOldSegments(this.cfg)) return 0;
    const { retentionMs, retentionBytes } = this.cfg;
    let deleted = 0;
    const deleteFirst = (): void => {
      if (this.segments.length === 1) this.roll(nowMs);
      this.segments.shift()!.delete();
      deleted++;
    };
    if (retentionMs >= 0) {
      while (this.segments[0]!.size > 0) {
        const seg = this.segments[0]!;
        const largest = seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.lastModifiedMs();
        if (nowMs - largest <= retentionMs) break;
        deleteFirst();
      }
    }
    if (retentionBytes >= 0) {
      let excess = this.sizeInBytes - retentionBytes;
      while (this.segments[0]!.size > 0 && excess - this.segments[0]!.size >= 0) {
        excess -= this.segments[0]!.size;
        deleteFirst();
      }
    }
    if (deleted > 0) {
      this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
      this.logger.info(
        {
          topic: this.topic,
          partition: this.partition,
          deletedSegments: deleted,
          logStartOffset: this.startOffset,
        },
        'retention deleted segments',
      );
    }
    return deleted;
  }

  /** The non-active segments, oldest first. They never change, so the cleaner may read their files directly. */
  inactiveSegments(): InactiveSegment[] {
    return this.segments.slice(0, -1).map((s) => ({
      baseOffset: s.baseOffset,
      nextOffset: s.nextOffset,
      size: s.size,
      maxTimestamp: s.maxTimestamp,
      firstTimestamp: s.firstBatchTimestamp,
      logPath: s.logPath,
    }));
  }

  /**
   * Swaps in the compacted copy of non-active segment `baseOffset`, written
   * (and fsynced) by the cleaner at `cleanedPath` next to it. Crash-safe: the
   * old indexes are removed first, then one rename replaces the .log; a crash
   * before the rename leaves the original (and a `.cleaned` leftover that load
   * deletes), after it the new .log whose missing indexes load rebuilds. An
   * empty copy removes the segment. Returns false, discarding the copy, when
   * the segment is gone or has become active meanwhile.
   */
  replaceSegment(baseOffset: number, cleanedPath: string, nowMs: number = Date.now()): boolean {
    this.ensureWritable();
    const idx = this.segments.findIndex((s) => s.baseOffset === baseOffset);
    if (idx < 0 || idx === this.segments.length - 1) {
      fs.rmSync(cleanedPath, { force: true });
      return false;
    }
    const old = this.segments[idx]!;
    try {
      if (fs.statSync(cleanedPath).size === 0) {
        old.delete();
        fs.rmSync(cleanedPath, { force: true });
        this.segments.splice(idx, 1);
        this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
        return true;
      }
      const txnEntries = old.txnIndex.all();
      old.close();
      // Without its index the next load rebuilds it, from the data the cleaned copy still has.
      for (const p of [old.indexPath, old.timeIndexPath, old.txnIndex.path])
        fs.rmSync(p, { force: true });
      fs.renameSync(cleanedPath, old.logPath);
      fsyncDir(this.dir);
      const { segment } = LogSegment.load(this.dir, baseOffset, this.io, {
        verify: false,
        indexIntervalBytes: this.cfg.indexIntervalBytes,
        nowMs,
      });
      // An entry stays while its abort marker does (the cleaner keeps it while its data may remain).
      segment.txnIndex.rewrite(txnEntries.filter((e) => segment.hasBatchAt(e.lastOffset)));
      segment.seal();
      segment.flush();
      this.segments[idx] = segment;
    } catch (err) {
      // The files are consistent whatever step failed (see above), memory may not be: stop writing.
      this.offlineReason = err instanceof Error ? err.message : String(err);
      throw storageIoError(`cannot swap in the compacted segment ${baseOffset}`, err);
    }
    return true;
  }

  /** fsyncs written segments and records the recovery point (data below it needs no scan after a crash). */
  flush(): void {
    if (this.closed) return;
    for (const seg of this.segments) seg.flush();
    const leo = this.logEndOffset;
    if (leo !== this.recoveryPoint) {
      try {
        writeOffsetCheckpoint(path.join(this.dir, RECOVERY_POINT_FILE), leo);
      } catch (err) {
        throw storageIoError(`cannot write recovery point of ${this.topic}-${this.partition}`, err);
      }
      this.recoveryPoint = leo;
    }
  }

  /** Closes the files (without flushing: LogManager flushes before a clean shutdown). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const seg of this.segments) seg.close();
  }

  /** Closes the log and removes its directory. */
  deleteFiles(): void {
    this.close();
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch (err) {
      throw storageIoError(`cannot delete ${this.dir}`, err);
    }
  }
}
