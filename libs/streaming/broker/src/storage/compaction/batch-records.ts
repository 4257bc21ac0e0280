/**
 * Looks inside a stored batch record by record, and builds the smaller batch
 * that compaction keeps. Kept records are copied byte for byte: a v2 record
 * stores its offset and timestamp as deltas from the batch's base offset and
 * base timestamp, and the rebuilt batch keeps both bases (and lastOffsetDelta,
 * producer id, epoch and base sequence, as Kafka does), so every kept record
 * keeps its offset, timestamp, key, value and headers exactly.
 */
import { crc32c } from '../crc32c.ts';
import { ErrorCode } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';
import {
  Attribute,
  BATCH_HEADER_SIZE,
  BatchField,
  LOG_OVERHEAD,
  readInt64,
  writeInt64,
} from '../record-batch.ts';
import { readVarint, readVarlong } from '../varint.ts';
import type { Cursor } from '../varint.ts';
import { compressRecords, decompressRecords } from './codecs.ts';

export interface RawRecord {
  offset: number;
  timestamp: number;
  timestampDelta: number;
  key: Buffer | null;
  /** null for a tombstone. */
  value: Buffer | null;
  /** The whole encoded record (length prefix included), reusable as is. */
  bytes: Buffer;
}

export interface RawBatch {
  baseOffset: number;
  lastOffsetDelta: number;
  attributes: number;
  codec: number;
  isControl: boolean;
  /** -1 for batches without a producer. */
  producerId: number;
  isTransactional: boolean;
  records: RawRecord[];
}

function skipBytesField(c: Cursor): Buffer | null {
  const len = readVarint(c);
  if (len < 0) return null;
  if (c.pos + len > c.buf.length) throw new RangeError('record field runs past the end');
  const b = c.buf as Buffer;
  const out = b.subarray(c.pos, c.pos + len);
  c.pos += len;
  return out;
}

/** Splits one whole batch (`batch` starts at its base offset field) into its records. */
export function readRawBatch(batch: Buffer): RawBatch {
  const attributes = batch.readInt16BE(BatchField.ATTRIBUTES);
  const codec = attributes & Attribute.COMPRESSION_MASK;
  const baseOffset = readInt64(batch, BatchField.BASE_OFFSET);
  const baseTimestamp = readInt64(batch, BatchField.BASE_TIMESTAMP);
  const maxTimestamp = readInt64(batch, BatchField.MAX_TIMESTAMP);
  const logAppendTime = (attributes & Attribute.LOG_APPEND_TIME) !== 0;
  const count = batch.readInt32BE(BatchField.RECORD_COUNT);
  const body = decompressRecords(codec, batch.subarray(BATCH_HEADER_SIZE));
  const records: RawRecord[] = [];
  const c: Cursor = { buf: body, pos: 0 };
  try {
    for (let i = 0; i < count; i++) {
      const start = c.pos;
      const length = readVarint(c);
      const end = c.pos + length;
      if (end > body.length) throw new RangeError('record runs past the end of the batch');
      c.pos += 1; // record attributes (unused in v2)
      const timestampDelta = readVarlong(c);
      const offsetDelta = readVarint(c);
      const key = skipBytesField(c);
      const value = skipBytesField(c);
      c.pos = end; // headers are carried inside `bytes`
      records.push({
        offset: baseOffset + offsetDelta,
        timestamp: logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta,
        timestampDelta,
        key,
        value,
        bytes: body.subarray(start, end),
      });
    }
  } catch (err) {
    if (err instanceof RangeError) {
      throw new StorageError(
        ErrorCode.CORRUPT_MESSAGE,
        `batch at offset ${baseOffset}: ${err.message}`,
      );
    }
    throw err;
  }
  return {
    baseOffset,
    lastOffsetDelta: batch.readInt32BE(BatchField.LAST_OFFSET_DELTA),
    attributes,
    codec,
    isControl: (attributes & Attribute.CONTROL) !== 0,
    producerId: readInt64(batch, BatchField.PRODUCER_ID),
    isTransactional: (attributes & Attribute.TRANSACTIONAL) !== 0,
    records,
  };
}

/**
 * The batch holding only `kept` (a subset of `original`'s records, in order),
 * compressed with the original codec. Header fields other than length, record
 * count, max timestamp (CreateTime) and CRC are copied from `original`. An empty
 * `kept` gives the empty batch that keeps a producer's last batch in the log:
 * uncompressed, its offsets, sequence and max timestamp unchanged.
 */
export function rebuildBatch(original: Buffer, kept: readonly RawRecord[]): Buffer {
  let attributes = original.readInt16BE(BatchField.ATTRIBUTES);
  if (kept.length === 0) attributes &= ~Attribute.COMPRESSION_MASK;
  const codec = attributes & Attribute.COMPRESSION_MASK;
  const body =
    kept.length === 0
      ? Buffer.alloc(0)
      : compressRecords(codec, Buffer.concat(kept.map((r) => r.bytes)));
  const out = Buffer.alloc(BATCH_HEADER_SIZE + body.length);
  original.copy(out, 0, 0, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BatchField.BATCH_LENGTH);
  out.writeInt16BE(attributes, BatchField.ATTRIBUTES);
  if ((attributes & Attribute.LOG_APPEND_TIME) === 0 && kept.length > 0) {
    const baseTimestamp = readInt64(original, BatchField.BASE_TIMESTAMP);
    let max = -1;
    for (const r of kept) max = Math.max(max, baseTimestamp + r.timestampDelta);
    writeInt64(out, BatchField.MAX_TIMESTAMP, max);
  }
  out.writeInt32BE(kept.length, BatchField.RECORD_COUNT);
  body.copy(out, BATCH_HEADER_SIZE);
  out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
  return out;
}
