import { onShutdown, runService, startTelemetry } from '@retail-streams/service-kit';
import { loadAnalyticsConfig } from './config.ts';
import { SERVICE_NAME, startAnalytics } from './start-analytics.ts';
import { TraceStore } from './tracing/trace-store.ts';

// Analytics collects the demo's traces: its own spans go straight into the store. Telemetry starts
// first, before anything makes spans, so the store exists before the config is read.
const traces = new TraceStore();
const telemetry = startTelemetry({ serviceName: SERVICE_NAME, spanProcessors: [traces] });

await runService(SERVICE_NAME, async ({ logger }) => {
  onShutdown('telemetry', () => telemetry.shutdown());
  const config = loadAnalyticsConfig();
  traces.keepOrders = config.TRACE_KEEP_ORDERS;
  const analytics = await startAnalytics(config, logger, traces);
  onShutdown('analytics', () => analytics.stop());
});
