import { z } from 'zod';
import { commonConfig, kafkaConfig, loadConfig, type Env } from '@retail-streams/service-kit';

/** Inventory's environment: the variables every service reads, plus its fault-injection knobs. */
export const inventoryConfigSchema = z.object({
  ...commonConfig,
  PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  DATABASE_URL: z.url(),
  /**
   * A server-level URL (e.g. postgres://postgres@localhost:5432/postgres). When set, the service
   * creates its own database (the name in DATABASE_URL) before migrating; when absent, the
   * database must already exist (docker compose, a managed server).
   */
  POSTGRES_ADMIN_URL: z.url().optional(),
  ...kafkaConfig,
  /** Where to append one JSON line per HTTP request (for the file source connector); off when unset. */
  ACCESS_LOG_FILE: z.string().optional(),
  /** Latency added to POST /reservations and to every event handled: a slow dependency on demand. */
  INVENTORY_ARTIFICIAL_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Mounts POST /admin/latency. Off by default: it lets any caller slow the service down. */
  ADMIN_ENDPOINTS: z.stringbool().default(false),
});

export type InventoryConfig = z.output<typeof inventoryConfigSchema>;

export function loadInventoryConfig(env?: Env): InventoryConfig {
  return loadConfig(inventoryConfigSchema, env);
}
