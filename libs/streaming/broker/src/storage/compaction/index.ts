/** Log compaction (cleanup.policy=compact): the cleaner and the keyed-records rule for produce. */
export { compressRecords, decompressRecords } from './codecs.ts';
export { readRawBatch, rebuildBatch, type RawBatch, type RawRecord } from './batch-records.ts';
export { requireRecordKeys } from './keyed-records.ts';
export {
  CLEANED_SUFFIX,
  DEFAULT_CLEANER_BACKOFF_MS,
  LogCleaner,
  cleanableSegments,
  compacts,
  type CompactionOptions,
  type CompactionStats,
  type LogCleanerOptions,
} from './log-cleaner.ts';
