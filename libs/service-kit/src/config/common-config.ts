import { z } from 'zod';

/**
 * Variables every service reads, with sane local defaults, to spread into a service's schema:
 * `loadConfig(z.object({ ...commonConfig, DATABASE_URL: z.url() }))`.
 */
export const commonConfig = {
  /** The HTTP port; 0 lets the OS pick one (tests). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Grace period for SIGTERM/SIGINT before the process gives up on stuck shutdown steps. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
};

/** A comma-separated list of `host:port` pairs, e.g. `KAFKA_BROKERS=localhost:9092,localhost:9093`. */
export const hostPortList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port'))
      .min(1, 'a comma-separated list of host:port'),
  );
