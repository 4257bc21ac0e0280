/**
 * RecordBatch v2 (magic 2): the only on-disk and on-wire format the broker
 * stores. Produce payloads are validated here and then written byte for byte;
 * the broker only patches the base offset (not covered by the CRC) and, for
 * LogAppendTime topics, the timestamp fields (then the CRC is recomputed).
 */
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { crc32c } from './crc32c.ts';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { readVarint, readVarlong, varintSize, writeVarint, type Cursor } from './varint.ts';

/** Byte positions of the batch header fields. */
export const BatchField = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  RECORDS: 61,
} as const;

/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
export const BATCH_HEADER_SIZE = 61;
/** The CRC covers attributes..end. */
const CRC_START = BatchField.ATTRIBUTES;

export const Attribute = {
  COMPRESSION_MASK: 0x07,
  LOG_APPEND_TIME: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;

export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;

const TWO_32 = 4294967296;

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

export function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi | 0, pos);
  buf.writeUInt32BE(v - hi * TWO_32, pos + 4);
}

/** What storage needs to know about one batch of a validated payload. */
export interface BatchInfo {
  /** Position of the batch within the buffer it was found in. */
  position: number;
  /** Total bytes including LOG_OVERHEAD. */
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  recordCount: number;
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export function readBatchInfo(buf: Buffer, pos: number): BatchInfo {
  return {
    position: pos,
    size: buf.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD,
    baseOffset: readInt64(buf, pos + BatchField.BASE_OFFSET),
    lastOffsetDelta: buf.readInt32BE(pos + BatchField.LAST_OFFSET_DELTA),
    recordCount: buf.readInt32BE(pos + BatchField.RECORD_COUNT),
    attributes: buf.readInt16BE(pos + BatchField.ATTRIBUTES),
    baseTimestamp: readInt64(buf, pos + BatchField.BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + BatchField.MAX_TIMESTAMP),
    producerId: readInt64(buf, pos + BatchField.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + BatchField.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BatchField.BASE_SEQUENCE),
  };
}

/**
 * Why a batch at `pos` is not a well-formed, intact v2 batch, or null if it is.
 * Used both for produce validation and for crash recovery (torn tails).
 */
export function checkBatchAt(
  buf: Buffer,
  pos: number,
  end = buf.length,
): { code: number; reason: string } | null {
  const avail = end - pos;
  if (avail < BatchField.MAGIC + 1) {
    return {
      code: ErrorCode.CORRUPT_MESSAGE,
      reason: `truncated batch header (${avail} bytes)`,
    };
  }
  const magic = buf.readInt8(pos + BatchField.MAGIC);
  if (magic !== 2) {
    return magic === 0 || magic === 1
      ? {
          code: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
          reason: `message format v${magic} is not supported, use RecordBatch v2`,
        }
      : { code: ErrorCode.CORRUPT_MESSAGE, reason: `unknown magic byte ${magic}` };
  }
  if (avail < BATCH_HEADER_SIZE) {
    return {
      code: ErrorCode.CORRUPT_MESSAGE,
      reason: `truncated batch header (${avail} bytes)`,
    };
  }
  const size = buf.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
  if (size < BATCH_HEADER_SIZE) {
    return {
      code: ErrorCode.CORRUPT_MESSAGE,
      reason: `batch length ${size - LOG_OVERHEAD} is too small`,
    };
  }
  if (size > avail) {
    return {
      code: ErrorCode.CORRUPT_MESSAGE,
      reason: `batch of ${size} bytes but only ${avail} remain`,
    };
  }
  const stored = buf.readUInt32BE(pos + BatchField.CRC);
  const actual = crc32c(buf, pos + CRC_START, pos + size);
  if (stored !== actual) {
    return {
      code: ErrorCode.CORRUPT_MESSAGE,
      reason: `CRC mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`,
    };
  }
  return null;
}

export interface ValidateOptions {
  /** Control batches (transaction markers) may only be written by the broker itself. */
  allowControl?: boolean;
}

/**
 * Splits a Produce `records` payload into batches and validates each one
 * (magic, length, CRC, record count, control bit). Throws StorageError with the
 * Kafka code the producer should see. Does not modify the buffer.
 */
export function validateRecordBatches(records: Buffer, options: ValidateOptions = {}): BatchInfo[] {
  if (records.length === 0) {
    throw new StorageError(ErrorCode.INVALID_RECORD, 'produce request carries no record batch');
  }
  const batches: BatchInfo[] = [];
  let pos = 0;
  while (pos < records.length) {
    const problem = checkBatchAt(records, pos);
    if (problem) throw new StorageError(problem.code, `batch at byte ${pos}: ${problem.reason}`);
    const info = readBatchInfo(records, pos);
    const compressed = (info.attributes & Attribute.COMPRESSION_MASK) !== 0;
    if (info.recordCount < 0 || info.lastOffsetDelta < 0) {
      throw new StorageError(
        ErrorCode.INVALID_RECORD,
        `batch at byte ${pos}: negative record count or offset delta`,
      );
    }
    // Producers number records 0..n-1; a mismatch means offsets would be
    // assigned wrongly. Compressed batches are checked the same way by header.
    if (info.recordCount === 0 || info.lastOffsetDelta !== info.recordCount - 1) {
      throw new StorageError(
        ErrorCode.INVALID_RECORD,
        `batch at byte ${pos}: lastOffsetDelta ${info.lastOffsetDelta} does not match ${info.recordCount} records` +
          (compressed ? ' (compressed)' : ''),
      );
    }
    if ((info.attributes & Attribute.CONTROL) !== 0 && !options.allowControl) {
      throw new StorageError(ErrorCode.INVALID_RECORD, 'clients may not write control batches');
    }
    batches.push(info);
    pos += info.size;
  }
  return batches;
}

/** Sets the batch's base offset in place (the CRC does not cover it). */
export function patchBaseOffset(buf: Buffer, batchPos: number, baseOffset: number): void {
  writeInt64(buf, batchPos + BatchField.BASE_OFFSET, baseOffset);
}

/**
 * Stamps a batch with the broker's append time (topic message.timestamp.type
 * = LogAppendTime): sets the attribute bit and maxTimestamp, then recomputes
 * the CRC because both fields are covered by it.
 */
export function stampLogAppendTime(
  buf: Buffer,
  batchPos: number,
  batchSize: number,
  nowMs: number,
): void {
  const attrs = buf.readInt16BE(batchPos + BatchField.ATTRIBUTES);
  buf.writeInt16BE(attrs | Attribute.LOG_APPEND_TIME, batchPos + BatchField.ATTRIBUTES);
  writeInt64(buf, batchPos + BatchField.MAX_TIMESTAMP, nowMs);
  buf.writeUInt32BE(
    crc32c(buf, batchPos + CRC_START, batchPos + batchSize),
    batchPos + BatchField.CRC,
  );
}

// ---------------------------------------------------------------------------
// Decoding records (tests, compaction, timestamp lookups, in-process clients)

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch extends BatchInfo {
  partitionLeaderEpoch: number;
  isControl: boolean;
  isTransactional: boolean;
  compression: number;
  records: DecodedRecord[];
}

function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      return gunzipSync(data);
    case Compression.ZSTD:
      return zstdDecompressSync(data);
    default:
      throw new StorageError(
        ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        `cannot decode records compressed with codec ${codec} (only none, gzip, zstd)`,
      );
  }
}

