/** Idempotent producers: producer ids, per-partition sequence state, snapshots. */
export {
  BLOCK_SIZE,
  MAX_EPOCH,
  PRODUCER_ID_FILE,
  ProducerIdAllocator,
  type ProducerIdAndEpoch,
} from './producer-id-allocator.ts';
export {
  PartitionProducerState,
  RETAINED_BATCHES,
  type BatchMetadata,
  type ProducerBatch,
  type ProducerEntry,
  type SequenceVerdict,
} from './partition-producer-state.ts';
export { ProducerStateError } from './producer-state-error.ts';
export {
  DEFAULT_PRODUCER_ID_EXPIRATION_MS,
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  ProducerStateManager,
  type TransactionalProduceCheck,
  type ProducerAppendResult,
  type ProducerStateManagerOptions,
} from './producer-state-manager.ts';
export { MAX_SEQUENCE, addSequence, lastSequenceOf } from './sequence.ts';
export {
  SNAPSHOT_FILE,
  decodeSnapshot,
  encodeSnapshot,
  readSnapshotFile,
  writeSnapshotFile,
  type ProducerSnapshot,
} from './snapshot-file.ts';
export { PartitionTxnIndex, type AbortedTxn, type OpenTxn } from './partition-txn-index.ts';
export { ControlType, encodeMarkerBatch, readControlType } from './control-records.ts';
