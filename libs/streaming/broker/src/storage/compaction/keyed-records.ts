/**
 * Compacted topics keep the latest record per key, so a record without a key
 * has no place in them: like Kafka, the produce is refused with INVALID_RECORD
 * before anything is written (compressed batches are looked into).
 */
import { ErrorCode } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';
import { BatchField, LOG_OVERHEAD } from '../record-batch.ts';
import { readRawBatch } from './batch-records.ts';

/** Throws INVALID_RECORD when a record of the payload has a null key. Malformed payloads are left to validation. */
export function requireRecordKeys(records: Buffer, topic: string, partition: number): void {
  let pos = 0;
  while (pos + BatchField.RECORDS <= records.length) {
    const size = records.readInt32BE(pos + BatchField.BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < BatchField.RECORDS || pos + size > records.length) return;
    let raw;
    try {
      raw = readRawBatch(records.subarray(pos, pos + size));
    } catch {
      return; // corrupt: storage validation reports it with the right code
    }
    if (!raw.isControl && raw.records.some((r) => r.key === null)) {
      throw new StorageError(
        ErrorCode.INVALID_RECORD,
        `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}.`,
      );
    }
    pos += size;
  }
}
