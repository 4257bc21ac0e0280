import { describe, expect, it } from 'vitest';
import { ErrorCode as StorageErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import {
  Attribute,
  BatchField,
  Compression,
  decodeRecordBatch,
  decodeRecords,
  encodeRecordBatch,
  patchBaseOffset,
  readBatchInfo,
  stampLogAppendTime,
  validateRecordBatches,
} from './record-batch.ts';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return undefined;
}

describe('encodeRecordBatch / decodeRecordBatch', () => {
  it('round-trips keys, values, null values, headers and timestamps', () => {
    const batch = encodeRecordBatch({
      baseTimestamp: 1_700_000_000_000,
      records: [
        { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000 },
        {
          key: null,
          value: null,
          timestamp: 1_700_000_000_500,
          headers: [{ key: 'h', value: 'x' }],
        },
        { value: Buffer.alloc(300, 7), timestamp: 1_699_999_999_000 },
      ],
    });
    const decoded = decodeRecordBatch(batch);
    expect(decoded.recordCount).toBe(3);
    expect(decoded.lastOffsetDelta).toBe(2);
    expect(decoded.maxTimestamp).toBe(1_700_000_000_500);
    expect(decoded.records.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(decoded.records[0]!.key!.toString()).toBe('k1');
    expect(decoded.records[0]!.value!.toString()).toBe('v1');
    expect(decoded.records[1]!.key).toBeNull();
    expect(decoded.records[1]!.value).toBeNull();
    expect(decoded.records[1]!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    expect(decoded.records[2]!.value!.length).toBe(300);
    expect(decoded.records[2]!.timestamp).toBe(1_699_999_999_000);
  });

  it('round-trips gzip and zstd compressed batches', () => {
    for (const compression of [Compression.GZIP, Compression.ZSTD]) {
      const batch = encodeRecordBatch({ compression, records: [{ value: 'a' }, { value: 'b' }] });
      expect(batch.readInt16BE(BatchField.ATTRIBUTES) & Attribute.COMPRESSION_MASK).toBe(
        compression,
      );
      expect(decodeRecords(batch).map((r) => r.value!.toString())).toEqual(['a', 'b']);
    }
  });

  it('decodes several concatenated batches with their assigned offsets', () => {
    const a = encodeRecordBatch({ baseOffset: 10, records: [{ value: 'a' }, { value: 'b' }] });
    const b = encodeRecordBatch({ baseOffset: 12, records: [{ value: 'c' }] });
    expect(decodeRecords(Buffer.concat([a, b])).map((r) => r.offset)).toEqual([10, 11, 12]);
  });
});

describe('validateRecordBatches', () => {
  it('accepts well-formed batches and reports their layout', () => {
    const a = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    const b = encodeRecordBatch({ records: [{ value: 'c' }] });
    const infos = validateRecordBatches(Buffer.concat([a, b]));
    expect(infos.map((i) => [i.position, i.size, i.recordCount])).toEqual([
      [0, a.length, 2],
      [a.length, b.length, 1],
    ]);
  });

  it('rejects a flipped byte with CORRUPT_MESSAGE (CRC)', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'hello' }] });
    batch[batch.length - 3] ^= 0x01;
    expect(codeOf(() => validateRecordBatches(batch))).toBe(StorageErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects a truncated batch with CORRUPT_MESSAGE', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'hello' }] });
    expect(codeOf(() => validateRecordBatches(batch.subarray(0, batch.length - 1)))).toBe(
      StorageErrorCode.CORRUPT_MESSAGE,
    );
    expect(codeOf(() => validateRecordBatches(batch.subarray(0, 30)))).toBe(
      StorageErrorCode.CORRUPT_MESSAGE,
    );
  });

  it('rejects legacy message sets (magic 0 and 1) with UNSUPPORTED_FOR_MESSAGE_FORMAT', () => {
    for (const magic of [0, 1]) {
      const legacy = Buffer.alloc(40);
      legacy.writeInt32BE(28, 8);
      legacy.writeInt8(magic, 16);
      expect(codeOf(() => validateRecordBatches(legacy))).toBe(
        StorageErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      );
    }
  });

  it('rejects an unknown magic byte with CORRUPT_MESSAGE', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'x' }] });
    batch.writeInt8(7, BatchField.MAGIC);
    expect(codeOf(() => validateRecordBatches(batch))).toBe(StorageErrorCode.CORRUPT_MESSAGE);
  });

  it('rejects a lastOffsetDelta that disagrees with the record count with INVALID_RECORD', () => {
    // Build a batch whose header claims 3 records but holds 2 (CRC recomputed so only the count is wrong).
    const batch = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    batch.writeInt32BE(2, BatchField.LAST_OFFSET_DELTA);
    stampLogAppendTime(batch, 0, batch.length, 0); // recomputes the CRC
    expect(codeOf(() => validateRecordBatches(batch))).toBe(StorageErrorCode.INVALID_RECORD);
  });

  it('rejects control batches from clients but accepts them when allowed', () => {
    const marker = encodeRecordBatch({
      control: true,
      transactional: true,
      records: [{ key: 'k', value: 'v' }],
    });
    expect(codeOf(() => validateRecordBatches(marker))).toBe(StorageErrorCode.INVALID_RECORD);
    expect(validateRecordBatches(marker, { allowControl: true })).toHaveLength(1);
  });

  it('rejects an empty payload with INVALID_RECORD', () => {
    expect(codeOf(() => validateRecordBatches(Buffer.alloc(0)))).toBe(
      StorageErrorCode.INVALID_RECORD,
    );
  });
});

describe('patching', () => {
  it('patchBaseOffset changes the offsets without invalidating the CRC', () => {
    const batch = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }] });
    patchBaseOffset(batch, 0, 2 ** 40 + 5);
    expect(validateRecordBatches(batch)[0]!.baseOffset).toBe(2 ** 40 + 5);
    expect(decodeRecords(batch).map((r) => r.offset)).toEqual([2 ** 40 + 5, 2 ** 40 + 6]);
  });

  it('stampLogAppendTime sets the attribute, maxTimestamp and a valid CRC', () => {
    const batch = encodeRecordBatch({ baseTimestamp: 1000, records: [{ value: 'a' }] });
    stampLogAppendTime(batch, 0, batch.length, 5555);
    const info = validateRecordBatches(batch)[0]!;
    expect(info.attributes & Attribute.LOG_APPEND_TIME).toBe(Attribute.LOG_APPEND_TIME);
    expect(readBatchInfo(batch, 0).maxTimestamp).toBe(5555);
    expect(decodeRecords(batch)[0]!.timestamp).toBe(5555);
  });
});
