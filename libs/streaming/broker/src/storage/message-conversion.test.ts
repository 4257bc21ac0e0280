import { crc32, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { readLegacyMessages, writeLegacyMessage } from './legacy-message-set.ts';
import { downConvert, fetchMagic, isLegacyMessageSet, upConvert } from './message-conversion.ts';
import { Compression, decodeRecordBatches, encodeRecordBatch } from './record-batch.ts';

const T = 1_700_000_000_000;

function message(magic: 0 | 1, offset: number, key: string | null, value: string | null, ts = T) {
  return writeLegacyMessage(magic, offset, {
    timestamp: magic === 1 ? ts : -1,
    logAppendTime: false,
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
  });
}

/** A gzip wrapper message holding `inner` (a message set), as 0.8–0.10 producers compress. */
function gzipWrapper(magic: 0 | 1, inner: Buffer): Buffer {
  const plain = writeLegacyMessage(magic, 0, {
    timestamp: T,
    logAppendTime: false,
    key: null,
    value: gzipSync(inner),
  });
  // Set the codec bits, then fix the CRC the codec is covered by.
  plain.writeInt8(Compression.GZIP, 17);
  plain.writeUInt32BE(crc32(plain.subarray(16)), 12);
  return plain;
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return undefined;
}

describe('legacy message formats', () => {
  it('up-converts magic 0 and 1 message sets, plain or compressed, to one v2 batch', () => {
    for (const magic of [0, 1] as const) {
      const set = Buffer.concat([
        message(magic, 0, 'k1', 'a', T),
        message(magic, 1, null, null, T + 5),
      ]);
      for (const sent of [set, gzipWrapper(magic, set)]) {
        expect(isLegacyMessageSet(sent)).toBe(true);
        const [batch, ...rest] = decodeRecordBatches(upConvert(sent));
        expect(rest).toEqual([]);
        expect(
          batch!.records.map((r) => [
            r.key?.toString() ?? null,
            r.value?.toString() ?? null,
            r.timestamp,
          ]),
        ).toEqual([
          ['k1', 'a', magic === 1 ? T : -1],
          [null, null, magic === 1 ? T + 5 : -1],
        ]);
        expect(batch!.compression).toBe(sent === set ? Compression.NONE : Compression.GZIP);
      }
    }
  });

  it('refuses a message set with a bad CRC or a truncated message (CORRUPT_MESSAGE)', () => {
    const good = message(1, 0, 'k', 'v');
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] ^= 0xff;
    expect(codeOf(() => upConvert(flipped))).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(codeOf(() => upConvert(good.subarray(0, good.length - 1)))).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
  });

  it('down-converts stored batches for old fetches, from the fetch offset on, without control batches', () => {
    const stored = Buffer.concat([
      encodeRecordBatch({
        baseOffset: 10,
        records: [
          { key: 'a', value: '1', timestamp: T },
          { key: 'b', value: '2', timestamp: T + 1, headers: [{ key: 'h', value: 'x' }] },
        ],
        compression: Compression.GZIP,
      }),
      encodeRecordBatch({ baseOffset: 12, records: [{ value: 'marker' }], control: true }),
      encodeRecordBatch({
        baseOffset: 13,
        records: [{ key: null, value: null, timestamp: T + 3 }],
      }),
    ]);
    for (const magic of [0, 1] as const) {
      const set = downConvert(stored, magic, 11);
      expect(
        readLegacyMessages(set).map((m) => [
          m.magic,
          m.offset,
          m.key?.toString() ?? null,
          m.value?.toString() ?? null,
          m.timestamp,
        ]),
      ).toEqual([
        [magic, 11, 'b', '2', magic === 1 ? T + 1 : -1],
        [magic, 13, null, null, magic === 1 ? T + 3 : -1],
      ]);
    }
    // A partial batch at the end of a read is left out, not misread.
    expect(
      readLegacyMessages(downConvert(stored.subarray(0, stored.length - 3), 1, 0)),
    ).toHaveLength(2);
  });

  it('serves magic 0 to Fetch v0–v1, magic 1 to v2–v3 and v2 batches after', () => {
    expect([0, 1, 2, 3, 4, 12].map(fetchMagic)).toEqual([0, 0, 1, 1, 2, 2]);
  });
});
