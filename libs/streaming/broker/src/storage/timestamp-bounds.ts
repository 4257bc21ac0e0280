/**
 * message.timestamp.before.max.ms / after.max.ms (and the older difference.max.ms): on a CreateTime
 * topic, a produced record whose timestamp is too far behind or ahead of the broker's clock is
 * refused with INVALID_TIMESTAMP (32), so time-based retention and segment rolling cannot be thrown
 * off by a producer with a wrong clock. LogAppendTime topics overwrite timestamps: nothing to check.
 */
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { readRawBatch } from './compaction/batch-records.ts';
import { BATCH_HEADER_SIZE, BatchField, LOG_OVERHEAD, readInt64 } from './record-batch.ts';
import type { TopicConfig } from './topic-config-table.ts';

/** Long.MAX_VALUE as a JS number: the "no limit" default. */
const UNLIMITED = 2 ** 63;
const NO_TIMESTAMP = -1;

export interface TimestampBounds {
  /** How far behind the broker clock a timestamp may be (Infinity: no limit). */
  beforeMs: number;
  /** How far ahead of it (Infinity: no limit). */
  afterMs: number;
}

/** The limits a topic applies: each of before/after, or difference.max.ms where one is unset. */
export function timestampBounds(
  config: Pick<
    TopicConfig,
    'messageTimestampBeforeMaxMs' | 'messageTimestampAfterMaxMs' | 'messageTimestampDifferenceMaxMs'
  >,
): TimestampBounds {
  const pick = (own: number) => {
    const v = own >= UNLIMITED ? config.messageTimestampDifferenceMaxMs : own;
    return v >= UNLIMITED ? Infinity : v;
  };
  return {
    beforeMs: pick(config.messageTimestampBeforeMaxMs),
    afterMs: pick(config.messageTimestampAfterMaxMs),
  };
}

/**
 * Throws StorageError INVALID_TIMESTAMP if a record of the produced `records` (whole v2 batches)
 * falls outside the topic's bounds around `nowMs`. The batch header's max timestamp settles the
 * "ahead" check; the "behind" check reads each record's timestamp (decompressing if need be), and
 * only on topics that set a limit. Malformed batches are left to the append's own validation.
 */
export function checkRecordTimestamps(
  records: Buffer,
  config: Readonly<TopicConfig>,
  nowMs: number,
): void {
  if (config.messageTimestampType !== 'CreateTime') return;
  const { beforeMs, afterMs } = timestampBounds(config);
  if (beforeMs === Infinity && afterMs === Infinity) return;
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= records.length) {
    const size = records.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE || pos + size > records.length) return;
    if (records.readInt8(pos + BatchField.MAGIC) !== 2) return;
    const batch = records.subarray(pos, pos + size);
    const maxTimestamp = readInt64(batch, BatchField.MAX_TIMESTAMP);
    if (maxTimestamp !== NO_TIMESTAMP && maxTimestamp - nowMs > afterMs)
      throw outOfRange(maxTimestamp, nowMs, beforeMs, afterMs);
    if (beforeMs !== Infinity) {
      const oldest = oldestTimestamp(batch);
      if (oldest !== null && nowMs - oldest > beforeMs)
        throw outOfRange(oldest, nowMs, beforeMs, afterMs);
    }
    pos += size;
  }
}

/** The smallest record timestamp of a batch, or null if it has none or cannot be read. */
function oldestTimestamp(batch: Buffer): number | null {
  let records;
  try {
    records = readRawBatch(batch).records;
  } catch {
    return null; // corrupt: the append refuses it with CORRUPT_MESSAGE
  }
  let oldest: number | null = null;
  for (const r of records) {
    if (r.timestamp !== NO_TIMESTAMP && (oldest === null || r.timestamp < oldest))
      oldest = r.timestamp;
  }
  return oldest;
}

function outOfRange(
  timestamp: number,
  nowMs: number,
  beforeMs: number,
  afterMs: number,
): StorageError {
  const from = beforeMs === Infinity ? '-inf' : String(nowMs - beforeMs);
  const to = afterMs === Infinity ? '+inf' : String(nowMs + afterMs);
  return new StorageError(
    ErrorCode.INVALID_TIMESTAMP,
    `record timestamp ${timestamp} is outside [${from}, ${to}] (broker time ${nowMs}, ` +
      `message.timestamp.before.max.ms / after.max.ms of the topic): fix the producer's clock ` +
      `or the timestamps it sets`,
  );
}
