import { commonConfig, kafkaConfig, loadConfig, type Env } from '@retail-streams/service-kit';
import { z } from 'zod';

/**
 * The sales service's environment. `POSTGRES_ADMIN_URL` is optional: when set, the service creates
 * its own database (named after DATABASE_URL's path) before migrating, which is what the local
 * all-in-one start wants; in deployments the database usually exists already.
 */
export const salesConfigSchema = z.object({
  ...commonConfig,
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  DATABASE_URL: z.url(),
  POSTGRES_ADMIN_URL: z.url().optional(),
  ...kafkaConfig,
  INVENTORY_URL: z.url().default('http://localhost:3002'),
  /** How long the sync path waits for inventory before it answers 503. */
  SYNC_TIMEOUT_MS: z.coerce.number().int().positive().max(60_000).default(2000),
  /** One JSON line per HTTP request is appended here when set (shipped to `logs.access`). */
  ACCESS_LOG_FILE: z.string().min(1).optional(),
});

export type SalesConfig = z.output<typeof salesConfigSchema>;

export function loadSalesConfig(env: Env = process.env): SalesConfig {
  return loadConfig(salesConfigSchema, env);
}