function readBytesField(c: Cursor): Buffer | null {
  const len = readVarint(c);
  if (len < 0) return null;
  if (c.pos + len > c.buf.length) throw new RangeError('record field runs past the end');
  const out = Buffer.from(c.buf.buffer, c.buf.byteOffset + c.pos, len);
  c.pos += len;
  return out;
}

/** Decodes one batch starting at `pos` (header and records). */
export function decodeRecordBatch(buf: Buffer, pos = 0): DecodedBatch {
  const problem = checkBatchAt(buf, pos);
  if (problem) throw new StorageError(problem.code, problem.reason);
  const info = readBatchInfo(buf, pos);
  const codec = info.attributes & Attribute.COMPRESSION_MASK;
  const body = decompress(codec, buf.subarray(pos + BatchField.RECORDS, pos + info.size));
  const records: DecodedRecord[] = [];
  const c: Cursor = { buf: body, pos: 0 };
  const logAppend = (info.attributes & Attribute.LOG_APPEND_TIME) !== 0;
  try {
    for (let i = 0; i < info.recordCount; i++) {
      const length = readVarint(c);
      const end = c.pos + length;
      c.pos += 1; // record attributes: unused in v2
      const timestampDelta = readVarlong(c);
      const offsetDelta = readVarint(c);
      const key = readBytesField(c);
      const value = readBytesField(c);
      const headerCount = readVarint(c);
      const headers: RecordHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const k = readBytesField(c);
        headers.push({ key: k ? k.toString('utf8') : '', value: readBytesField(c) });
      }
      if (c.pos !== end)
        throw new RangeError(`record ${i} length ${length} does not match its fields`);
      records.push({
        offset: info.baseOffset + offsetDelta,
        timestamp: logAppend ? info.maxTimestamp : info.baseTimestamp + timestampDelta,
        key,
        value,
        headers,
      });
    }
  } catch (err) {
    if (err instanceof RangeError) throw new StorageError(ErrorCode.CORRUPT_MESSAGE, err.message);
    throw err;
  }
  return {
    ...info,
    partitionLeaderEpoch: buf.readInt32BE(pos + BatchField.PARTITION_LEADER_EPOCH),
    isControl: (info.attributes & Attribute.CONTROL) !== 0,
    isTransactional: (info.attributes & Attribute.TRANSACTIONAL) !== 0,
    compression: codec,
    records,
  };
}

