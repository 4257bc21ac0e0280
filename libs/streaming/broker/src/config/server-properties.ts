import { readFileSync } from 'node:fs';
import { TOPIC_CONFIG_KEYS, type TopicConfig } from '../storage/index.ts';
import type { BrokerOptions } from './broker-options.ts';
import { ConfigError } from './config-error.ts';
import { parseProperties } from './properties.ts';
import { securityPropertiesToOptions } from './security-properties.ts';

export interface ServerPropertiesResult {
  options: Partial<BrokerOptions>;
  /** One line per key that was not understood or not applicable; the caller logs them. */
  warnings: string[];
}

/**
 * Keys found in stock `server.properties` files that make no sense for a single embedded node (threads,
 * replication, ZooKeeper/KRaft wiring). They are accepted silently so a Kafka config file works as-is.
 */
const IGNORED_KEYS = new Set([
  'process.roles',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'num.network.threads',
  'num.io.threads',
  'socket.send.buffer.bytes',
  'socket.receive.buffer.bytes',
  'num.recovery.threads.per.data.dir',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
  'share.coordinator.state.topic.replication.factor',
  'share.coordinator.state.topic.min.isr',
  'default.replication.factor',
  'min.insync.replicas',
  'zookeeper.connect',
  'zookeeper.connection.timeout.ms',
  'log.flush.interval.messages',
  'log.cleaner.enable',
  'delete.topic.enable',
]);

/**
 * Reads and maps a Kafka `server.properties` file, with `overrides` on top (kafka-server-start's
 * `--override key=value`); throws ConfigError if it cannot be read or a value is bad.
 */
export function loadServerProperties(
  path: string,
  overrides: ReadonlyArray<readonly [string, string]> = [],
): ServerPropertiesResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      'CONFIG_FILE_UNREADABLE',
      `cannot read config file ${path}: ${(err as Error).message}`,
    );
  }
  const props = parseProperties(text);
  for (const [key, value] of overrides) props.set(key, value);
  return serverPropertiesToOptions(props);
}

/** The transaction coordinator's broker properties (all integers). */
const TRANSACTION_PROPERTIES: Readonly<
  Record<
    string,
    'transactionMaxTimeoutMs' | 'transactionalIdExpirationMs' | 'transactionCheckIntervalMs'
  >
> = {
  'transaction.max.timeout.ms': 'transactionMaxTimeoutMs',
  'transactional.id.expiration.ms': 'transactionalIdExpirationMs',
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': 'transactionCheckIntervalMs',
};

