import type { PartitionLog } from '../storage/index.ts';
import { BatchField, decodeRecordBatch, readBatchInfo } from '../storage/record-batch.ts';

const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * ListOffsets MAX_TIMESTAMP (-3): the offset of the record with the largest timestamp (first one on ties).
 * There is no index for it, so the log is scanned batch header by batch header; only the winning batch
 * is decoded to find the exact record (falling back to its last offset when its codec is not readable here).
 */
export function maxTimestampOffset(
  log: PartitionLog,
): { offset: number; timestamp: number } | null {
  let best: { timestamp: number; buf: Buffer; pos: number; lastOffset: number } | null = null;
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const chunk = log.read(offset, SCAN_CHUNK_BYTES, true);
    if (chunk.length === 0) break;
    let pos = 0;
    let next = offset;
    while (pos + BatchField.RECORDS <= chunk.length) {
      const info = readBatchInfo(chunk, pos);
      if (pos + info.size > chunk.length) break;
      const lastOffset = info.baseOffset + info.lastOffsetDelta;
      if (info.recordCount > 0 && (best === null || info.maxTimestamp > best.timestamp)) {
        best = { timestamp: info.maxTimestamp, buf: chunk, pos, lastOffset };
      }
      next = lastOffset + 1;
      pos += info.size;
    }
    if (next <= offset) break;
    offset = next;
  }
  if (best === null) return null;
  try {
    const batch = decodeRecordBatch(best.buf, best.pos);
    const record = batch.records.find((r) => r.timestamp === best.timestamp);
    if (record) return { offset: record.offset, timestamp: best.timestamp };
  } catch {
    // Compressed with a codec this process cannot decode: the batch's last offset is the best answer.
  }
  return { offset: best.lastOffset, timestamp: best.timestamp };
}
