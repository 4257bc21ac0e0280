/**
 * One log segment: `<base>.log` (batches exactly as produced, base offsets
 * patched), `<base>.index` and `<base>.timeindex`, named by the 20-digit
 * zero-padded base offset. Files stay open; all I/O is positional and
 * synchronous. Index bookkeeping goes through one function (`track`) used by
 * both appends and recovery, so a rebuilt index is byte-identical to one
 * written live and can be compared with what is on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { storageIoError } from './errors.ts';
import { readFully, writeFully, type FileIo } from './file-io.ts';
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index.ts';
import {
  BatchField,
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  readInt64,
  type BatchInfo,
} from './record-batch.ts';
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index.ts';
import { SegmentTxnIndex } from './txn-index.ts';
import {
  MAX_REL_OFFSET,
  firstRecordFrom,
  maxRecordIn,
  readBatchHeader,
  walkBatches,
} from './segment-batches.ts';
import { readWhole, segmentFileName } from './segment-files.ts';

export { parseSegmentFileName, segmentFileName } from './segment-files.ts';

const PENDING_INDEX_ENTRIES = 64;

export interface LoadResult {
  segment: LogSegment;
  /** Bytes cut from a torn or corrupt tail (0 when intact). */
  truncatedBytes: number;
  /** Whether .index/.timeindex had to be rewritten. */
  rebuiltIndexes: boolean;
}

export class LogSegment {
  readonly baseOffset: number;
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;
  /** Aborted transactions whose marker is in this segment (`<base>.txnindex`, loaded by the partition log). */
  readonly txnIndex: SegmentTxnIndex;
  private readonly io: FileIo;
  private logFd: number;
  private indexFd: number;
  private timeFd: number;
  private offsetIndex = new OffsetIndex();
  private timeIndex = new TimeIndex();
  private bytesSinceIndex = 0;
  /** Bytes of valid data in the .log file. */
  size = 0;
  /** Offset after the last batch (baseOffset when empty). */
  nextOffset: number;
  /** Largest batch maxTimestamp, -1 when none. */
  maxTimestamp = -1;
  /** Last offset of the batch holding maxTimestamp. */
  offsetOfMaxTimestamp = -1;
  /** maxTimestamp of the first batch (drives segment.ms rolling), -1 when none. */
  firstBatchTimestamp = -1;
  /** Wall time the segment was created (or loaded, when it was empty). */
  createdMs: number;
  /** Written since the last fsync. */
  dirty = false;
  /** A failed append could not be undone: the files no longer match memory. */
  broken = false;
  /**
   * Index entries already in the .index/.timeindex files. Newer entries are
   * written in groups (one syscall per PENDING_INDEX_ENTRIES instead of two per
   * append) and always before an fsync, a seal or a close; after a crash the
   * files hold a consistent prefix, which recovery extends or rebuilds.
   */
  private offsetEntriesOnDisk = 0;
  private timeEntriesOnDisk = 0;
  private closed = false;

  private constructor(
    dir: string,
    baseOffset: number,
    io: FileIo,
    fds: [number, number, number],
    createdMs: number,
  ) {
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    this.indexPath = path.join(dir, segmentFileName(baseOffset, '.index'));
    this.timeIndexPath = path.join(dir, segmentFileName(baseOffset, '.timeindex'));
    this.txnIndex = new SegmentTxnIndex(
      path.join(dir, segmentFileName(baseOffset, '.txnindex')),
      io,
    );
    this.io = io;
    [this.logFd, this.indexFd, this.timeFd] = fds;
    this.createdMs = createdMs;
  }

  /** Creates an empty segment (truncating leftovers with the same base offset). */
  static create(dir: string, baseOffset: number, io: FileIo, nowMs: number): LogSegment {
    const fds: number[] = [];
    try {
      for (const ext of ['.log', '.index', '.timeindex'] as const) {
        fds.push(fs.openSync(path.join(dir, segmentFileName(baseOffset, ext)), 'w+'));
      }
      // An empty aborted-transaction index: a missing one means "rebuild me" at the next load.
      fs.closeSync(fs.openSync(path.join(dir, segmentFileName(baseOffset, '.txnindex')), 'w'));
    } catch (err) {
      for (const fd of fds) fs.closeSync(fd);
      throw storageIoError(`cannot create segment ${baseOffset} in ${dir}`, err);
    }
    return new LogSegment(dir, baseOffset, io, fds as [number, number, number], nowMs);
  }

