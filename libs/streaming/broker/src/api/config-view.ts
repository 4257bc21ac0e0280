import type { BrokerContext } from './types.ts';
import { TOPIC_CONFIG_KEYS } from '../storage/index.ts';
import type { TopicConfig } from '../storage/index.ts';

/** DescribeConfigs ConfigSource numbers. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** DescribeConfigs ConfigType numbers (0 = unknown). */
const ConfigTypeNum = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, LIST: 7 } as const;

/** The broker-level property that provides each topic config's default (Kafka's synonym names). */
export const BROKER_SYNONYM: Readonly<Record<string, string>> = {
  'cleanup.policy': 'log.cleanup.policy',
  'compression.type': 'compression.type',
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  'index.interval.bytes': 'log.index.interval.bytes',
  'max.compaction.lag.ms': 'log.cleaner.max.compaction.lag.ms',
  'max.message.bytes': 'message.max.bytes',
  'message.timestamp.type': 'log.message.timestamp.type',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'min.insync.replicas': 'min.insync.replicas',
  'retention.bytes': 'log.retention.bytes',
  'retention.ms': 'log.retention.ms',
  'segment.bytes': 'log.segment.bytes',
  'segment.index.bytes': 'log.index.size.max.bytes',
  'segment.ms': 'log.roll.ms',
};

export interface ConfigSynonymView {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntryView {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** Kafka's v0 notion: the value is the built-in default. */
  isDefault: boolean;
  source: number;
  isSensitive: boolean;
  configType: number;
  documentation: string;
  /** In precedence order, the effective one first. */
  synonyms: ConfigSynonymView[];
}

/** Long.MAX_VALUE as a JS number (2^63): any number this large means "unlimited". */
const LONG_MAX = 2 ** 63;

export function formatValue(value: unknown): string {
  if (typeof value === 'number') return value >= LONG_MAX ? '9223372036854775807' : String(value);
  return String(value);
}

/** Every supported topic config (or only `keys`) with its effective value and where it comes from. */
export function topicConfigEntries(
  broker: BrokerContext,
  topic: { overrides: Readonly<Record<string, string>>; config: Readonly<TopicConfig> },
  keys: readonly string[] | null,
): ConfigEntryView[] {
  const wanted = keys === null ? null : new Set(keys);
  const brokerDefaults = broker.config.topicDefaults as Record<string, unknown>;
  const out: ConfigEntryView[] = [];
  for (const k of TOPIC_CONFIG_KEYS) {
    if (wanted && !wanted.has(k.name)) continue;
    const synonyms: ConfigSynonymView[] = [];
    const override = Object.hasOwn(topic.overrides, k.name) ? topic.overrides[k.name] : undefined;
    if (override !== undefined)
      synonyms.push({ name: k.name, value: override, source: ConfigSource.TOPIC_CONFIG });
    const brokerName = BROKER_SYNONYM[k.name] ?? k.name;
    const staticValue = brokerDefaults[k.property];
    if (staticValue !== undefined) {
      synonyms.push({
        name: brokerName,
        value: formatValue(staticValue),
        source: ConfigSource.STATIC_BROKER_CONFIG,
      });
    }
    synonyms.push({ name: brokerName, value: k.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
    const effective = synonyms[0];
    out.push({
      name: k.name,
      value: override ?? formatValue(topic.config[k.property]),
      readOnly: false,
      isDefault: effective.source === ConfigSource.DEFAULT_CONFIG,
      source: effective.source,
      isSensitive: false,
      configType: k.configType,
      documentation: k.doc,
      synonyms,
    });
  }
  return out;
}

interface BrokerKey {
  name: string;
  value: string | null;
  defaultValue: string | null;
  configType: number;
  doc: string;
}

/** The broker's own (static, read-only) configuration as DescribeConfigs shows it. */
export function brokerConfigEntries(
  broker: BrokerContext,
  keys: readonly string[] | null,
): ConfigEntryView[] {
  const c = broker.config;
  const { host, port } = broker.advertised();
  const listenPort = port;
  const defaults = broker.config.topicDefaults as Record<string, unknown>;
  const brokerKeys: BrokerKey[] = [
    {
      name: 'node.id',
      value: String(c.nodeId),
      defaultValue: null,
      configType: ConfigTypeNum.INT,
      doc: "this broker's id",
    },
    {
      name: 'broker.id',
      value: String(c.nodeId),
      defaultValue: null,
      configType: ConfigTypeNum.INT,
      doc: "this broker's id",
    },
    {
      name: 'listeners',
      value: `PLAINTEXT://${c.host}:${listenPort}`,
      defaultValue: null,
      configType: ConfigTypeNum.LIST,
      doc: 'the listener',
    },
    {
      name: 'advertised.listeners',
      value: `PLAINTEXT://${host}:${port}`,
      defaultValue: null,
      configType: ConfigTypeNum.LIST,
      doc: 'the address given to clients',
    },
    {
      name: 'log.dirs',
      value: c.logDir,
      defaultValue: null,
      configType: ConfigTypeNum.STRING,
      doc: 'the log directory',
    },
    {
      name: 'num.partitions',
      value: String(c.numPartitions),
      defaultValue: '1',
      configType: ConfigTypeNum.INT,
      doc: 'partitions of auto-created topics',
    },
    {
      name: 'auto.create.topics.enable',
      value: String(c.autoCreateTopics),
      defaultValue: 'true',
      configType: ConfigTypeNum.BOOLEAN,
      doc: 'create unknown topics on metadata/produce requests',
    },
    {
      name: 'socket.request.max.bytes',
      value: String(c.maxRequestBytes),
      defaultValue: '104857600',
      configType: ConfigTypeNum.INT,
      doc: 'largest request frame accepted',
    },
    {
      name: 'log.retention.check.interval.ms',
      value: String(c.retentionCheckIntervalMs),
      defaultValue: '300000',
      configType: ConfigTypeNum.LONG,
      doc: 'how often retention runs',
    },
    {
      name: 'group.initial.rebalance.delay.ms',
      value: String(c.groupInitialRebalanceDelayMs),
      defaultValue: '0',
      configType: ConfigTypeNum.INT,
      doc: 'delay before the first rebalance of a new group',
    },
  ];
  if (c.flushIntervalMs !== null) {
    brokerKeys.push({
      name: 'log.flush.interval.ms',
      value: String(c.flushIntervalMs),
      defaultValue: null,
      configType: ConfigTypeNum.LONG,
      doc: 'fsync interval',
    });
  }
  for (const k of TOPIC_CONFIG_KEYS) {
    const name = BROKER_SYNONYM[k.name] ?? k.name;
    if (brokerKeys.some((b) => b.name === name)) continue;
    const v = defaults[k.property];
    brokerKeys.push({
      name,
      value: v === undefined ? k.defaultValue : formatValue(v),
      defaultValue: k.defaultValue,
      configType: k.configType,
      doc: k.doc,
    });
  }
  const wanted = keys === null ? null : new Set(keys);
  return brokerKeys
    .filter((k) => !wanted || wanted.has(k.name))
    .map((k) => {
      const isDefault = k.defaultValue !== null && k.value === k.defaultValue;
      const source = isDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
      return {
        name: k.name,
        value: k.value,
        readOnly: true,
        isDefault,
        source,
        isSensitive: false,
        configType: k.configType,
        documentation: k.doc,
        synonyms: [{ name: k.name, value: k.value, source }],
      };
    });
}
