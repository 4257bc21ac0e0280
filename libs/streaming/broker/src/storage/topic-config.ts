/**
 * Topic-level configuration: parsing and validation of string overrides (CreateTopics, AlterConfigs,
 * IncrementalAlterConfigs), the effective config a topic runs with, and the DescribeConfigs view.
 * The configs themselves, their defaults and what each does here are in topic-config-table.ts.
 * Overrides are kept as the strings the client sent (normalised) so they round-trip exactly; the
 * parsed TopicConfig drives behaviour.
 */
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { LONG_MAX, invalidConfig, type ConfigValue } from './config-parsers.ts';
import { TOPIC_CONFIG_KEYS, type TopicConfig, type TopicConfigKey } from './topic-config-table.ts';

export {
  ConfigType,
  TOPIC_CONFIG_KEYS,
  type TimestampType,
  type TopicConfig,
  type TopicConfigKey,
} from './topic-config-table.ts';

const KEY_BY_NAME: ReadonlyMap<string, TopicConfigKey> = new Map(
  TOPIC_CONFIG_KEYS.map((k) => [k.name, k]),
);

export function topicConfigKey(name: string): TopicConfigKey | undefined {
  return KEY_BY_NAME.get(name);
}

function buildDefaults(): TopicConfig {
  const out: Record<string, ConfigValue> = {};
  for (const k of TOPIC_CONFIG_KEYS) out[k.property] = k.parse(k.defaultValue);
  return out as unknown as TopicConfig;
}

/** Kafka's defaults for every topic config. */
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
    if (!k) throw new StorageError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`);
    if (typeof value !== 'string')
      throw invalidConfig(name, String(value), 'value must be a string');
    const parsed = k.parse(value);
    out[name] = typeof parsed === 'number' ? value.trim() : String(parsed);
  }
  return out;
}

/** The effective config: broker defaults overlaid with (already validated) topic overrides. */
export function resolveTopicConfig(
  defaults: Readonly<Partial<TopicConfig>>,
  overrides: Readonly<Record<string, string>>,
): TopicConfig {
  const config = { ...DEFAULT_TOPIC_CONFIG } as Record<string, ConfigValue>;
  for (const [k, v] of Object.entries(defaults)) if (v !== undefined) config[k] = v;
  for (const [name, value] of Object.entries(overrides)) {
    const k = KEY_BY_NAME.get(name);
    if (k) config[k.property] = k.parse(value);
  }
  return config as unknown as TopicConfig;
}

/** Formats a config value as DescribeConfigs shows it. */
export function formatConfigValue(value: ConfigValue): string {
  if (typeof value !== 'number') return String(value);
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
      throw invalidConfig(
        k.name,
        String(value),
        `broker default must be a ${typeof DEFAULT_TOPIC_CONFIG[k.property]}`,
      );
    }
    k.parse(formatConfigValue(value));
  }
  return config;
}
