import { z } from 'zod';
import { commonConfig, kafkaConfig, loadConfig } from '@retail-streams/service-kit';

/**
 * Reordering's environment. `POSTGRES_ADMIN_URL` is optional: when given, the service creates its
 * own database (`reordering`) before migrating, which is what `npm start` on one embedded Postgres
 * needs; in Docker the database is provisioned beforehand and the variable is left unset.
 */
export const reorderingConfigSchema = z.object({
  ...commonConfig,
  PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  DATABASE_URL: z.url(),
  POSTGRES_ADMIN_URL: z.url().optional(),
  ...kafkaConfig,
  /** From a purchase order to its delivery; the simulated supplier ships half-way through. */
  SUPPLIER_LEAD_TIME_MS: z.coerce.number().int().min(0).default(10_000),
  /** One JSON line per HTTP request (contracts' `accessLogLine`) for the file source connector. */
  ACCESS_LOG_FILE: z.string().min(1).optional(),
});

export type ReorderingConfig = z.output<typeof reorderingConfigSchema>;

export function loadReorderingConfig(env: NodeJS.ProcessEnv = process.env): ReorderingConfig {
  return loadConfig(reorderingConfigSchema, env);
}
