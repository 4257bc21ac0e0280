import { z } from 'zod';
import {
  statusName,
  type AttributeValue,
  type SpanKindName,
  type StoredSpan,
} from './stored-span.ts';

// The OTLP/HTTP JSON encoding of ExportTraceServiceRequest (opentelemetry-proto, JSON mapping):
// ids in hex, times as decimal nanosecond strings, attribute values as AnyValue objects.
const anyValue: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z.union([z.number(), z.string()]).optional(),
    doubleValue: z.number().optional(),
    arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
  }),
);
const keyValue = z.object({ key: z.string(), value: anyValue.optional() });
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

function plain(value: unknown): AttributeValue | undefined {
  const v = value as {
    stringValue?: string;
    boolValue?: boolean;
    intValue?: number | string;
    doubleValue?: number;
    arrayValue?: { values?: unknown[] };
  };
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined)
    return (v.arrayValue.values ?? [])
      .map(plain)
      .filter((item): item is string | number | boolean => typeof item !== 'object');
  return undefined;
}

function attributesOf(list: readonly z.infer<typeof keyValue>[] | undefined) {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    const converted = value === undefined ? undefined : plain(value);
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