  /**
   * Opens an existing segment. `verify` (after an unclean shutdown) checks every
   * batch's length and CRC and cuts a torn/corrupt tail; otherwise the indexes
   * are trusted when consistent and only the tail after the last index entry
   * is walked. Indexes are rewritten only when missing or inconsistent.
   */
  static load(
    dir: string,
    baseOffset: number,
    io: FileIo,
    opts: { verify: boolean; indexIntervalBytes: number; nowMs: number },
  ): LoadResult {
    const logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    const fds: number[] = [];
    try {
      fds.push(fs.openSync(logPath, 'r+'));
      for (const ext of ['.index', '.timeindex'] as const) {
        const p = path.join(dir, segmentFileName(baseOffset, ext));
        fds.push(fs.openSync(p, fs.existsSync(p) ? 'r+' : 'w+'));
      }
    } catch (err) {
      for (const fd of fds) fs.closeSync(fd);
      throw storageIoError(`cannot open segment ${logPath}`, err);
    }
    const stat = fs.fstatSync(fds[0]!);
    const seg = new LogSegment(
      dir,
      baseOffset,
      io,
      fds as [number, number, number],
      stat.size > 0 ? stat.mtimeMs : opts.nowMs,
    );
    const fileSize = stat.size;
    try {
      if (!opts.verify && seg.loadTrusted(fileSize, opts.indexIntervalBytes)) {
        return { segment: seg, truncatedBytes: 0, rebuiltIndexes: false };
      }
      return seg.recover(fileSize, opts.verify, opts.indexIntervalBytes);
    } catch (err) {
      seg.close();
      throw err;
    }
  }

  /** Uses the on-disk indexes if consistent; false when a full walk is needed. */
  private loadTrusted(fileSize: number, interval: number): boolean {
    const offsetIndex = OffsetIndex.parse(readWhole(this.indexFd), fileSize);
    if (!offsetIndex) return false;
    const timeIndex = TimeIndex.parse(readWhole(this.timeFd), MAX_REL_OFFSET);
    if (!timeIndex) return false;
    const lastPos = offsetIndex.lastPosition();
    let from = 0;
    if (lastPos >= 0) {
      const header = readFully(this.logFd, lastPos, LOG_OVERHEAD);
      if (header.length < LOG_OVERHEAD) return false;
      if (readInt64(header, 0) - this.baseOffset !== offsetIndex.relOffsetAt(offsetIndex.count - 1))
        return false;
      from = lastPos;
    }
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.offsetEntriesOnDisk = offsetIndex.count;
    this.timeEntriesOnDisk = timeIndex.count;
    if (timeIndex.count > 0) {
      this.maxTimestamp = timeIndex.lastTimestamp();
      this.offsetOfMaxTimestamp = this.baseOffset + timeIndex.lastRelOffset();
    }
    this.size = from;
    if (from > 0)
      this.nextOffset = this.baseOffset + offsetIndex.relOffsetAt(offsetIndex.count - 1);
    const walk = walkBatches(
      this.logFd,
      {
        from,
        end: fileSize,
        verify: false,
        minOffset: this.nextOffset,
        baseOffset: this.baseOffset,
      },
      (h) => this.track(h.position, h.size, h.baseOffset, h.lastOffset, h.maxTimestamp, interval),
    );
    if (walk.problem !== null || walk.validEnd !== fileSize) return false;
    if (timeIndex.count > 0 && timeIndex.lastRelOffset() >= this.nextOffset - this.baseOffset)
      return false;
    this.readFirstBatchTimestamp();
    return true;
  }

