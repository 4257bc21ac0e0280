import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { Compression, encodeRecordBatch } from './record-batch.ts';
import { checkRecordTimestamps, timestampBounds } from './timestamp-bounds.ts';
import { resolveTopicConfig } from './topic-config.ts';

const NOW = 1_700_000_000_000;

function batchAt(timestamps: number[], compression: number = Compression.NONE): Buffer {
  return encodeRecordBatch({
    records: timestamps.map((timestamp, i) => ({ value: `v${i}`, timestamp })),
    baseTimestamp: timestamps[0],
    compression,
  });
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

describe('message.timestamp.before/after.max.ms', () => {
  it('has no limits by default, and difference.max.ms stands in for whichever is unset', () => {
    expect(timestampBounds(resolveTopicConfig({}, {}))).toEqual({
      beforeMs: Infinity,
      afterMs: Infinity,
    });
    expect(
      timestampBounds(resolveTopicConfig({}, { 'message.timestamp.difference.max.ms': '1000' })),
    ).toEqual({ beforeMs: 1000, afterMs: 1000 });
    expect(
      timestampBounds(
        resolveTopicConfig(
          {},
          {
            'message.timestamp.difference.max.ms': '1000',
            'message.timestamp.after.max.ms': '50',
          },
        ),
      ),
    ).toEqual({ beforeMs: 1000, afterMs: 50 });
  });

  it('refuses a batch with a record too far behind or ahead of the broker clock (32)', () => {
    const config = resolveTopicConfig(
      {},
      { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '1000' },
    );
    expect(
      codeOf(() => checkRecordTimestamps(batchAt([NOW - 60_000, NOW + 1_000]), config, NOW)),
    ).toBe(undefined);
    // The oldest record is not the first one: every record counts, compressed or not.
    for (const codec of [Compression.NONE, Compression.GZIP]) {
      expect(
        codeOf(() => checkRecordTimestamps(batchAt([NOW, NOW - 60_001], codec), config, NOW)),
      ).toBe(ErrorCode.INVALID_TIMESTAMP);
    }
    expect(codeOf(() => checkRecordTimestamps(batchAt([NOW, NOW + 1_001]), config, NOW))).toBe(
      ErrorCode.INVALID_TIMESTAMP,
    );
    // A later batch of the same request counts too.
    const two = Buffer.concat([batchAt([NOW]), batchAt([NOW + 5_000])]);
    expect(codeOf(() => checkRecordTimestamps(two, config, NOW))).toBe(ErrorCode.INVALID_TIMESTAMP);
  });

  it('checks nothing on LogAppendTime topics, whose timestamps the broker sets', () => {
    const config = resolveTopicConfig(
      {},
      { 'message.timestamp.difference.max.ms': '0', 'message.timestamp.type': 'LogAppendTime' },
    );
    expect(codeOf(() => checkRecordTimestamps(batchAt([0]), config, NOW))).toBe(undefined);
  });
});
