/**
 * The five record-batch codecs, both directions, for the cleaner (the only
 * part of the broker that must look inside compressed batches and write new
 * ones). gzip and zstd come from node:zlib; snappy and lz4 from small pure-JS
 * packages (no native build step).
 *
 * Snappy in Kafka comes in two shapes: raw snappy (librdkafka, @platformatic/kafka)
 * and the xerial stream framing of the Java client; both are read. Output uses
 * the xerial framing, which every Kafka client reads because the Java producer
 * writes it. LZ4 is the standard LZ4 frame format (magic v2 batches).
 */
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';
import { ErrorCode } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';
import { Compression } from '../record-batch.ts';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK = 32 * 1024;

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function snappyDecompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER_SIZE || !data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    return asBuffer(snappy.uncompress(data));
  }
  const chunks: Buffer[] = [];
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new RangeError('truncated xerial snappy chunk length');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw new RangeError('truncated xerial snappy chunk');
    chunks.push(asBuffer(snappy.uncompress(data.subarray(pos, pos + len))));
    pos += len;
  }
  return Buffer.concat(chunks);
}

function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8); // version
  header.writeInt32BE(1, 12); // minimum compatible version
  parts.push(header);
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK) {
    const block = asBuffer(snappy.compress(data.subarray(pos, pos + XERIAL_BLOCK)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

/** Decompresses a batch's records section. Throws StorageError CORRUPT_MESSAGE on bad input. */
export function decompressRecords(codec: number, data: Buffer): Buffer {
  try {
    switch (codec) {
      case Compression.NONE:
        return data;
      case Compression.GZIP:
        return gunzipSync(data);
      case Compression.SNAPPY:
        return snappyDecompress(data);
      case Compression.LZ4:
        return asBuffer(lz4.decompress(data));
      case Compression.ZSTD:
        return zstdDecompressSync(data);
    }
  } catch (err) {
    throw new StorageError(
      ErrorCode.CORRUPT_MESSAGE,
      `cannot decompress records (codec ${codec}): ${(err as Error).message}`,
    );
  }
  throw new StorageError(
    ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
    `unknown compression codec ${codec}`,
  );
}

/** Compresses a records section with the batch codec. */
export function compressRecords(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data;
    case Compression.GZIP:
      return gzipSync(data);
    case Compression.SNAPPY:
      return snappyCompress(data);
    case Compression.LZ4:
      return asBuffer(lz4.compress(data));
    case Compression.ZSTD:
      return zstdCompressSync(data);
  }
  throw new StorageError(
    ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
    `unknown compression codec ${codec}`,
  );
}
