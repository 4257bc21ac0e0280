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
