export { Streaming } from './streaming.ts';
export { TopicInspector, type PartitionOffsets } from './connection/topic-inspector.ts';
export { serialAdmin } from './connection/serial-admin.ts';
export type { StreamingConnectionOptions } from './connection/streaming-connection.ts';
export {
  CLIENT_SECURITY_KEYS,
  ClientSecurityError,
  clientSecurityFromProperties,
  kafkajsSecurity,
  type ClientSecurity,
} from './connection/client-security.ts';
export { clientSecurityFromEnv, type KafkaSecurityEnv } from './connection/client-security-env.ts';
export { participantAcls, dashboardAcls, type AclEntry } from './security/participant-acls.ts';
export {
  ExactlyOnceStage,
  type ExactlyOnceStageOptions,
  type StageOutput,
  type StageRecord,
  type StageState,
} from './exactly-once/exactly-once-stage.ts';
export { replaceAcls } from './security/apply-acls.ts';
export {
  ConsumerRunner,
  type BatchItem,
  type ConsumerRunnerOptions,
  type EventBatchHandler,
  type EventHandler,
  type RawBatchHandler,
  type RawHandler,
  type RecordContext,
} from './consumer/consumer-runner.ts';
export type { TopicHandlerMetrics } from './consumer/consumer-metrics.ts';
export {
  describeFailure,
  NonRetriableError,
  type FailureDescription,
  type FailureKind,
} from './consumer/handler-errors.ts';
export { defaultRetryPolicy, type RetryPolicy } from './consumer/retry-policy.ts';
export type { PartitionLag } from './lag/consumer-lag.ts';
export { silentLogger, type Logger } from './logger.ts';
export { GroupCommit, type GroupCommitOptions } from './group-commit/group-commit.ts';
export {
  firstOfEachEvent,
  inboxClaimFrom,
  processBatchOnce,
  processOnce,
  type InboxOutcome,
} from './inbox/inbox.ts';
export { replicationFactorFor } from './provisioning/replication-factor.ts';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay.ts';
export {
  inboxTable,
  outboxInboxMigrationSql,
  outboxTable,
  relayPositionsTable,
  streamingClientMigrationsDir,
  type SqlExecutor,
  type TransactionalClient,
} from './outbox/outbox-schema.ts';
export {
  insertOutboxRows,
  outboxInsertSql,
  outboxRows,
  writeToOutbox,
  type OutboxRow,
  type SqlPart,
} from './outbox/outbox-writer.ts';
export {
  EventProducer,
  type OutgoingRecord,
  type PublishedRecord,
} from './producer/event-producer.ts';
export { extractTraceContext, injectTraceContext } from './tracing/record-tracing.ts';
/** An OpenTelemetry context: whose trace an event continues (`RecordContext.trace`). */
export type { Context as TraceContext } from '@opentelemetry/api';
