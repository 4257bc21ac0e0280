/**
 * What the apache/kafka image makes of a container's environment before Kafka reads it, step by step
 * as its start scripts do (docker/resources/common-scripts in Apache Kafka's repository):
 *
 * 1. `configureDefaults` (when KAFKA_ZOOKEEPER_CONNECT is unset): each variable of a single-node
 *    default cluster that the environment leaves empty gets its default.
 * 2. `configure`: in KRaft mode (KAFKA_PROCESS_ROLES set) CLUSTER_ID must be set, and listeners
 *    default to the advertised listeners bound to 0.0.0.0. With SSL advertised, the key store is
 *    /etc/kafka/secrets/$KAFKA_SSL_KEYSTORE_FILENAME and its passwords are read from the files
 *    KAFKA_SSL_KEY_CREDENTIALS and KAFKA_SSL_KEYSTORE_CREDENTIALS name; with SASL advertised,
 *    KAFKA_OPTS must be set.
 * 3. `utility render-properties`: every KAFKA_* variable except the JVM/logging ones becomes a
 *    property: prefix dropped, lower case, `_` -> `.`, `__` -> `_`, `___` -> `-`.
 * 4. `launch`: `kafka-storage format --cluster-id=$CLUSTER_ID`, then the server starts.
 */

/** The single-node defaults of `configureDefaults`, applied to every unset or empty variable. */
const IMAGE_DEFAULTS: Readonly<Record<string, string>> = {
  CLUSTER_ID: '5L6g3nShT-eMCtK--X86sw',
  KAFKA_NODE_ID: '1',
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
    'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
  KAFKA_LISTENERS:
    'PLAINTEXT://localhost:29092,CONTROLLER://localhost:29093,PLAINTEXT_HOST://0.0.0.0:9092',
  KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://localhost:29092,PLAINTEXT_HOST://localhost:9092',
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_PROCESS_ROLES: 'broker,controller',
  KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:29093',
  KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
  KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
  KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
};

/** KAFKA_* variables that configure the JVM or logging, not Kafka (kafka-propertiesSpec.json). */
const NOT_PROPERTIES = new Set([
  'KAFKA_VERSION',
  'KAFKA_HEAP_OPT',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
]);

export interface ImageStart {
  /** The server.properties Kafka starts with. */
  properties: ReadonlyMap<string, string>;
  /** What `kafka-storage format` is given as the cluster id. */
  clusterId: string | undefined;
  /** Why the image's own scripts would stop before Kafka runs. */
  problems: string[];
}

/** Runs the image's start scripts over one container's environment. */
export function imageStart(environment: Readonly<Record<string, string>>): ImageStart {
  const env = { ...environment };
  if (!env['KAFKA_ZOOKEEPER_CONNECT']) {
    for (const [name, value] of Object.entries(IMAGE_DEFAULTS)) if (!env[name]) env[name] = value;
  }
  const problems: string[] = [];
  const roles = env['KAFKA_PROCESS_ROLES'];
  if (roles) {
    if (!env['CLUSTER_ID']) problems.push('CLUSTER_ID environment variable not set');
    if (roles === 'controller' && env['KAFKA_ADVERTISED_LISTENERS'])
      problems.push('KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller.');
  }
  if (!env['KAFKA_LISTENERS'] && roles !== 'controller' && env['KAFKA_ADVERTISED_LISTENERS'])
    env['KAFKA_LISTENERS'] = env['KAFKA_ADVERTISED_LISTENERS'].replace(
      /:\/\/[^:]*:/g,
      '://0.0.0.0:',
    );

  // configure: with SSL:// (or SASL_SSL://) advertised, the key store and its passwords come from
  // files in /etc/kafka/secrets named by three variables; the passwords are read there at start.
  if ((env['KAFKA_ADVERTISED_LISTENERS'] ?? '').includes('SSL://')) {
    for (const name of [
      'KAFKA_SSL_KEYSTORE_FILENAME',
      'KAFKA_SSL_KEY_CREDENTIALS',
      'KAFKA_SSL_KEYSTORE_CREDENTIALS',
    ])
      if (!env[name]) problems.push(`${name} environment variable not set`);
    if (env['KAFKA_SSL_KEYSTORE_FILENAME'])
      env['KAFKA_SSL_KEYSTORE_LOCATION'] =
        `/etc/kafka/secrets/${env['KAFKA_SSL_KEYSTORE_FILENAME']}`;
    if (env['KAFKA_SSL_KEY_CREDENTIALS'])
      env['KAFKA_SSL_KEY_PASSWORD'] =
        `<read from /etc/kafka/secrets/${env['KAFKA_SSL_KEY_CREDENTIALS']}>`;
    if (env['KAFKA_SSL_KEYSTORE_CREDENTIALS'])
      env['KAFKA_SSL_KEYSTORE_PASSWORD'] =
        `<read from /etc/kafka/secrets/${env['KAFKA_SSL_KEYSTORE_CREDENTIALS']}>`;
  }
  // configure: with SASL advertised, KAFKA_OPTS must be set (it expects a JAAS file there).
  if (/SASL_[A-Z]*:\/\//.test(env['KAFKA_ADVERTISED_LISTENERS'] ?? '') && !env['KAFKA_OPTS'])
    problems.push('KAFKA_OPTS environment variable not set');

  const properties = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KAFKA_') || NOT_PROPERTIES.has(name)) continue;
    properties.set(propertyName(name.slice('KAFKA_'.length)), value);
  }
  return { properties, clusterId: env['CLUSTER_ID'], problems };
}

/**
 * The image's `ConvertKey`: a single underscore between two other characters becomes a dot (matched
 * left to right without overlap, as Go's ReplaceAllStringFunc does), then `___` a dash and `__` an
 * underscore, all lower-cased. So KAFKA_NODE_ID is `node.id`.
 */
export function propertyName(variable: string): string {
  return variable
    .replace(/[^_]_[^_]/g, (match) => match.replaceAll('_', '.'))
    .replaceAll('___', '-')
    .replaceAll('__', '_')
    .toLowerCase();
}
