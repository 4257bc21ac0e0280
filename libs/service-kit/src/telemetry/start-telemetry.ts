import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, SpanContext, SpanKind, Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import { RecentSpans } from './recent-spans.ts';
import { samplerFromEnv } from './sampler-from-env.ts';
import { otlpProtocol, otlpTraceExporter } from './trace-exporter.ts';

/**
 * Prisma's spans that say nothing about the database: query compilation, connecting, result
 * serialisation. Left out before they are created, so they cost nothing. What stays is each
 * operation, its SQL (`prisma:client:db_query`, a CLIENT span with db.query.text and
 * db.system.name) and the transactions' begin and commit.
 */
const quietPrismaSpans = [
  'prisma:client:compile',
  'prisma:client:connect',
  'prisma:client:disconnect',
  'prisma:client:serialize',
];

export interface TelemetryOptions {
  serviceName: string;
  /** Where OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT are read from (defaults to `process.env`). */
  env?: Record<string, string | undefined>;
  /** How many finished spans to keep in memory (default 2000). */
  keepSpans?: number;
  /** More span processors, e.g. the demo's trace store in analytics, which collects locally. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  serviceName: string;
  /** The OTLP traces URL spans are exported to, or undefined when they stay in this process. */
  exportUrl: string | undefined;
  tracer: Tracer;
  /** The most recent finished spans of this process, whether or not they are also exported. */
  spans: RecentSpans;
  /** Exports whatever is batched (tests, and before a planned exit). */
  forceFlush(): Promise<void>;
  /** Flushes, stops the provider and unregisters the globals, so telemetry can start again. */
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/**
 * Starts OpenTelemetry tracing for the process: a tracer provider with an OTLP http/protobuf exporter
 * when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set, nothing leaving the process
 * otherwise. Either way spans are also kept in a bounded in-memory buffer (`telemetry.spans`). The W3C
 * trace context (and baggage) propagator is registered globally, so `traceparent` crosses HTTP and
 * Kafka headers.
 *
 * The provider, the AsyncLocalStorage context manager and the propagator are registered here directly
 * rather than through @opentelemetry/sdk-node: the NodeSDK also loads the metrics and logs SDKs, every
 * OTLP/gRPC/Zipkin/Prometheus exporter and the resource detectors, none of which a service uses, and
 * that cost about 30 MB per process (measured in the commit that made this change).
 *
 * Call it first thing in a service's main, before creating the app. Tracing is process-global:
 * a second call returns the running instance.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (current !== undefined) return current;
  const env = options.env ?? process.env;
  const spans = new RecentSpans(options.keepSpans);
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return disabled(options, spans);
  const exportUrl = otlpTracesUrl(env);
  const spanProcessors: SpanProcessor[] = [spans, ...(options.spanProcessors ?? [])];
  if (exportUrl !== undefined)
    spanProcessors.push(
      new BatchSpanProcessor({ exporter: otlpTraceExporter(exportUrl, otlpProtocol(env)) }),
    );

  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    sampler: samplerFromEnv(env),
    // The relay's send span links to every outbox row it publishes (up to its batch size).
    spanLimits: { linkCountLimit: 1_000 },
    spanProcessors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  const prisma = new PrismaInstrumentation({ ignoreSpanTypes: quietPrismaSpans });
  prisma.setTracerProvider(provider);
  prisma.enable();

  let stopped: Promise<void> | undefined;
  const telemetry: Telemetry = {
    serviceName: options.serviceName,
    exportUrl,
    tracer: trace.getTracer(options.serviceName),
    spans,
    async forceFlush() {
      await Promise.all(spanProcessors.map((processor) => processor.forceFlush()));
    },
    shutdown() {
      stopped ??= (async () => {
        try {
          await provider.shutdown();
        } finally {
          prisma.disable();
          trace.disable();
          propagation.disable();
          context.disable();
          contextManager.disable();
          if (current === telemetry) current = undefined;
        }
      })();
      return stopped;
    },
  };
  current = telemetry;
  return telemetry;
}

/** OTEL_SDK_DISABLED=true: nothing is registered, every span is the API's no-op (benchmarks' "off"). */
function disabled(options: TelemetryOptions, spans: RecentSpans): Telemetry {
  const telemetry: Telemetry = {
    serviceName: options.serviceName,
    exportUrl: undefined,
    tracer: trace.getTracer(options.serviceName),
    spans,
    forceFlush: async () => undefined,
    shutdown: async () => {
      if (current === telemetry) current = undefined;
    },
  };
  current = telemetry;
  return telemetry;
}

/** The attribute that names the order a span is about: how one order's journey is found. */
export const ORDER_ID_ATTRIBUTE = 'retail.order.id';

/** Sets attributes on the active span (if any): e.g. `{ [ORDER_ID_ATTRIBUTE]: orderId }`. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The URL the exporter posts spans to, from the environment (also read by the compose checks). */
export function otlpTracesUrl(env: Record<string, string | undefined>): string | undefined {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (traces) return traces; // the signal-specific variable is the full URL, used as given
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Runs `fn` inside a new span (a child of the active one), ending it when `fn` settles and marking
 * it as an error when `fn` throws. Works without `startTelemetry` too (the span is then a no-op).
 */
export async function withSpan<T>(
  name: string,
  fn: (span: Span) => Promise<T> | T,
  options: { kind?: SpanKind; attributes?: Attributes; tracerName?: string } = {},
): Promise<T> {
  const tracer = trace.getTracer(options.tracerName ?? '@retail-streams/service-kit');
  return tracer.startActiveSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * The active trace context as headers (`traceparent`, `tracestate`, `baggage`) for an outgoing
 * request, so the callee's server span joins the caller's trace: `fetch(url, { headers: traceHeaders() })`.
 */
export function traceHeaders(headers: Record<string, string> = {}): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** The active context, for work done later on a request's behalf to continue its trace. */
export function activeTraceContext(): Context {
  return context.active();
}

/** The active span's context, to link to from work done later on behalf of many requests. */
export function activeSpanContext(): SpanContext | undefined {
  return trace.getSpanContext(context.active());
}

/**
 * The span context `from` carries (a consumed record's process span, say), to link to from work
 * done later for many records at once (see withBatchSpan).
 */
export function spanContextOf(from: Context): SpanContext | undefined {
  return trace.getSpanContext(from);
}

/**
 * Runs work done for many traces at once (a group commit) in a span of its own trace that links to
 * each of them: no one request is its parent. Its children (the transaction's database spans) are
 * found from any of the linked traces.
 */
export function withBatchSpan<T>(
  name: string,
  links: readonly (SpanContext | undefined)[],
  fn: () => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  const tracer = trace.getTracer('@retail-streams/service-kit');
  const span = tracer.startSpan(name, {
    root: true,
    attributes: { ...attributes, 'retail.batch.size': links.length },
    links: links.flatMap((link) => (link === undefined ? [] : [{ context: link }])),
  });
  return context.with(trace.setSpan(context.active(), span), async () => {
    try {
      return await fn();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
