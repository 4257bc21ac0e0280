export { ProcessingError, type ProcessingErrorCode } from './processing-error.ts';
export type { KeyValue, StreamRecord, TopicPartition } from './record.ts';
export { hopping, tumbling, windowsFor, type Window, type WindowSpec } from './windows.ts';
export { InMemoryKeyValueStore, type KeyValueStore } from './state/key-value-store.ts';
export { memoryState, type Checkpoint, type StateBackend } from './state/state-backend.ts';
export { fileCheckpointState } from './state/file-checkpoint-state.ts';
export {
  GroupedStream,
  KStream,
  KTable,
  Topology,
  TopologyBuilder,
  WindowedStream,
  type AggregationHandle,
  type JoinOptions,
  type StreamOptions,
  type TableOptions,
  type TimestampExtractor,
  type WindowOptions,
} from './topology/topology-builder.ts';
export type { Aggregator, Initializer } from './topology/keyed-aggregate.ts';
export type { AggregateResult, LateRecord } from './topology/runtime-context.ts';
export {
  StreamProcessor,
  type AggregateEntry,
  type ProcessOutcome,
  type ProcessorMetrics,
  type ProcessorSnapshot,
  type StreamProcessorOptions,
} from './runtime/stream-processor.ts';
export type { ResumePosition } from './runtime/input-positions.ts';
export { addCount, topN, type Ranked } from './helpers/top-n.ts';
export {
  emptyHistogram,
  percentile,
  recordLatency,
  type LatencyHistogram,
} from './helpers/latency-histogram.ts';
export { streamRecordFrom, type ConsumedRecord } from './adapters/consumed-record.ts';
