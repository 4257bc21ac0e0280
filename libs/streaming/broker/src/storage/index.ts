/** Durable log storage of the broker: segments, partition logs, topics. */
export { crc32c } from './crc32c.ts';
export { StorageError, storageIoError } from './errors.ts';
export { defaultFileIo, type FileIo, type WriteFn } from './file-io.ts';
export {
  CLEAN_SHUTDOWN_FILE,
  LogManager,
  type LogManagerOptions,
  type TopicInfo,
} from './log-manager.ts';
export { silentLogger, type Logger } from './logger.ts';
export {
  PartitionLog,
  type AppendResult,
  type PartitionLogOptions,
  type TimestampAndOffset,
} from './partition-log.ts';
export {
  Attribute,
  BATCH_HEADER_SIZE,
  BatchField,
  Compression,
  LOG_OVERHEAD,
  decodeRecordBatch,
  decodeRecordBatches,
  decodeRecords,
  encodeRecordBatch,
  patchBaseOffset,
  readBatchInfo,
  validateRecordBatches,
  type BatchInfo,
  type DecodedBatch,
  type DecodedRecord,
  type EncodeBatchOptions,
  type RecordHeader,
  type RecordInput,
  type ValidateOptions,
} from './record-batch.ts';
export {
  ConfigType,
  DEFAULT_TOPIC_CONFIG,
  TOPIC_CONFIG_KEYS,
  deletesOldSegments,
  describeTopicConfig,
  formatConfigValue,
  resolveBrokerDefaults,
  resolveTopicConfig,
  topicConfigKey,
  validateTopicOverrides,
  type TimestampType,
  type TopicConfig,
  type TopicConfigEntry,
  type TopicConfigKey,
} from './topic-config.ts';
export { SegmentTxnIndex, type AbortedTxnEntry } from './txn-index.ts';
export { ControlType, readControlType } from './txn-index-rebuild.ts';
export { MAX_TOPIC_NAME_LENGTH, validateTopicName } from './topic-name.ts';
