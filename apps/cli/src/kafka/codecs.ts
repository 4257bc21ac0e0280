/**
 * kafkajs only ships gzip. Records written by other clients (librdkafka compresses with snappy or
 * lz4 by default in many setups) must still be readable, and `produce --compression` offers all four,
 * so the missing codecs are registered here: snappy and lz4 from small pure-JS packages (no native
 * build), zstd from node:zlib.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';
import { CompressionCodecs, CompressionTypes } from './kafkajs.ts';

// The Java client frames snappy data as a stream ("xerial" framing: a magic header, then
// length-prefixed blocks); librdkafka and others send a raw snappy block. Readers must accept both.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_BLOCK_BYTES = 32 * 1024;

const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function snappyDecode(data: Buffer): Buffer {
  const framed = data.length >= XERIAL_HEADER_BYTES && data.subarray(0, 8).equals(XERIAL_MAGIC);
  if (!framed) return toBuffer(snappy.uncompress(data));
  const blocks: Buffer[] = [];
  let at = XERIAL_HEADER_BYTES;
  while (at + 4 <= data.length) {
    const size = data.readInt32BE(at);
    at += 4;
    if (size < 0 || at + size > data.length) throw new RangeError('truncated snappy block');
    blocks.push(toBuffer(snappy.uncompress(data.subarray(at, at + size))));
    at += size;
  }
  return Buffer.concat(blocks);
}

/** Writes the framed form: the one every Kafka client reads, since the Java producer writes it. */
export function snappyEncode(data: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = toBuffer(snappy.compress(data.subarray(at, at + XERIAL_BLOCK_BYTES)));
    const size = Buffer.alloc(4);
    size.writeInt32BE(block.length);
    parts.push(size, block);
  }
  return Buffer.concat(parts);
}

interface Encoder {
  buffer: Buffer;
}

const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);

let registered = false;

export function registerCodecs(): void {
  if (registered) return;
  registered = true;
  const codecs = CompressionCodecs as Record<number, () => unknown>;
  codecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: Encoder) => snappyEncode(encoder.buffer),
    decompress: async (data: Buffer) => snappyDecode(data),
  });
  codecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: Encoder) => toBuffer(lz4.compress(encoder.buffer)),
    decompress: async (data: Buffer) => toBuffer(lz4.decompress(data)),
  });
  codecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder: Encoder) => zstdCompress(encoder.buffer),
    decompress: async (data: Buffer) => zstdDecompress(data),
  });
}

/** `--compression` names, as Kafka's `compression.type` spells them. */
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[number];

export function compressionType(name: CompressionName): number {
  switch (name) {
    case 'none':
      return CompressionTypes.None;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'snappy':
      return CompressionTypes.Snappy;
    case 'lz4':
      return CompressionTypes.LZ4;
    case 'zstd':
      return CompressionTypes.ZSTD;
  }
}
