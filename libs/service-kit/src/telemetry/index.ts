export {
  activeSpanContext,
  activeTraceContext,
  annotateActiveSpan,
  ORDER_ID_ATTRIBUTE,
  otlpTracesUrl,
  spanContextOf,
  startTelemetry,
  traceHeaders,
  withBatchSpan,
  withSpan,
} from './start-telemetry.ts';
export type { Telemetry, TelemetryOptions } from './start-telemetry.ts';
export { RecentSpans } from './recent-spans.ts';
export { httpServerSpans } from './http-server-span.ts';
export { withHttpClientSpan } from './http-client-span.ts';
export type { HttpClientCall } from './http-client-span.ts';
export type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