  /** Walks the whole file, rebuilding the indexes in memory; cuts an invalid tail. */
  private recover(fileSize: number, verify: boolean, interval: number): LoadResult {
    this.offsetIndex = new OffsetIndex();
    this.timeIndex = new TimeIndex();
    this.bytesSinceIndex = 0;
    this.size = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    const walk = walkBatches(
      this.logFd,
      { from: 0, end: fileSize, verify, minOffset: this.nextOffset, baseOffset: this.baseOffset },
      (h) => this.track(h.position, h.size, h.baseOffset, h.lastOffset, h.maxTimestamp, interval),
    );
    let truncatedBytes = 0;
    if (walk.validEnd < fileSize) {
      truncatedBytes = fileSize - walk.validEnd;
      try {
        fs.ftruncateSync(this.logFd, walk.validEnd);
      } catch (err) {
        throw storageIoError(`cannot truncate ${this.logPath}`, err);
      }
    }
    let rebuiltIndexes = false;
    for (const [fd, image] of [
      [this.indexFd, this.offsetIndex.serialize()],
      [this.timeFd, this.timeIndex.serialize()],
    ] as const) {
      if (!readWhole(fd).equals(image)) {
        rebuiltIndexes = true;
        try {
          fs.ftruncateSync(fd, 0);
          writeFully(this.io, fd, image, 0);
        } catch (err) {
          throw storageIoError(`cannot rewrite index of ${this.logPath}`, err);
        }
      }
    }
    this.offsetEntriesOnDisk = this.offsetIndex.count;
    this.timeEntriesOnDisk = this.timeIndex.count;
    this.readFirstBatchTimestamp();
    // Recovered data may sit only in the page cache (process crash): make the next flush fsync it.
    this.dirty = true;
    return { segment: this, truncatedBytes, rebuiltIndexes };
  }

  private readFirstBatchTimestamp(): void {
    if (this.size < BATCH_HEADER_SIZE) return;
    const header = readFully(this.logFd, 0, BATCH_HEADER_SIZE);
    this.firstBatchTimestamp = readInt64(header, BatchField.MAX_TIMESTAMP);
  }

