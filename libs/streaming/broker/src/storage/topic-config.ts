/**
 * Topic-level configuration: the keys the broker supports, their Kafka
 * defaults, parsing/validation of string overrides (CreateTopics, AlterConfigs)
 * and the DescribeConfigs view. Overrides are kept as the strings the client
 * sent so they round-trip exactly; the parsed TopicConfig drives behaviour.
 */
import { StorageError, StorageErrorCode } from './errors.ts';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface TopicConfig {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  /** "delete", "compact" or "compact,delete" (normalised order). */
  cleanupPolicy: string;
  maxMessageBytes: number;
  messageTimestampType: TimestampType;
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  minCleanableDirtyRatio: number;
  segmentIndexBytes: number;
  indexIntervalBytes: number;
  /** Informational: the broker flushes by its own flush interval. */
  flushMs: number;
  /** Informational. */
  flushMessages: number;
  minInsyncReplicas: number;
  compressionType: string;
}

/** Kafka's DescribeConfigs configType numbers. */
export const ConfigType = {
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
} as const;

export interface TopicConfigKey {
  /** Kafka name, e.g. "retention.ms". */
  name: string;
  property: keyof TopicConfig;
  type: 'int' | 'long' | 'double' | 'string' | 'list';
  /** DescribeConfigs configType. */
  configType: number;
  /** Kafka's default, as DescribeConfigs shows it. */
  defaultValue: string;
  doc: string;
  /** Parses and validates a string value; throws StorageError INVALID_CONFIG. */
  parse(value: string): number | string;
}

const LONG_MAX = '9223372036854775807';
const INT_MAX = 2 ** 31 - 1;

function invalid(name: string, value: string, why: string): StorageError {
  return new StorageError(
    StorageErrorCode.INVALID_CONFIG,
    `Invalid value ${value} for configuration ${name}: ${why}`,
  );
}

function longParser(name: string, min: number): (v: string) => number {
  return (v) => {
    const t = v.trim();
    if (!/^-?\d+$/.test(t)) throw invalid(name, v, 'not a number');
    // Longs above 2^53 lose precision as JS numbers; they only ever mean "practically infinite".
    const n = Number(t);
    if (n < min) throw invalid(name, v, `value must be at least ${min}`);
    if (n > 2 ** 63) throw invalid(name, v, 'out of range for a long');
    return n;
  };
}

function intParser(name: string, min: number): (v: string) => number {
  const long = longParser(name, min);
  return (v) => {
    const n = long(v);
    if (n > INT_MAX) throw invalid(name, v, 'out of range for an int');
    return n;
  };
}

function oneOf(name: string, allowed: readonly string[]): (v: string) => string {
  return (v) => {
    const t = v.trim();
    if (!allowed.includes(t)) throw invalid(name, v, `must be one of ${allowed.join(', ')}`);
    return t;
  };
}

function parseCleanupPolicy(v: string): string {
  const parts = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw invalid('cleanup.policy', v, 'must list delete and/or compact');
  for (const p of parts) {
    if (p !== 'delete' && p !== 'compact')
      throw invalid('cleanup.policy', v, `unknown policy "${p}"`);
  }
  return [...new Set(parts)].sort().join(',');
}

function parseRatio(v: string): number {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw invalid('min.cleanable.dirty.ratio', v, 'must be a number between 0 and 1');
  }
  return n;
}

function key(
  name: string,
  property: keyof TopicConfig,
  type: TopicConfigKey['type'],
  defaultValue: string,
  doc: string,
  parse: (v: string) => number | string,
): TopicConfigKey {
  const configType = {
    int: ConfigType.INT,
    long: ConfigType.LONG,
    double: ConfigType.DOUBLE,
    string: ConfigType.STRING,
    list: ConfigType.LIST,
  }[type];
  return { name, property, type, configType, defaultValue, doc, parse };
}

