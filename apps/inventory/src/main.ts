import { onShutdown, runService, startTelemetry } from '@retail-streams/service-kit';
import { loadInventoryConfig } from './config.ts';
import { startInventory } from './start-inventory.ts';

// First, before anything creates spans.
const telemetry = startTelemetry({ serviceName: 'inventory' });

await runService('inventory', async ({ logger }) => {
  onShutdown('telemetry', () => telemetry.shutdown());
  const config = loadInventoryConfig();
  const inventory = await startInventory(config, logger);
  onShutdown('inventory', () => inventory.stop());
});
