import { ConfigError } from './config-error.ts';
import type { BrokerConfig, BrokerOptions, ResolvedListener } from './broker-options.ts';
import { SECURITY_PROTOCOLS, isSasl, isTls } from './listeners.ts';
import type { ListenerOptions } from './listeners.ts';

export const DEFAULT_PORT = 9092;
export const DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024;
export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
export const DEFAULT_LOG_CLEANER_BACKOFF_MS = 15_000;
export const DEFAULT_AUTHENTICATION_TIMEOUT_MS = 10_000;

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
  const transactionMaxTimeoutMs = options.transactionMaxTimeoutMs ?? 900_000;
  checkInt('transactionMaxTimeoutMs', transactionMaxTimeoutMs, 1, 2 ** 31 - 1);
  const transactionalIdExpirationMs = options.transactionalIdExpirationMs ?? 604_800_000;
  checkInt('transactionalIdExpirationMs', transactionalIdExpirationMs, 1, 2 ** 31 - 1);
  const transactionCheckIntervalMs = options.transactionCheckIntervalMs ?? 10_000;
  checkInt('transactionCheckIntervalMs', transactionCheckIntervalMs, 1, 2 ** 31 - 1);
  const listeners = resolveListeners(
    options.listeners ?? [
      {
        name: 'PLAINTEXT',
        host,
        port,
        securityProtocol: 'PLAINTEXT',
        advertisedHost,
        ...(advertisedPort !== null ? { advertisedPort } : {}),
      },
    ],
  );
  const first = listeners[0];
  const connectionsMaxReauthMs = options.connectionsMaxReauthMs ?? 0;
  checkInt('connectionsMaxReauthMs', connectionsMaxReauthMs, 0, Number.MAX_SAFE_INTEGER);
  const authenticationTimeoutMs =
    options.authenticationTimeoutMs ?? DEFAULT_AUTHENTICATION_TIMEOUT_MS;
  checkInt('authenticationTimeoutMs', authenticationTimeoutMs, 1, 2 ** 31 - 1);
  const authorizer = options.authorizer
    ? {
        superUsers: [...(options.authorizer.superUsers ?? [])],
        allowEveryoneIfNoAclFound: options.authorizer.allowEveryoneIfNoAclFound ?? false,
      }
    : null;
  const scramUsers = (options.scramUsers ?? []).map((u) => {
    if (!u.name) throw new ConfigError('INVALID_CONFIG_VALUE', 'a SCRAM user needs a name');
    if (u.mechanism !== 'SCRAM-SHA-256' && u.mechanism !== 'SCRAM-SHA-512')
      throw new ConfigError(
        'UNSUPPORTED_SASL_MECHANISM',
        `SCRAM user ${u.name}: mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512`,
      );
    if (!u.password)
      throw new ConfigError('INVALID_CONFIG_VALUE', `SCRAM user ${u.name}: the password is empty`);
    const iterations = u.iterations ?? 4096;
    checkInt(`SCRAM user ${u.name} iterations`, iterations, 4096, 16384);
    return { ...u, iterations };
  });
  return {
    listeners,
    authorizer,
    scramUsers,
    connectionsMaxReauthMs,
    authenticationTimeoutMs,
    port: first.port,
    host: first.host,
    advertisedHost: first.advertisedHost,
    advertisedPort: first.advertisedPort ?? null,
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
    transactionMaxTimeoutMs,
    transactionalIdExpirationMs,
    transactionCheckIntervalMs,
  };
}

/** Checks each listener the way Kafka does at start-up: a protocol it cannot serve is an error, never plaintext. */
function resolveListeners(list: ListenerOptions[]): ResolvedListener[] {
  if (list.length === 0)
    throw new ConfigError('INVALID_LISTENER', 'listeners: at least one listener is required');
  const names = new Set<string>();
  return list.map((l) => {
    const where = `listener ${l.name}`;
    if (!/^[A-Z0-9_]+$/i.test(l.name))
      throw new ConfigError('INVALID_LISTENER', `${where}: a name is letters, digits and _`);
    if (names.has(l.name.toUpperCase()))
      throw new ConfigError('INVALID_LISTENER', `listeners: ${l.name} appears more than once`);
    names.add(l.name.toUpperCase());
    checkInt(`${where} port`, l.port, 0, 65535);
    if (l.advertisedPort !== undefined)
      checkInt(`${where} advertised port`, l.advertisedPort, 1, 65535);
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(l.securityProtocol))
      throw new ConfigError(
        'UNSUPPORTED_SECURITY_PROTOCOL',
        `listener.security.protocol.map: ${where} has unknown security protocol ${String(l.securityProtocol)}`,
      );
    if (isTls(l.securityProtocol) && !l.ssl)
      throw new ConfigError(
        'SSL_KEYSTORE_MISSING',
        `${where} is ${l.securityProtocol} but has no TLS key (ssl.keystore.location)`,
      );
    if (isSasl(l.securityProtocol)) {
      if (!l.sasl || l.sasl.enabledMechanisms.length === 0)
        throw new ConfigError(
          'UNSUPPORTED_SASL_MECHANISM',
          `${where} is ${l.securityProtocol} but no SASL mechanism is enabled (sasl.enabled.mechanisms)`,
        );
      if (l.sasl.enabledMechanisms.includes('PLAIN') && !l.sasl.plainUsers)
        throw new ConfigError(
          'SASL_JAAS_CONFIG_MISSING',
          `${where} enables PLAIN but has no users (listener.name.${l.name.toLowerCase()}.plain.sasl.jaas.config)`,
        );
    }
    const host = l.host === '' ? '0.0.0.0' : l.host;
    return {
      ...l,
      name: l.name.toUpperCase(),
      host,
      advertisedHost: l.advertisedHost ?? (isWildcard(host) ? '127.0.0.1' : host),
    };
  });
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
