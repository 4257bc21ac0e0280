/**
 * The message formats before RecordBatch v2: message sets of magic 0 (Kafka 0.8–0.9) and magic 1
 * (0.10, with a timestamp), which Produce v0–v2 carry and Fetch v0–v3 return. The broker stores only
 * v2 batches; message-conversion.ts converts between the two with what is here.
 *
 *   message set := (offset int64, size int32, message)*
 *   message     := crc uint32 (CRC-32 of the rest), magic int8, attributes int8,
 *                  [timestamp int64 if magic 1], key (int32 length, -1 = null), value (same)
 *
 * Attributes bits 0–2 are the codec. A compressed message is a wrapper: its value holds a whole
 * message set (the real messages) compressed with that codec.
 */
import { crc32 } from 'node:zlib';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { decompressRecords } from './compaction/codecs.ts';
import { readInt64, writeInt64 } from './record-batch.ts';

export interface LegacyMessage {
  magic: 0 | 1;
  offset: number;
  /** -1 for magic 0, which has none. */
  timestamp: number;
  /** Attributes bit 3 (magic 1): the timestamp is the broker's append time. */
  logAppendTime: boolean;
  key: Buffer | null;
  value: Buffer | null;
}

/** offset + size: the bytes before each message. */
const ENTRY_OVERHEAD = 12;
const CODEC_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;

function corrupt(why: string): StorageError {
  return new StorageError(ErrorCode.CORRUPT_MESSAGE, `invalid message set: ${why}`);
}

function readBytes(buf: Buffer, pos: number, end: number): [Buffer | null, number] {
  if (pos + 4 > end) throw corrupt('truncated length field');
  const len = buf.readInt32BE(pos);
  if (len < 0) return [null, pos + 4];
  if (pos + 4 + len > end) throw corrupt('a key or value runs past the end of its message');
  return [buf.subarray(pos + 4, pos + 4 + len), pos + 4 + len];
}

/**
 * Every message of a legacy message set, compressed wrappers opened (one level, as Kafka allows),
 * with CRCs checked. Throws StorageError CORRUPT_MESSAGE on anything malformed, including a
 * truncated last message (a producer never sends one).
 */
export function readLegacyMessages(buf: Buffer, nested = false): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + ENTRY_OVERHEAD > buf.length) throw corrupt('truncated message header');
    const offset = readInt64(buf, pos);
    const size = buf.readInt32BE(pos + 8);
    const start = pos + ENTRY_OVERHEAD;
    const end = start + size;
    if (size < 14 || end > buf.length) throw corrupt(`message size ${size} does not fit`);
    if (buf.readUInt32BE(start) !== crc32(buf.subarray(start + 4, end)))
      throw corrupt(`CRC mismatch in the message at offset ${offset}`);
    const magic = buf.readInt8(start + 4);
    if (magic !== 0 && magic !== 1) throw corrupt(`magic ${magic} inside a legacy message set`);
    const attributes = buf.readInt8(start + 5);
    let p = start + 6;
    let timestamp = -1;
    if (magic === 1) {
      if (p + 8 > end) throw corrupt('truncated timestamp');
      timestamp = readInt64(buf, p);
      p += 8;
    }
    const [key, afterKey] = readBytes(buf, p, end);
    const [value] = readBytes(buf, afterKey, end);
    const codec = attributes & CODEC_MASK;
    const logAppendTime = magic === 1 && (attributes & TIMESTAMP_TYPE_BIT) !== 0;
    if (codec === 0) {
      out.push({ magic, offset, timestamp, logAppendTime, key, value });
    } else {
      if (nested) throw corrupt('a compressed message inside a compressed message');
      if (value === null) throw corrupt('a compressed message without a value');
      for (const inner of readLegacyMessages(decompressRecords(codec, value), true)) {
        // A wrapper stamped with the append time stamps all it holds.
        out.push(logAppendTime ? { ...inner, timestamp, logAppendTime } : inner);
      }
    }
    pos = end;
  }
  return out;
}

/** The magic byte of the first entry of a record set (v2 batches keep it at the same position). */
export function recordSetMagic(buf: Buffer): number | null {
  return buf.length > 16 ? buf.readInt8(16) : null;
}

/** One uncompressed message of `magic` at `offset`, with its offset and size prefix. */
export function writeLegacyMessage(
  magic: 0 | 1,
  offset: number,
  m: { timestamp: number; logAppendTime: boolean; key: Buffer | null; value: Buffer | null },
): Buffer {
  const keyLen = m.key?.length ?? 0;
  const valueLen = m.value?.length ?? 0;
  const size = 4 + 1 + 1 + (magic === 1 ? 8 : 0) + 4 + keyLen + 4 + valueLen;
  const out = Buffer.alloc(ENTRY_OVERHEAD + size);
  writeInt64(out, 0, offset);
  out.writeInt32BE(size, 8);
  let p = ENTRY_OVERHEAD + 4;
  out.writeInt8(magic, p++);
  out.writeInt8(magic === 1 && m.logAppendTime ? TIMESTAMP_TYPE_BIT : 0, p++);
  if (magic === 1) {
    writeInt64(out, p, m.timestamp);
    p += 8;
  }
  for (const field of [m.key, m.value]) {
    out.writeInt32BE(field === null ? -1 : field.length, p);
    p += 4;
    if (field !== null) p += field.copy(out, p);
  }
  out.writeUInt32BE(crc32(out.subarray(ENTRY_OVERHEAD + 4)), ENTRY_OVERHEAD);
  return out;
}
