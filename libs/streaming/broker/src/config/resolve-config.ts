import { ConfigError } from './config-error.ts';
import type { BrokerConfig, BrokerOptions } from './broker-options.ts';

export const DEFAULT_PORT = 9092;
export const DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024;
export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
export const DEFAULT_LOG_CLEANER_BACKOFF_MS = 15_000;

/** Applies defaults and checks every value, throwing ConfigError with a code naming the bad setting. */
export function resolveBrokerConfig(options: BrokerOptions): BrokerConfig {
  if (typeof options.logDir !== 'string' || options.logDir.trim() === '') {
    throw new ConfigError('MISSING_LOG_DIR', 'a log directory is required (--log-dir or log.dirs)');
  }
  const port = options.port ?? DEFAULT_PORT;
  checkInt('port', port, 0, 65535);
  const host = options.host ?? '127.0.0.1';
  const advertisedHost = options.advertisedHost ?? (isWildcard(host) ? '127.0.0.1' : host);
  const advertisedPort = options.advertisedPort ?? null;
  if (advertisedPort !== null) checkInt('advertisedPort', advertisedPort, 1, 65535);
  const nodeId = options.nodeId ?? 1;
  checkInt('nodeId', nodeId, 0, 2 ** 31 - 1);
  const numPartitions = options.numPartitions ?? 1;
  checkInt('numPartitions', numPartitions, 1, 1_000_000);
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  checkInt('maxRequestBytes', maxRequestBytes, 64, 2 ** 31 - 1);
  const retentionCheckIntervalMs =
    options.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS;
  checkInt('retentionCheckIntervalMs', retentionCheckIntervalMs, 1, 2 ** 31 - 1);
  const flushIntervalMs = options.flushIntervalMs ?? null;
  if (flushIntervalMs !== null)
    checkInt('flushIntervalMs', flushIntervalMs, 1, Number.MAX_SAFE_INTEGER);
  const groupInitialRebalanceDelayMs = options.groupInitialRebalanceDelayMs ?? 0;
  checkInt('groupInitialRebalanceDelayMs', groupInitialRebalanceDelayMs, 0, 2 ** 31 - 1);
  const logCleanerBackoffMs =
    options.logCleanerBackoffMs === undefined
      ? DEFAULT_LOG_CLEANER_BACKOFF_MS
      : options.logCleanerBackoffMs;
  if (logCleanerBackoffMs !== null)
    checkInt('logCleanerBackoffMs', logCleanerBackoffMs, 1, 2 ** 31 - 1);
  return {
    port,
    host,
    advertisedHost,
    advertisedPort,
    logDir: options.logDir,
    nodeId,
    autoCreateTopics: options.autoCreateTopics ?? true,
    numPartitions,
    maxRequestBytes,
    topicDefaults: { ...options.topicDefaults },
    retentionCheckIntervalMs,
    flushIntervalMs,
    groupInitialRebalanceDelayMs,
    logCleanerBackoffMs,
  };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

function checkInt(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      'INVALID_CONFIG_VALUE',
      `${name} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  }
}