/** Maps Kafka broker property names onto BrokerOptions. Unknown keys become warnings, never failures. */
export function serverPropertiesToOptions(
  props: ReadonlyMap<string, string>,
): ServerPropertiesResult {
  // Listeners, TLS, SASL and the authorizer first: they fail loudly on what cannot be served.
  const security = securityPropertiesToOptions(props);
  const options: Partial<BrokerOptions> = { ...security.options };
  const topicDefaults: Partial<TopicConfig> = {};
  const warnings: string[] = [...security.warnings];
  const int = (key: string) => parseIntValue(key, props.get(key)!);

  for (const [key, value] of props) {
    if (security.consumed.has(key)) continue;
    switch (key) {
      case 'log.dirs':
      case 'log.dir': {
        // log.dirs wins over log.dir, as in Kafka.
        if (key === 'log.dir' && props.has('log.dirs')) break;
        const dirs = value
          .split(',')
          .map((d) => d.trim())
          .filter((d) => d !== '');
        if (dirs.length === 0) throw new ConfigError('INVALID_CONFIG_VALUE', `${key} is empty`);
        if (dirs.length > 1)
          warnings.push(`${key}: only one log directory is supported; using ${dirs[0]}`);
        options.logDir = dirs[0];
        break;
      }
      case 'node.id':
      case 'broker.id':
        if (key === 'broker.id' && props.has('node.id')) break;
        options.nodeId = int(key);
        break;
      case 'num.partitions':
        options.numPartitions = int(key);
        break;
      case 'auto.create.topics.enable':
        options.autoCreateTopics = parseBool(key, value);
        break;
      case 'socket.request.max.bytes':
        options.maxRequestBytes = int(key);
        break;
      case 'log.retention.check.interval.ms':
        options.retentionCheckIntervalMs = int(key);
        break;
      case 'log.flush.interval.ms':
        options.flushIntervalMs = int(key);
        break;
      case 'log.cleaner.backoff.ms':
        options.logCleanerBackoffMs = int(key);
        break;
      case 'group.initial.rebalance.delay.ms':
        options.groupInitialRebalanceDelayMs = int(key);
        break;
      case 'log.retention.ms':
      case 'log.retention.minutes':
      case 'log.retention.hours':
        // Kafka's precedence: ms over minutes over hours.
        break;
      case 'log.roll.ms':
      case 'log.roll.hours':
        break;
      case 'log.retention.bytes':
        topicDefaults.retentionBytes = int(key);
        break;
      case 'log.segment.bytes':
        topicDefaults.segmentBytes = int(key);
        break;
      case 'message.max.bytes':
        topicDefaults.maxMessageBytes = int(key);
        break;
      case 'log.cleanup.policy':
        topicDefaults.cleanupPolicy = value;
        break;
      case 'log.message.timestamp.type':
        topicDefaults.messageTimestampType = value as TopicConfig['messageTimestampType'];
        break;
      case 'log.roll.jitter.ms':
      case 'log.roll.jitter.hours':
        break;
      default:
        if (key in TRANSACTION_PROPERTIES) options[TRANSACTION_PROPERTIES[key]!] = int(key);
        else if (IGNORED_KEYS.has(key)) break;
        else if (!setTopicDefault(topicDefaults, key, value))
          warnings.push(`unknown broker property "${key}" ignored`);
    }
  }

  setDurationDefaults(props, topicDefaults);
  if (Object.keys(topicDefaults).length > 0) options.topicDefaults = topicDefaults;
  return { options, warnings };
}

/** The topic defaults Kafka lets one give in several units: ms wins over minutes over hours. */
function setDurationDefaults(
  props: ReadonlyMap<string, string>,
  topicDefaults: Partial<TopicConfig>,
): void {
  const retentionMs = firstDuration(props, [
    ['log.retention.ms', 1],
    ['log.retention.minutes', 60_000],
    ['log.retention.hours', 3_600_000],
  ]);
  if (retentionMs !== undefined) topicDefaults.retentionMs = retentionMs;
  const segmentMs = firstDuration(props, [
    ['log.roll.ms', 1],
    ['log.roll.hours', 3_600_000],
  ]);
  if (segmentMs !== undefined) topicDefaults.segmentMs = segmentMs;
  const jitterMs = firstDuration(props, [
    ['log.roll.jitter.ms', 1],
    ['log.roll.jitter.hours', 3_600_000],
  ]);
  if (jitterMs !== undefined) topicDefaults.segmentJitterMs = jitterMs;
}

/**
 * The broker property that gives a topic config its default (log.preallocate for preallocate...):
 * parsed with the topic config's own rules. False if `key` is no such property.
 */
function setTopicDefault(topicDefaults: Partial<TopicConfig>, key: string, value: string): boolean {
  const k = TOPIC_CONFIG_KEYS.find((t) => t.synonyms[0] === key);
  if (!k) return false;
  try {
    (topicDefaults as Record<string, unknown>)[k.property] = k.parse(value);
  } catch (err) {
    throw new ConfigError('INVALID_CONFIG_VALUE', `${key}: ${(err as Error).message}`);
  }
  return true;
}

function firstDuration(
  props: ReadonlyMap<string, string>,
  keys: Array<[string, number]>,
): number | undefined {
  for (const [key, factor] of keys) {
    const raw = props.get(key);
    if (raw === undefined) continue;
    const n = parseIntValue(key, raw);
    // -1 means "forever" whatever the unit.
    return n < 0 ? -1 : n * factor;
  }
  return undefined;
}

function parseIntValue(key: string, raw: string): number {
  const trimmed = raw.trim();
  if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new ConfigError('INVALID_CONFIG_VALUE', `${key} must be an integer, got "${raw}"`);
  }
  return Number(trimmed);
}

function parseBool(key: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError('INVALID_CONFIG_VALUE', `${key} must be true or false, got "${raw}"`);
}
