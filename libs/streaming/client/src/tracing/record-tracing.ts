import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

const tracer = trace.getTracer('@retail-streams/streaming-client');

/** The header every event carries its id in (contracts' headerNames.eventId). */
const eventIdHeader = 'event-id';

export type RecordHeaders = Record<string, string>;

/** Writes the active trace context (W3C traceparent/tracestate) into record headers. */
export function injectTraceContext(
  headers: RecordHeaders,
  from: Context = context.active(),
): RecordHeaders {
  propagation.inject(from, headers);
  return headers;
}

/** Reads the trace context a producer wrote into record headers. */
export function extractTraceContext(headers: RecordHeaders): Context {
  return propagation.extract(context.active(), headers);
}

/** kafkajs hands headers as Buffers (or arrays of them); trace propagation wants strings. */
export function headersToStrings(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): RecordHeaders {
  const result: RecordHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) result[name] = last.toString();
  }
  return result;
}

export interface MessagingAttributes {
  topic: string;
  partition?: number;
  offset?: string;
  groupId?: string;
  key?: string;
  /** The event id (the `event-id` header): messaging.message.id. */
  messageId?: string;
}

function attributesOf(operation: string, attributes: MessagingAttributes) {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': operation,
    'messaging.destination.name': attributes.topic,
    ...(attributes.partition === undefined
      ? {}
      : { 'messaging.destination.partition.id': String(attributes.partition) }),
    ...(attributes.offset === undefined ? {} : { 'messaging.kafka.offset': attributes.offset }),
    ...(attributes.groupId === undefined
      ? {}
      : { 'messaging.consumer.group.name': attributes.groupId }),
    ...(attributes.key === undefined ? {} : { 'messaging.kafka.message.key': attributes.key }),
    ...(attributes.messageId === undefined ? {} : { 'messaging.message.id': attributes.messageId }),
  };
}

async function inSpan<T>(
  span: Span,
  spanContext: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  try {
    return await context.with(trace.setSpan(spanContext, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** A producer span around a send; its context is what gets injected into the records. */
export function withPublishSpan<T>(
  attributes: MessagingAttributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(`send ${attributes.topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: attributesOf('send', attributes),
  });
  return inSpan(span, context.active(), work);
}

/**
 * A consumer span for one record. It continues the producer's trace (the producer span is its parent)
 * so that one order reads as one trace across HTTP, topics and databases.
 */
export function withProcessSpan<T>(
  headers: RecordHeaders,
  attributes: MessagingAttributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = extractTraceContext(headers);
  const span = tracer.startSpan(
    `process ${attributes.topic}`,
    { kind: SpanKind.CONSUMER, attributes: attributesOf('process', attributes) },
    parent,
  );
  return inSpan(span, parent, work);
}

/**
 * A consumer span for one record of a batch handled together (one transaction for all), continuing
 * that record's producer trace: the record's effects (the outbox rows it causes) are written under
 * `context`, so one order still reads as one trace. `end` closes it, marked failed when given the
 * batch's error.
 */
export function startProcessSpan(
  headers: RecordHeaders,
  attributes: MessagingAttributes,
): { context: Context; end(error?: unknown): void } {
  const parent = extractTraceContext(headers);
  const span = tracer.startSpan(
    `process ${attributes.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: attributesOf('process', {
        ...attributes,
        messageId: attributes.messageId ?? headers[eventIdHeader],
      }),
    },
    parent,
  );
  return {
    context: trace.setSpan(parent, span),
    end(error?: unknown) {
      if (error !== undefined) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      }
      span.end();
    },
  };
}

/**
 * A span for work on many records that came from different traces (a relay publishing a batch of
 * outbox rows): one parent cannot represent them all, so the span links to each.
 */
export function withBatchSpan<T>(
  name: string,
  traceHeaders: readonly RecordHeaders[],
  attributes: MessagingAttributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  for (const headers of traceHeaders) {
    const spanContext = trace.getSpanContext(extractTraceContext(headers));
    if (spanContext) links.push({ context: spanContext });
  }
  const span = tracer.startSpan(name, {
    kind: SpanKind.PRODUCER,
    attributes: attributesOf('send', attributes),
    links,
  });
  return inSpan(span, context.active(), work);
}

/**
 * The time an outbox row waited between its transaction and the relay's publish, as a span of its
 * own: a child of the context the row was written under (the request or record that caused it),
 * from the row's `created_at` to now. It is what the async path pays before the event is even on
 * its topic, so the journey view shows it apart from the relay's send.
 */
export function recordOutboxWait(
  headers: RecordHeaders,
  writtenAtMs: number,
  attributes: MessagingAttributes,
): void {
  const parent = extractTraceContext(headers);
  if (!trace.getSpanContext(parent)) return; // written outside any trace: nothing to attach it to
  const span = tracer.startSpan(
    `outbox wait ${attributes.topic}`,
    {
      kind: SpanKind.INTERNAL,
      startTime: writtenAtMs,
      attributes: {
        ...attributesOf('create', { ...attributes, messageId: headers[eventIdHeader] }),
      },
    },
    parent,
  );
  span.end();
}

/**
 * The span a batch handler runs in (one transaction for records of many traces): a CONSUMER span
 * of its own trace that links to each record's process span, as the OTel messaging conventions
 * prescribe for batch processing, since no single parent fits. The handler's database work is its
 * child, and an order's journey reaches it through the link.
 */
export function withBatchProcessSpan<T>(
  records: readonly Context[],
  attributes: MessagingAttributes,
  work: () => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  for (const record of records) {
    const spanContext = trace.getSpanContext(record);
    if (spanContext) links.push({ context: spanContext });
  }
  const span = tracer.startSpan(
    `process ${attributes.topic}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        ...attributesOf('process', attributes),
        'messaging.batch.message_count': records.length,
      },
    },
    trace.deleteSpan(context.active()),
  );
  return inSpan(span, trace.deleteSpan(context.active()), () => work());
}
