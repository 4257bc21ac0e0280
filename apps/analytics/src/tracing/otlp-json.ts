import { z } from 'zod';
import {
  statusName,
  type AttributeValue,
  type SpanKindName,
  type StoredSpan,
} from './stored-span.ts';

// The OTLP/HTTP JSON encoding of ExportTraceServiceRequest (opentelemetry-proto, JSON mapping):
// ids in hex, times as decimal nanosecond strings, attribute values as AnyValue objects.
// Attribute values are read as they come (see plain()): checking their nested AnyValue shape with
// a recursive schema cost most of the collector's time, and a value of an unknown shape is dropped.
const keyValue = z.object({ key: z.string(), value: z.unknown().optional() });
const hexId = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`, 'i'));
const nanos = z.union([z.string().regex(/^\d+$/), z.number().nonnegative()]);

const otlpSpan = z.object({
  traceId: hexId(32),
  spanId: hexId(16),
  parentSpanId: z.union([hexId(16), z.literal('')]).optional(),
  name: z.string(),
  kind: z.number().int().min(0).max(5).optional(),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: z.array(keyValue).optional(),
  status: z
    .object({ code: z.number().int().optional(), message: z.string().optional() })
    .optional(),
  links: z.array(z.object({ traceId: hexId(32), spanId: hexId(16) })).optional(),
});

export const exportTraceServiceRequest = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: z.array(keyValue).optional() }).optional(),
        scopeSpans: z.array(z.object({ spans: z.array(otlpSpan).optional() })).optional(),
      }),
    )
    .optional(),
});
export type ExportTraceServiceRequest = z.infer<typeof exportTraceServiceRequest>;

const kinds: SpanKindName[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];

/** An OTLP AnyValue as a plain value; undefined for a shape it is not (dropped, not an error). */
function plain(value: unknown): AttributeValue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['stringValue'] === 'string') return v['stringValue'];
  if (typeof v['boolValue'] === 'boolean') return v['boolValue'];
  const int = v['intValue'];
  if (typeof int === 'number' || (typeof int === 'string' && /^-?\d+$/.test(int)))
    return Number(int);
  if (typeof v['doubleValue'] === 'number') return v['doubleValue'];
  const values = (v['arrayValue'] as { values?: unknown } | undefined)?.values;
  if (Array.isArray(values))
    return values
      .map(plain)
      .filter(
        (item): item is string | number | boolean => item !== undefined && typeof item !== 'object',
      );
  return undefined;
}

function attributesOf(list: readonly z.infer<typeof keyValue>[] | undefined) {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    const converted = plain(value);
    if (converted !== undefined) attributes[key] = converted;
  }
  return attributes;
}

/** Nanoseconds since the epoch (a decimal string, beyond 2^53) as fractional milliseconds. */
const nanosToMs = (value: string | number): number =>
  typeof value === 'number' ? value / 1e6 : Number(BigInt(value) / 1000n) / 1e3;

/** Every span of a validated export request, flattened, with its resource's service.name. */
export function spansOfRequest(request: ExportTraceServiceRequest): StoredSpan[] {
  const spans: StoredSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const service = attributesOf(resourceSpans.resource?.attributes)['service.name'];
    for (const scope of resourceSpans.scopeSpans ?? [])
      for (const span of scope.spans ?? []) {
        const startMs = nanosToMs(span.startTimeUnixNano);
        spans.push({
          traceId: span.traceId.toLowerCase(),
          spanId: span.spanId.toLowerCase(),
          parentSpanId: span.parentSpanId ? span.parentSpanId.toLowerCase() : null,
          service: typeof service === 'string' ? service : 'unknown',
          name: span.name,
          kind: kinds[span.kind ?? 0] ?? 'internal',
          startMs,
          durationMs: Math.max(0, nanosToMs(span.endTimeUnixNano) - startMs),
          status: statusName(span.status?.code ?? 0),
          ...(span.status?.message ? { statusMessage: span.status.message } : {}),
          links: (span.links ?? []).map((link) => ({
            traceId: link.traceId.toLowerCase(),
            spanId: link.spanId.toLowerCase(),
          })),
          attributes: attributesOf(span.attributes),
        });
      }
  }
  return spans;
}