/** Decodes every whole batch in `buf` (e.g. the result of PartitionLog.read). */
export function decodeRecordBatches(buf: Buffer): DecodedBatch[] {
  const out: DecodedBatch[] = [];
  let pos = 0;
  while (pos + LOG_OVERHEAD <= buf.length) {
    const size = buf.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
    if (pos + size > buf.length) break; // a partial trailing batch is legal in fetch responses
    out.push(decodeRecordBatch(buf, pos));
    pos += size;
  }
  return out;
}

/** All records of all whole batches in `buf`, in order. */
export function decodeRecords(buf: Buffer): DecodedRecord[] {
  return decodeRecordBatches(buf).flatMap((b) => b.records);
}

// ---------------------------------------------------------------------------
// Encoding

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Array<{ key: string; value: Buffer | string | null }>;
  /** Defaults to the batch's baseTimestamp. */
  timestamp?: number;
}

export interface EncodeBatchOptions {
  records: RecordInput[];
  baseOffset?: number;
  /** Defaults to the first record's timestamp, else Date.now(). */
  baseTimestamp?: number;
  compression?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  logAppendTime?: boolean;
}

function toBuf(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function compress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      return gzipSync(data);
    case Compression.ZSTD:
      return zstdCompressSync(data);
    default:
      throw new StorageError(
        ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        `cannot compress with codec ${codec}`,
      );
  }
}

/** Builds a valid RecordBatch v2 (with CRC) holding `records` at offset deltas 0..n-1. */
export function encodeRecordBatch(opts: EncodeBatchOptions): Buffer {
  const now = Date.now();
  const baseTimestamp = opts.baseTimestamp ?? opts.records[0]?.timestamp ?? now;
  let maxTimestamp = baseTimestamp;
  const encoded: Buffer[] = [];
  opts.records.forEach((r, i) => {
    const ts = r.timestamp ?? baseTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const key = toBuf(r.key);
    const value = toBuf(r.value);
    const headers = (r.headers ?? []).map((h) => ({
      key: Buffer.from(h.key, 'utf8'),
      value: toBuf(h.value),
    }));
    let bodySize = 1 + varintSize(ts - baseTimestamp) + varintSize(i);
    bodySize += key ? varintSize(key.length) + key.length : 1;
    bodySize += value ? varintSize(value.length) + value.length : 1;
    bodySize += varintSize(headers.length);
    for (const h of headers) {
      bodySize += varintSize(h.key.length) + h.key.length;
      bodySize += h.value ? varintSize(h.value.length) + h.value.length : 1;
    }
    const rec = Buffer.alloc(varintSize(bodySize) + bodySize);
    let p = writeVarint(rec, 0, bodySize);
    rec[p++] = 0;
    p = writeVarint(rec, p, ts - baseTimestamp);
    p = writeVarint(rec, p, i);
    const putBytes = (b: Buffer | null): void => {
      if (!b) {
        p = writeVarint(rec, p, -1);
        return;
      }
      p = writeVarint(rec, p, b.length);
      b.copy(rec, p);
      p += b.length;
    };
    putBytes(key);
    putBytes(value);
    p = writeVarint(rec, p, headers.length);
    for (const h of headers) {
      putBytes(h.key);
      putBytes(h.value);
    }
    encoded.push(rec);
  });
  const codec = opts.compression ?? Compression.NONE;
  const body = compress(codec, Buffer.concat(encoded));
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + body.length);
  let attributes = codec;
  if (opts.logAppendTime) attributes |= Attribute.LOG_APPEND_TIME;
  if (opts.transactional) attributes |= Attribute.TRANSACTIONAL;
  if (opts.control) attributes |= Attribute.CONTROL;
  writeInt64(batch, BatchField.BASE_OFFSET, opts.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchField.BATCH_LENGTH);
  batch.writeInt32BE(opts.partitionLeaderEpoch ?? -1, BatchField.PARTITION_LEADER_EPOCH);
  batch.writeInt8(2, BatchField.MAGIC);
  batch.writeInt16BE(attributes, BatchField.ATTRIBUTES);
  batch.writeInt32BE(opts.records.length - 1, BatchField.LAST_OFFSET_DELTA);
  writeInt64(batch, BatchField.BASE_TIMESTAMP, baseTimestamp);
  writeInt64(batch, BatchField.MAX_TIMESTAMP, maxTimestamp);
  writeInt64(batch, BatchField.PRODUCER_ID, opts.producerId ?? -1);
  batch.writeInt16BE(opts.producerEpoch ?? -1, BatchField.PRODUCER_EPOCH);
  batch.writeInt32BE(opts.baseSequence ?? -1, BatchField.BASE_SEQUENCE);
  batch.writeInt32BE(opts.records.length, BatchField.RECORD_COUNT);
  body.copy(batch, BatchField.RECORDS);
  batch.writeUInt32BE(crc32c(batch, CRC_START, batch.length), BatchField.CRC);
  return batch;
}