export const TOPIC_CONFIG_KEYS: readonly TopicConfigKey[] = [
  key(
    'cleanup.policy',
    'cleanupPolicy',
    'list',
    'delete',
    'delete old segments, compact by key, or both',
    parseCleanupPolicy,
  ),
  key(
    'compression.type',
    'compressionType',
    'string',
    'producer',
    'final compression type (only "producer" is applied: batches are stored as sent)',
    oneOf('compression.type', ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd']),
  ),
  key(
    'delete.retention.ms',
    'deleteRetentionMs',
    'long',
    '86400000',
    'how long delete tombstones are kept on compacted topics',
    longParser('delete.retention.ms', 0),
  ),
  key(
    'flush.messages',
    'flushMessages',
    'long',
    LONG_MAX,
    'informational: the broker fsyncs on its flush interval',
    longParser('flush.messages', 1),
  ),
  key(
    'flush.ms',
    'flushMs',
    'long',
    LONG_MAX,
    'informational: the broker fsyncs on its flush interval',
    longParser('flush.ms', 0),
  ),
  key(
    'index.interval.bytes',
    'indexIntervalBytes',
    'int',
    '4096',
    'bytes of log between two offset index entries',
    intParser('index.interval.bytes', 0),
  ),
  key(
    'max.compaction.lag.ms',
    'maxCompactionLagMs',
    'long',
    LONG_MAX,
    'maximum time a record stays ineligible for compaction',
    longParser('max.compaction.lag.ms', 1),
  ),
  key(
    'max.message.bytes',
    'maxMessageBytes',
    'int',
    '1048588',
    'largest record batch size accepted',
    intParser('max.message.bytes', 0),
  ),
  key(
    'message.timestamp.type',
    'messageTimestampType',
    'string',
    'CreateTime',
    'CreateTime keeps producer timestamps, LogAppendTime stamps the broker time',
    oneOf('message.timestamp.type', ['CreateTime', 'LogAppendTime']),
  ),
  key(
    'min.cleanable.dirty.ratio',
    'minCleanableDirtyRatio',
    'double',
    '0.5',
    'dirty ratio that makes a compacted log eligible for cleaning',
    parseRatio,
  ),
  key(
    'min.compaction.lag.ms',
    'minCompactionLagMs',
    'long',
    '0',
    'minimum time a record stays uncompacted',
    longParser('min.compaction.lag.ms', 0),
  ),
  key(
    'min.insync.replicas',
    'minInsyncReplicas',
    'int',
    '1',
    'informational on a single node',
    intParser('min.insync.replicas', 1),
  ),
  key(
    'retention.bytes',
    'retentionBytes',
    'long',
    '-1',
    'maximum partition size before old segments are deleted (-1: unlimited)',
    longParser('retention.bytes', -1),
  ),
  key(
    'retention.ms',
    'retentionMs',
    'long',
    '604800000',
    'maximum age of a segment before it is deleted (-1: unlimited)',
    longParser('retention.ms', -1),
  ),
  key(
    'segment.bytes',
    'segmentBytes',
    'int',
    '1073741824',
    'segment file size at which the log rolls',
    intParser('segment.bytes', 14),
  ),
  key(
    'segment.index.bytes',
    'segmentIndexBytes',
    'int',
    '10485760',
    'informational: indexes are not preallocated',
    intParser('segment.index.bytes', 4),
  ),
  key(
    'segment.ms',
    'segmentMs',
    'long',
    '604800000',
    'segment age at which the log rolls',
    longParser('segment.ms', 1),
  ),
];

const KEY_BY_NAME: ReadonlyMap<string, TopicConfigKey> = new Map(
  TOPIC_CONFIG_KEYS.map((k) => [k.name, k]),
);

export function topicConfigKey(name: string): TopicConfigKey | undefined {
  return KEY_BY_NAME.get(name);
}

function buildDefaults(): TopicConfig {
  const out: Record<string, number | string> = {};
  for (const k of TOPIC_CONFIG_KEYS) out[k.property] = k.parse(k.defaultValue);
  return out as unknown as TopicConfig;
}

/** Kafka's defaults for every supported topic config. */
export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze(buildDefaults());

/**
 * Validates topic-level overrides (Kafka names -> string values).
 * Throws StorageError INVALID_CONFIG for unknown keys or bad values.
 * Returns the normalised overrides (e.g. cleanup.policy "delete,compact" -> "compact,delete").
 */
export function validateTopicOverrides(
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(overrides)) {
    const k = KEY_BY_NAME.get(name);
    if (!k)
      throw new StorageError(StorageErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
    if (typeof value !== 'string') throw invalid(name, String(value), 'value must be a string');
    const parsed = k.parse(value);
    out[name] = typeof parsed === 'string' ? parsed : value.trim();
  }
  return out;
}

/** The effective config: broker defaults overlaid with (already validated) topic overrides. */
export function resolveTopicConfig(
  defaults: Readonly<Partial<TopicConfig>>,
  overrides: Readonly<Record<string, string>>,
): TopicConfig {
  const config = { ...DEFAULT_TOPIC_CONFIG } as Record<string, number | string>;
  for (const [k, v] of Object.entries(defaults)) if (v !== undefined) config[k] = v;
  for (const [name, value] of Object.entries(overrides)) {
    const k = KEY_BY_NAME.get(name);
    if (k) config[k.property] = k.parse(value);
  }
  return config as unknown as TopicConfig;
}

/** Formats a config value as DescribeConfigs shows it. */
export function formatConfigValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (value >= 2 ** 63) return LONG_MAX;
  return String(value);
}

export interface TopicConfigEntry {
  name: string;
  value: string;
  /** True when the value comes from the broker defaults, not a topic override. */
  isDefault: boolean;
  source: 'TOPIC_CONFIG' | 'DEFAULT_CONFIG';
  readOnly: boolean;
  sensitive: boolean;
  configType: number;
  doc: string;
}

/** Every supported key with its effective value, for DescribeConfigs. */
export function describeTopicConfig(
  config: Readonly<TopicConfig>,
  overrides: Readonly<Record<string, string>>,
): TopicConfigEntry[] {
  return TOPIC_CONFIG_KEYS.map((k) => {
    const overridden = Object.hasOwn(overrides, k.name);
    return {
      name: k.name,
      value: overridden ? overrides[k.name]! : formatConfigValue(config[k.property]),
      isDefault: !overridden,
      source: overridden ? 'TOPIC_CONFIG' : 'DEFAULT_CONFIG',
      readOnly: false,
      sensitive: false,
      configType: k.configType,
      doc: k.doc,
    };
  });
}

/** True when the policy includes time/size based deletion. */
export function deletesOldSegments(config: Readonly<TopicConfig>): boolean {
  return config.cleanupPolicy.split(',').includes('delete');
}

/**
 * Checks broker-level defaults (from server.properties or options) with the
 * same rules as topic overrides and fills the missing ones with Kafka's.
 * Throws StorageError INVALID_CONFIG naming the bad key.
 */
export function resolveBrokerDefaults(defaults: Readonly<Partial<TopicConfig>>): TopicConfig {
  const config = resolveTopicConfig(defaults, {});
  for (const k of TOPIC_CONFIG_KEYS) {
    const value = config[k.property];
    if (typeof value !== typeof DEFAULT_TOPIC_CONFIG[k.property]) {
      throw invalid(
        k.name,
        String(value),
        `broker default must be a ${typeof DEFAULT_TOPIC_CONFIG[k.property]}`,
      );
    }
    k.parse(formatConfigValue(value));
  }
  return config;
}
