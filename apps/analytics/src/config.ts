import { z } from 'zod';
import { commonConfig, kafkaConfig, loadConfig } from '@retail-streams/service-kit';
import { dashboardConfig } from './dashboard/dashboard-config.ts';

/** Analytics' environment. PORT defaults to 3000 (commonConfig). */
export const analyticsConfigSchema = z.object({
  ...commonConfig,
  DATABASE_URL: z.url(),
  /** When set, the `analytics` database is created through this URL if it is missing. */
  POSTGRES_ADMIN_URL: z.url().optional(),
  ...kafkaConfig,
  /** How long after a one-minute window ends its late events are still counted. */
  WINDOW_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /**
   * The exactly-once sales-per-minute stage's window (one minute; tests shorten it). Its grace is
   * WINDOW_GRACE_MS. Changing either needs its group reset (`analytics.sales-per-minute`).
   */
  SALES_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  TOP_PRODUCTS_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  TOP_PRODUCTS_ADVANCE_MS: z.coerce.number().int().positive().default(60_000),
  /**
   * A replay's pace until it has caught up: records per second it may feed the pipeline. Unbounded,
   * a replay takes every core and the shared PostgreSQL server from the live path (issue #15).
   */
  REPLAY_MAX_RECORDS_PER_SECOND: z.coerce.number().int().positive().default(500),
  /** At most one SSE summary per interval. */
  SSE_THROTTLE_MS: z.coerce.number().int().min(0).default(500),
  SSE_KEEPALIVE_MS: z.coerce.number().int().positive().default(15_000),
  ACCESS_LOG_FILE: z.string().min(1).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /**
   * Orders whose journeys (every span of their trace, from every service) the embedded collector
   * keeps for `GET /api/orders/:orderId/trace` and the dashboard; the oldest are forgotten first.
   */
  TRACE_KEEP_ORDERS: z.coerce.number().int().min(1).max(100_000).default(2_000),
  /** The dashboard's: DEMO_CONTROL_URL, DEMO_CONTROL_TOKEN (local demo only), REORDERING_URL. */
  ...dashboardConfig,
});

export type AnalyticsConfig = z.infer<typeof analyticsConfigSchema>;

export function loadAnalyticsConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsConfig {
  return loadConfig(analyticsConfigSchema, env);
}
