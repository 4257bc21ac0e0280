import { onShutdown, runService, startTelemetry } from '@retail-streams/service-kit';
import { loadReorderingConfig } from './config.ts';
import { serviceName, startReordering } from './start-reordering.ts';

// First, before anything creates spans.
const telemetry = startTelemetry({ serviceName });

await runService(serviceName, async ({ logger }) => {
  onShutdown('telemetry', () => telemetry.shutdown());
  const config = loadReorderingConfig();
  const service = await startReordering(config, logger);
  onShutdown('reordering', () => service.stop());
  logger.info(
    { url: service.url, supplierLeadTimeMs: config.SUPPLIER_LEAD_TIME_MS },
    'reordering listening',
  );
});
