import type { ReadableSpan } from '@retail-streams/service-kit';

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type AttributeValue = string | number | boolean | readonly (string | number | boolean)[];

/** One finished span as the trace store keeps it and the trace API answers it. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** service.name of the process that recorded it. */
  service: string;
  name: string;
  kind: SpanKindName;
  /** Start, epoch milliseconds (fractional: microseconds survive). */
  startMs: number;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
  statusMessage?: string;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, AttributeValue>;
}

/** The API's SpanKind values, in order (OTLP's are these plus one, 0 being "unspecified"). */
const kindNames: readonly SpanKindName[] = ['internal', 'server', 'client', 'producer', 'consumer'];

/** The API's and OTLP's status codes are the same: 0 unset, 1 ok, 2 error. */
export function statusName(code: number): StoredSpan['status'] {
  if (code === 2) return 'error';
  return code === 1 ? 'ok' : 'unset';
}

const hrToMs = ([seconds, nanos]: readonly [number, number]): number => seconds * 1e3 + nanos / 1e6;

/** A span this process recorded itself (analytics' own spans never leave the process). */
export function fromReadableSpan(span: ReadableSpan): StoredSpan {
  const context = span.spanContext();
  const attributes: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(span.attributes))
    if (value !== undefined && value !== null) attributes[key] = value as AttributeValue;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    name: span.name,
    kind: kindNames[span.kind] ?? 'internal',
    startMs: hrToMs(span.startTime),
    durationMs: hrToMs(span.duration),
    status: statusName(span.status.code),
    ...(span.status.message ? { statusMessage: span.status.message } : {}),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
    })),
    attributes,
  };
}
