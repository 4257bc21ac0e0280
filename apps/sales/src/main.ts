import { onShutdown, runService, startTelemetry } from '@retail-streams/service-kit';
import { loadSalesConfig } from './config.ts';
import { SERVICE_NAME, startSales } from './start-sales.ts';

// First, before anything creates spans.
const telemetry = startTelemetry({ serviceName: SERVICE_NAME });

await runService(SERVICE_NAME, async ({ logger }) => {
  onShutdown('telemetry', () => telemetry.shutdown());
  const config = loadSalesConfig();
  const sales = await startSales(config, logger);
  onShutdown('sales', () => sales.stop());
});
