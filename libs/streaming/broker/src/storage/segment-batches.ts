/**
 * Reading the batches of a segment's .log file by position: headers while walking it, records of
 * one batch when a timestamp look-up needs the exact record.
 */
import { readFully } from './file-io.ts';
import {
  Attribute,
  BATCH_HEADER_SIZE,
  BatchField,
  Compression,
  LOG_OVERHEAD,
  decodeRecordBatch,
  readInt64,
  checkBatchAt,
} from './record-batch.ts';

/** Bytes read per step while walking a file: one pread per several MiB. */
const SCAN_WINDOW = 8 * 1024 * 1024;
/** Offsets of a segment are indexed relative to its base offset as int32. */
export const MAX_REL_OFFSET = 2 ** 31 - 1;

export interface WalkResult {
  /** End of the last valid batch. */
  validEnd: number;
  /** Why the walk stopped before the end of the file, or null. */
  problem: string | null;
}

/** The batch header fields the segment needs while walking a file. */
export interface BatchHeaderView {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Reads the batch header fields needed to walk (base offset, size, last offset, max timestamp). */
export function readBatchHeader(
  fd: number,
  fileSize: number,
  position: number,
): BatchHeaderView | null {
  if (position + BATCH_HEADER_SIZE > fileSize) return null;
  const h = readFully(fd, position, BATCH_HEADER_SIZE);
  if (h.length < BATCH_HEADER_SIZE) return null;
  const baseOffset = readInt64(h, BatchField.BASE_OFFSET);
  return {
    position,
    size: h.readInt32BE(BatchField.BATCH_LENGTH) + LOG_OVERHEAD,
    baseOffset,
    lastOffset: baseOffset + h.readInt32BE(BatchField.LAST_OFFSET_DELTA),
    maxTimestamp: readInt64(h, BatchField.MAX_TIMESTAMP),
  };
}

/** The max-timestamp record of one batch among offsets >= minOffset. */
export function maxRecordIn(
  fd: number,
  h: BatchHeaderView,
  minOffset: number,
): { offset: number; timestamp: number } | null {
  try {
    let best: { offset: number; timestamp: number } | null = null;
    for (const r of decodeRecordBatch(readFully(fd, h.position, h.size)).records) {
      if (r.offset >= minOffset && (!best || r.timestamp > best.timestamp)) {
        best = { offset: r.offset, timestamp: r.timestamp };
      }
    }
    return best;
  } catch {
    return { offset: minOffset, timestamp: h.maxTimestamp };
  }
}

/**
 * The first record at or after `minOffset` with timestamp >= `timestamp` in one batch; for a batch
 * storage cannot decompress (snappy, lz4) or with log-append time, the batch-level answer.
 */
export function firstRecordFrom(
  fd: number,
  h: BatchHeaderView,
  timestamp: number,
  minOffset: number,
): { offset: number; timestamp: number } | null {
  const batch = readFully(fd, h.position, h.size);
  const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
  const codec = attributes & Attribute.COMPRESSION_MASK;
  const decodable =
    codec === Compression.NONE || codec === Compression.GZIP || codec === Compression.ZSTD;
  if (decodable && (attributes & Attribute.LOG_APPEND_TIME) === 0) {
    try {
      for (const r of decodeRecordBatch(batch).records) {
        if (r.offset >= minOffset && r.timestamp >= timestamp) {
          return { offset: r.offset, timestamp: r.timestamp };
        }
      }
      return null;
    } catch {
      // Fall through to the batch-level answer.
    }
  }
  return { offset: Math.max(h.baseOffset, minOffset), timestamp: h.maxTimestamp };
}

/**
 * Walks the batches of a .log file from `from` to `end`, calling `visit` for each valid one.
 * With `verify`, each batch's length, magic and CRC are checked; offsets must
 * always increase. Reads in large windows: one pread per several MiB.
 */
export function walkBatches(
  fd: number,
  range: { from: number; end: number; verify: boolean; minOffset: number; baseOffset: number },
  visit: (h: BatchHeaderView) => void,
): WalkResult {
  const { from, end, verify, baseOffset: segmentBase } = range;
  let window: Buffer = Buffer.alloc(0);
  let windowStart = 0;
  let pos = from;
  let expectedMin = range.minOffset;
  const ensure = (start: number, length: number): boolean => {
    if (start >= windowStart && start + length <= windowStart + window.length) return true;
    window = readFully(fd, start, Math.min(Math.max(SCAN_WINDOW, length), end - start));
    windowStart = start;
    return window.length >= length;
  };
  while (pos < end) {
    if (end - pos < BATCH_HEADER_SIZE || !ensure(pos, BATCH_HEADER_SIZE)) {
      return { validEnd: pos, problem: `torn batch header at byte ${pos}` };
    }
    let rel = pos - windowStart;
    const size = window.readInt32BE(rel + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
    const magic = window.readInt8(rel + BatchField.MAGIC);
    if (magic !== 2 || size < BATCH_HEADER_SIZE) {
      return { validEnd: pos, problem: `invalid batch header at byte ${pos}` };
    }
    if (pos + size > end) return { validEnd: pos, problem: `torn batch at byte ${pos}` };
    if (verify) {
      if (!ensure(pos, size)) return { validEnd: pos, problem: `torn batch at byte ${pos}` };
      rel = pos - windowStart;
      const problem = checkBatchAt(window, rel, rel + size);
      if (problem) return { validEnd: pos, problem: `batch at byte ${pos}: ${problem.reason}` };
    }
    const baseOffset = readInt64(window, rel + BatchField.BASE_OFFSET);
    const lastOffsetDelta = window.readInt32BE(rel + BatchField.LAST_OFFSET_DELTA);
    const lastOffset = baseOffset + lastOffsetDelta;
    if (
      baseOffset < expectedMin ||
      lastOffsetDelta < 0 ||
      lastOffset - segmentBase > MAX_REL_OFFSET
    ) {
      return { validEnd: pos, problem: `offset ${baseOffset} out of sequence at byte ${pos}` };
    }
    visit({
      position: pos,
      size,
      baseOffset,
      lastOffset,
      maxTimestamp: readInt64(window, rel + BatchField.MAX_TIMESTAMP),
    });
    expectedMin = lastOffset + 1;
    pos += size;
  }
  return { validEnd: pos, problem: null };
}
