import type { Router } from 'express';
import { HttpProblem } from '@retail-streams/service-kit';
import { BrokerAccessMonitor } from './broker-access.ts';
import { ConsumerGroupMonitor } from './consumer-groups.ts';
import type { KafkaSecurityEnv } from '@retail-streams/streaming-client';
import type { DashboardConfig } from './dashboard-config.ts';
import { monitorConnection } from './monitor-connection.ts';
import { demoControlRoutes } from './demo-control-proxy.ts';
import { openPurchaseOrderRoutes } from './open-purchase-orders.ts';
import { staticAssetRoutes } from './static-assets.ts';

export interface DashboardOptions {
  config: DashboardConfig & KafkaSecurityEnv & { KAFKA_BROKERS: readonly string[] };
}

export interface Dashboard {
  /** Closes the admin connections behind the consumer groups and access panels. */
  close(): Promise<void>;
}

/**
 * Mounts the live dashboard on analytics' router: the page at `/` and its scripts, plus the read-only
 * endpoints for what the summary does not hold (consumer groups, reordering's open purchase orders)
 * and the proxy to the demo orchestrator's controls. The charts themselves are fed by `/api/stream`.
 */
export function dashboardRoutes(router: Router, options: DashboardOptions): Dashboard {
  const { config } = options;
  const connection = monitorConnection(config);
  const groups = new ConsumerGroupMonitor(connection);
  const access = new BrokerAccessMonitor(connection);

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

  // `GET /api/dashboard/access` → BrokerAccessSnapshot: each principal and what its ACLs allow.
  router.get('/api/dashboard/access', async (_req, res) => {
    try {
      res.json(await access.snapshot());
    } catch (error) {
      throw new HttpProblem({
        status: 503,
        code: 'BROKER_UNREACHABLE',
        detail: `The broker's ACLs are unavailable: ${(error as Error).message}`,
        cause: error,
      });
    }
  });

  openPurchaseOrderRoutes(router, { reorderingUrl: config.REORDERING_URL });
  demoControlRoutes(router, { url: config.DEMO_CONTROL_URL, token: config.DEMO_CONTROL_TOKEN });

  return { close: async () => void (await Promise.all([groups.close(), access.close()])) };
}
