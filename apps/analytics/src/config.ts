import { z } from 'zod';
import { commonConfig, hostPortList, loadConfig } from '@retail-streams/service-kit';
import { dashboardConfig } from './dashboard/dashboard-config.ts';

/** Analytics' environment. PORT defaults to 3000 (commonConfig). */
export const analyticsConfigSchema = z.object({
  ...commonConfig,
  DATABASE_URL: z.url(),
  /** When set, the `analytics` database is created through this URL if it is missing. */
  POSTGRES_ADMIN_URL: z.url().optional(),
  KAFKA_BROKERS: hostPortList.default(['localhost:9092']),
  /** How long after a one-minute window ends its late events are still counted. */
  WINDOW_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  TOP_PRODUCTS_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  TOP_PRODUCTS_ADVANCE_MS: z.coerce.number().int().positive().default(60_000),
  /** At most one SSE summary per interval. */
  SSE_THROTTLE_MS: z.coerce.number().int().min(0).default(500),
  SSE_KEEPALIVE_MS: z.coerce.number().int().positive().default(15_000),
  ACCESS_LOG_FILE: z.string().min(1).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** The dashboard's: DEMO_CONTROL_URL, DEMO_CONTROL_TOKEN (local demo only), REORDERING_URL. */
  ...dashboardConfig,
});

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;

export function loadAnalyticsConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsConfig {
  return loadConfig(analyticsConfigSchema, env);
}
