import { z } from 'zod';

/**
 * Variables every service reads, with sane local defaults, to spread into a service's schema:
 * `loadConfig(z.object({ ...commonConfig, DATABASE_URL: z.url() }))`.
 */
export const commonConfig = {
  /** The HTTP port; 0 lets the OS pick one (tests). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * The interface the HTTP server binds. Loopback by default, so a service started on a laptop (the
   * local demo, a test) is not reachable from the network; a container sets 0.0.0.0, because the
   * published port reaches it through the container's own interface.
   */
  HOST: z
    .union([z.ipv4(), z.ipv6(), z.hostname()], {
      error: 'an IP address or host name to bind (0.0.0.0 for every interface)',
    })
    .default('127.0.0.1'),
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

/**
 * How a service reaches Kafka: the bootstrap servers and, on a secured cluster, its credentials.
 * PLAINTEXT without credentials by default; the streaming client's `clientSecurityFromEnv` checks
 * what only makes sense together (a SASL protocol needs a mechanism, a user and a password).
 */
export const kafkaConfig = {
  KAFKA_BROKERS: hostPortList.default(['localhost:9092']),
  KAFKA_SECURITY_PROTOCOL: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** A PEM file with the CA certificates the brokers' certificates chain to. */
  KAFKA_SSL_CA_LOCATION: z.string().min(1).optional(),
  /** `false` skips the host name check of the brokers' certificates. */
  KAFKA_SSL_CHECK_HOSTNAME: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
};
