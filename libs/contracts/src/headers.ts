/**
 * Kafka record header names the platform writes. Trace context uses the W3C names so any
 * OpenTelemetry-aware consumer (or real Kafka tooling) can continue the trace.
 */
export const headerNames = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  eventType: 'event-type',
  eventId: 'event-id',
  /** Dead-letter headers: why the record was parked and where it came from. */
  deadLetter: {
    errorCode: 'dlq-error-code',
    errorMessage: 'dlq-error-message',
    attempts: 'dlq-attempts',
    sourceTopic: 'dlq-source-topic',
    sourcePartition: 'dlq-source-partition',
    sourceOffset: 'dlq-source-offset',
    groupId: 'dlq-group-id',
    failedAt: 'dlq-failed-at',
  },
} as const;
