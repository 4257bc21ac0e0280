import { onShutdown, runService, startTelemetry } from '@retail-streams/service-kit';
import { loadAnalyticsConfig } from './config.ts';
import { SERVICE_NAME, startAnalytics } from './start-analytics.ts';

const telemetry = startTelemetry({ serviceName: SERVICE_NAME }); // first, before anything makes spans

await runService(SERVICE_NAME, async ({ logger }) => {
  onShutdown('telemetry', () => telemetry.shutdown());
  const config = loadAnalyticsConfig();
  const analytics = await startAnalytics(config, logger);
  onShutdown('analytics', () => analytics.stop());
});
