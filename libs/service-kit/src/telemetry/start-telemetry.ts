import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span, SpanKind, Tracer } from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { RecentSpans } from './recent-spans.ts';

export interface TelemetryOptions {
  serviceName: string;
  /** Where OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT are read from (defaults to `process.env`). */
  env?: Record<string, string | undefined>;
  /** How many finished spans to keep in memory (default 2000). */
  keepSpans?: number;
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
  /** Flushes, stops the SDK and unregisters the global providers, so telemetry can start again. */
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/**
 * Starts OpenTelemetry tracing for the process: the NodeSDK with an OTLP http/protobuf exporter when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set, nothing leaving the process otherwise.
 * Either way spans are also kept in a bounded in-memory buffer (`telemetry.spans`). The W3C trace
 * context (and baggage) propagator is registered globally, so `traceparent` crosses HTTP and Kafka
 * headers. Metrics and log export are deliberately not configured.
 *
 * Call it first thing in a service's main, before creating the app. The SDK is process-global:
 * a second call returns the running instance.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (current !== undefined) return current;
  const env = options.env ?? process.env;
  const exportUrl = otlpTracesUrl(env);
  const spans = new RecentSpans(options.keepSpans);
  const spanProcessors: SpanProcessor[] = [spans];
  if (exportUrl !== undefined)
    spanProcessors.push(
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: exportUrl }) }),
    );

  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors,
    // Empty lists rather than absent: absent means "configure from OTEL_* variables", which would
    // turn on OTLP metric and log exporters nobody asked for.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  });
  sdk.start();

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
          await sdk.shutdown();
        } finally {
          trace.disable();
          propagation.disable();
          context.disable();
          if (current === telemetry) current = undefined;
        }
      })();
      return stopped;
    },
  };
  current = telemetry;
  return telemetry;
}

function otlpTracesUrl(env: Record<string, string | undefined>): string | undefined {
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
