/**
 * Conversion between the legacy message formats (magic 0 and 1) and the v2 record batches the broker
 * stores, as Kafka 3.x does for clients of the 0.8–0.10 era: Produce v0–v2 message sets are
 * up-converted to one v2 batch before the append, and Fetch v0–v3 answers get their batches
 * down-converted to the format that version reads (magic 0 for v0–v1, magic 1 for v2–v3).
 *
 * Down-conversion writes uncompressed messages (every client reads them) and drops what the old
 * formats cannot carry: record headers, control batches. Magic 0 has no timestamps.
 */
import { compressRecords, readRawBatch } from './compaction/index.ts';
import { crc32c } from './crc32c.ts';
import { readLegacyMessages, recordSetMagic, writeLegacyMessage } from './legacy-message-set.ts';
import type { LegacyMessage } from './legacy-message-set.ts';
import {
  Attribute,
  BATCH_HEADER_SIZE,
  BatchField,
  Compression,
  LOG_OVERHEAD,
  encodeRecordBatch,
} from './record-batch.ts';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';

/** True when a produced record set is a legacy (magic 0/1) message set. */
export function isLegacyMessageSet(records: Buffer): boolean {
  const magic = recordSetMagic(records);
  return magic === 0 || magic === 1;
}

/**
 * The messages of a legacy message set as one v2 batch, compressed with the codec of the set's
 * first wrapper (none if it had none) so that max.message.bytes still measures what was sent.
 */
export function upConvert(records: Buffer): Buffer {
  const messages = readLegacyMessages(records);
  if (messages.length === 0) throw new StorageError(ErrorCode.CORRUPT_MESSAGE, 'empty message set');
  const codec = legacyCodec(records);
  const batch = encodeRecordBatch({
    records: messages.map((m: LegacyMessage) => ({
      key: m.key,
      value: m.value,
      timestamp: m.timestamp,
    })),
    baseTimestamp: messages[0]!.timestamp,
  });
  return codec === Compression.NONE ? batch : recompress(batch, codec);
}

/** The codec of a message set's first message: attributes follow offset, size, CRC and magic. */
function legacyCodec(records: Buffer): number {
  return records.readInt8(8 + 4 + 4 + 1) & Attribute.COMPRESSION_MASK;
}

/** An uncompressed v2 batch with its records section compressed by `codec`. */
function recompress(batch: Buffer, codec: number): Buffer {
  const body = compressRecords(codec, batch.subarray(BATCH_HEADER_SIZE));
  const out = Buffer.alloc(BATCH_HEADER_SIZE + body.length);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  body.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BatchField.BATCH_LENGTH);
  out.writeInt16BE(batch.readInt16BE(BatchField.ATTRIBUTES) | codec, BatchField.ATTRIBUTES);
  out.writeUInt32BE(crc32c(out, BatchField.ATTRIBUTES, out.length), BatchField.CRC);
  return out;
}

/** The message format a Fetch version reads: 0 for v0–v1, 1 for v2–v3, 2 (no conversion) after. */
export function fetchMagic(fetchVersion: number): 0 | 1 | 2 {
  if (fetchVersion <= 1) return 0;
  return fetchVersion <= 3 ? 1 : 2;
}

/**
 * Stored v2 batches as a legacy message set of `magic`, starting at `fromOffset` (a read returns
 * whole batches, which may begin before it). A trailing partial batch is left out.
 */
export function downConvert(batches: Buffer, magic: 0 | 1, fromOffset: number): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= batches.length) {
    const size = batches.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
    if (pos + size > batches.length) break;
    const raw = readRawBatch(batches.subarray(pos, pos + size));
    pos += size;
    if (raw.isControl) continue;
    const logAppendTime = (raw.attributes & Attribute.LOG_APPEND_TIME) !== 0;
    for (const r of raw.records) {
      if (r.offset < fromOffset) continue;
      parts.push(
        writeLegacyMessage(magic, r.offset, {
          timestamp: r.timestamp,
          logAppendTime,
          key: r.key,
          value: r.value,
        }),
      );
    }
  }
  return Buffer.concat(parts);
}
