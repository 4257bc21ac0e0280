import type { Router } from 'express';
import { HttpProblem } from '@retail-streams/service-kit';
import { ConsumerGroupMonitor } from './consumer-groups.ts';
import type { DashboardConfig } from './dashboard-config.ts';
import { demoControlRoutes } from './demo-control-proxy.ts';
import { openPurchaseOrderRoutes } from './open-purchase-orders.ts';
import { staticAssetRoutes } from './static-assets.ts';

export interface DashboardOptions {
  config: DashboardConfig & { KAFKA_BROKERS: readonly string[] };
}

export interface Dashboard {
  /** Closes the admin connection behind the consumer groups panel. */
  close(): Promise<void>;
}

/**
 * Mounts the live dashboard on analytics' router: the page at `/` and its scripts, plus the read-only
 * endpoints for what the summary does not hold (consumer groups, reordering's open purchase orders)
 * and the proxy to the demo orchestrator's controls. The charts themselves are fed by `/api/stream`.
 */
export function dashboardRoutes(router: Router, options: DashboardOptions): Dashboard {
  const { config } = options;
  const groups = new ConsumerGroupMonitor({ brokers: config.KAFKA_BROKERS });

  staticAssetRoutes(router);

  // `GET /api/dashboard/consumers` → ConsumerGroupsSnapshot: lag and owner per group and partition.
  router.get('/api/dashboard/consumers', async (_req, res) => {
    try {
      res.json(await groups.snapshot());
    } catch (error) {
      throw new HttpProblem({
        status: 503,
        code: 'BROKER_UNREACHABLE',
        detail: `Consumer groups are unavailable: ${(error as Error).message}`,
        cause: error,
      });
    }
  });

  openPurchaseOrderRoutes(router, { reorderingUrl: config.REORDERING_URL });
  demoControlRoutes(router, { url: config.DEMO_CONTROL_URL, token: config.DEMO_CONTROL_TOKEN });

  return { close: () => groups.close() };
}
