export { startTelemetry, traceHeaders, withSpan } from './start-telemetry.ts';
export type { Telemetry, TelemetryOptions } from './start-telemetry.ts';
export { RecentSpans } from './recent-spans.ts';
export { httpServerSpans } from './http-server-span.ts';