  /**
   * Accounts one batch at `position`: sparse index entries every
   * `interval` bytes, a time-index entry with each offset-index entry when the
   * max timestamp grew, and the running LEO/size/max timestamp.
   */
  private track(
    position: number,
    size: number,
    baseOffset: number,
    lastOffset: number,
    maxTs: number,
    interval: number,
  ): void {
    let indexed = false;
    if (this.bytesSinceIndex > interval) {
      this.offsetIndex.add(baseOffset - this.baseOffset, position);
      this.bytesSinceIndex = 0;
      indexed = true;
    }
    this.bytesSinceIndex += size;
    if (maxTs > this.maxTimestamp) {
      this.maxTimestamp = maxTs;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (indexed && this.maxTimestamp > this.timeIndex.lastTimestamp()) {
      this.timeIndex.add(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
    }
    if (position === 0) this.firstBatchTimestamp = maxTs;
    this.nextOffset = lastOffset + 1;
    this.size = position + size;
  }

  /** True when `lastOffset` can still be indexed relative to this segment's base. */
  canHoldOffset(lastOffset: number): boolean {
    return lastOffset - this.baseOffset <= MAX_REL_OFFSET;
  }

  /**
   * Appends validated batches (base offsets already assigned; `batches[i]`
   * positions are relative to `records`). On any I/O failure the files are cut
   * back to their previous sizes, memory state is restored, and a
   * KAFKA_STORAGE_ERROR is thrown. If even that fails, the error says so and
   * the caller must take the log offline.
   */
  append(records: Buffer, batches: readonly BatchInfo[], interval: number): void {
    const start = this.size;
    const saved = {
      offsetCount: this.offsetIndex.count,
      timeCount: this.timeIndex.count,
      bytesSinceIndex: this.bytesSinceIndex,
      nextOffset: this.nextOffset,
      maxTimestamp: this.maxTimestamp,
      offsetOfMaxTimestamp: this.offsetOfMaxTimestamp,
      firstBatchTimestamp: this.firstBatchTimestamp,
    };
    for (const b of batches) {
      this.track(
        start + b.position,
        b.size,
        b.baseOffset,
        b.baseOffset + b.lastOffsetDelta,
        b.maxTimestamp,
        interval,
      );
    }
    try {
      this.dirty = true;
      writeFully(this.io, this.logFd, records, start);
    } catch (err) {
      this.offsetIndex.truncateToCount(saved.offsetCount);
      this.timeIndex.truncateToCount(saved.timeCount);
      Object.assign(this, saved);
      this.size = start;
      if (!this.cutFiles(start)) this.broken = true;
      throw storageIoError(
        `append to ${this.logPath} failed${this.broken ? ' and could not be rolled back' : ''}`,
        err,
      );
    }
    if (
      this.offsetIndex.count - this.offsetEntriesOnDisk >= PENDING_INDEX_ENTRIES ||
      this.timeIndex.count - this.timeEntriesOnDisk >= PENDING_INDEX_ENTRIES
    ) {
      try {
        this.writePendingIndexEntries();
      } catch {
        // The append itself is durable in the page cache; the index is derived
        // data and is retried on the next write, flush or close (and rebuilt by recovery).
      }
    }
  }

  /** Writes index entries not yet in the files. On failure the files are cut back to their written prefix. */
  writePendingIndexEntries(): void {
    if (this.closed) return;
    const fromOffsetEntry = this.offsetEntriesOnDisk;
    const fromTimeEntry = this.timeEntriesOnDisk;
    try {
      this.writeIndexEntries(fromOffsetEntry, fromTimeEntry);
    } catch (err) {
      try {
        fs.ftruncateSync(this.indexFd, fromOffsetEntry * OFFSET_INDEX_ENTRY_SIZE);
        fs.ftruncateSync(this.timeFd, fromTimeEntry * TIME_INDEX_ENTRY_SIZE);
      } catch {
        // A partial entry makes the file length invalid: the next load rebuilds it.
      }
      throw storageIoError(`cannot write the index of ${this.logPath}`, err);
    }
    this.offsetEntriesOnDisk = this.offsetIndex.count;
    this.timeEntriesOnDisk = this.timeIndex.count;
    this.dirty = true;
  }

  private writeIndexEntries(fromOffsetEntry: number, fromTimeEntry: number): void {
    const nOff = this.offsetIndex.count - fromOffsetEntry;
    if (nOff > 0) {
      const buf = Buffer.allocUnsafe(nOff * OFFSET_INDEX_ENTRY_SIZE);
      for (let i = 0; i < nOff; i++) {
        const e = fromOffsetEntry + i;
        OffsetIndex.encodeEntry(
          buf,
          i * OFFSET_INDEX_ENTRY_SIZE,
          this.offsetIndex.relOffsetAt(e),
          this.offsetIndex.positionAt(e),
        );
      }
      writeFully(this.io, this.indexFd, buf, fromOffsetEntry * OFFSET_INDEX_ENTRY_SIZE);
    }
    const nTime = this.timeIndex.count - fromTimeEntry;
    if (nTime > 0) {
      writeFully(
        this.io,
        this.timeFd,
        this.timeIndex.serialize(fromTimeEntry),
        fromTimeEntry * TIME_INDEX_ENTRY_SIZE,
      );
    }
  }

  /** Cuts the log back to `logSize` (index entries of a failed append were never written); false if that failed too. */
  private cutFiles(logSize: number): boolean {
    try {
      fs.ftruncateSync(this.logFd, logSize);
      return true;
    } catch {
      return false;
    }
  }

  /** Position of the first batch whose last offset is >= `offset`, or -1 if this segment has none. */
  findBatchPosition(offset: number): number {
    if (offset >= this.nextOffset) return -1;
    let pos = offset <= this.baseOffset ? 0 : this.offsetIndex.lookup(offset - this.baseOffset);
    while (pos < this.size) {
      const h = readBatchHeader(this.logFd, this.size, pos);
      if (!h) return -1;
      if (h.lastOffset >= offset) return pos;
      pos += h.size;
    }
    return -1;
  }

  /** Whether a batch starts at `offset` (an abort marker the cleaner may have removed). */
  hasBatchAt(offset: number): boolean {
    const pos = this.findBatchPosition(offset);
    return pos >= 0 && readBatchHeader(this.logFd, this.size, pos)?.baseOffset === offset;
  }

  /**
   * Whole batches starting at `position`, at most `maxBytes` of them; with
   * `minOneBatch` at least the first batch even when it is larger.
   * One positional read (two when the first batch exceeds maxBytes).
   */
  read(position: number, maxBytes: number, minOneBatch: boolean): Buffer {
    const available = this.size - position;
    if (available <= 0) return Buffer.alloc(0);
    const buf =
      maxBytes > 0
        ? readFully(this.logFd, position, Math.min(maxBytes, available))
        : Buffer.alloc(0);
    let end = 0;
    while (end + LOG_OVERHEAD <= buf.length) {
      const size = buf.readInt32BE(end + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
      if (end + size > buf.length) break;
      end += size;
    }
    if (end > 0) return end === buf.length ? buf : buf.subarray(0, end);
    if (!minOneBatch) return Buffer.alloc(0);
    const header = readFully(this.logFd, position, LOG_OVERHEAD);
    const size = header.readInt32BE(BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
    return readFully(this.logFd, position, Math.min(size, available));
  }

  /**
   * The first record at or after `minOffset` with timestamp >= `timestamp`:
   * exact for uncompressed, gzip and zstd batches; for snappy/lz4 batches
   * (which storage cannot decompress) the batch's first eligible offset and
   * its max timestamp.
   */
  findTimestamp(timestamp: number, minOffset = 0): { offset: number; timestamp: number } | null {
    if (this.maxTimestamp < timestamp || minOffset >= this.nextOffset) return null;
    const rel = this.timeIndex.lookupBefore(timestamp);
    const byTime = rel < 0 ? 0 : this.offsetIndex.lookup(rel);
    const byOffset =
      minOffset <= this.baseOffset ? 0 : this.offsetIndex.lookup(minOffset - this.baseOffset);
    let pos = Math.max(byTime, byOffset);
    while (pos < this.size) {
      const h = readBatchHeader(this.logFd, this.size, pos);
      if (!h) return null;
      if (h.maxTimestamp >= timestamp && h.lastOffset >= minOffset) {
        const found = firstRecordFrom(this.logFd, h, timestamp, minOffset);
        if (found) return found;
      }
      pos += h.size;
    }
    return null;
  }

  /**
   * The first record with the largest timestamp among records at or after
   * `minOffset`. Uses the tracked maximum when the whole segment counts;
   * otherwise (DeleteRecords moved the start into this segment) walks it.
   */
  maxTimestampRecord(minOffset = 0): { offset: number; timestamp: number } | null {
    if (this.maxTimestamp < 0 || minOffset >= this.nextOffset) return null;
    if (minOffset <= this.baseOffset) return this.findTimestamp(this.maxTimestamp, minOffset);
    let pos = this.findBatchPosition(minOffset);
    if (pos < 0) return null;
    let best: { offset: number; timestamp: number } | null = null;
    while (pos < this.size) {
      const h = readBatchHeader(this.logFd, this.size, pos);
      if (!h) break;
      if (!best || h.maxTimestamp > best.timestamp) {
        const found =
          h.baseOffset >= minOffset
            ? firstRecordFrom(this.logFd, h, h.maxTimestamp, minOffset)
            : maxRecordIn(this.logFd, h, minOffset);
        if (found && (!best || found.timestamp > best.timestamp)) best = found;
      }
      pos += h.size;
    }
    return best;
  }

  /** Adds a final time-index entry when the segment stops being active. */
  seal(): void {
    if (
      this.maxTimestamp > this.timeIndex.lastTimestamp() &&
      this.offsetOfMaxTimestamp >= this.baseOffset
    ) {
      this.timeIndex.add(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
    }
    try {
      this.writePendingIndexEntries();
    } catch {
      // Retried at flush/close; recovery rebuilds indexes in any case.
    }
  }

  flush(): void {
    if (this.closed) return;
    this.writePendingIndexEntries();
    this.txnIndex.flush();
    if (!this.dirty) return;
    try {
      fs.fsyncSync(this.logFd);
      fs.fsyncSync(this.indexFd);
      fs.fsyncSync(this.timeFd);
    } catch (err) {
      throw storageIoError(`fsync of ${this.logPath} failed`, err);
    }
    this.dirty = false;
  }

  /** Last modification time of the .log file (retention fallback when batches carry no timestamps). */
  lastModifiedMs(): number {
    return fs.fstatSync(this.logFd).mtimeMs;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.writePendingIndexEntries();
    } catch {
      // Recovery rebuilds what is missing.
    }
    this.closed = true;
    this.txnIndex.close();
    for (const fd of [this.logFd, this.indexFd, this.timeFd]) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already closed or invalid: nothing to release.
      }
    }
  }

  /** Removes the files of a segment that is not open. */
  static deleteFiles(dir: string, baseOffset: number): void {
    for (const ext of ['.log', '.index', '.timeindex', '.txnindex'] as const) {
      fs.rmSync(path.join(dir, segmentFileName(baseOffset, ext)), { force: true });
    }
  }

  /** Closes and removes the segment's files. */
  delete(): void {
    this.close();
    for (const p of [this.logPath, this.indexPath, this.timeIndexPath, this.txnIndex.path]) {
      try {
        fs.rmSync(p, { force: true });
      } catch (err) {
        throw storageIoError(`cannot delete ${p}`, err);
      }
    }
  }
}
