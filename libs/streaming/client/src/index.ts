export { Streaming } from './streaming.ts';
export { TopicInspector, type PartitionOffsets } from './connection/topic-inspector.ts';
export type { StreamingConnectionOptions } from './connection/streaming-connection.ts';
export {
  ConsumerRunner,
  type ConsumerRunnerOptions,
  type EventHandler,
  type RawHandler,
  type RecordContext,
} from './consumer/consumer-runner.ts';
export type { TopicHandlerMetrics } from './consumer/consumer-metrics.ts';
export { NonRetriableError } from './consumer/handler-errors.ts';
export { defaultRetryPolicy, type RetryPolicy } from './consumer/retry-policy.ts';
export type { PartitionLag } from './lag/consumer-lag.ts';
export { silentLogger, type Logger } from './logger.ts';
export { processOnce, type InboxOutcome } from './inbox/inbox.ts';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay.ts';
export {
  inboxTable,
  outboxInboxMigrationSql,
  outboxTable,
  relayPositionsTable,
  type SqlExecutor,
  type TransactionalClient,
} from './outbox/outbox-schema.ts';
export { writeToOutbox } from './outbox/outbox-writer.ts';
export {
  EventProducer,
  type OutgoingRecord,
  type PublishedRecord,
} from './producer/event-producer.ts';
export { extractTraceContext, injectTraceContext } from './tracing/record-tracing.ts';
