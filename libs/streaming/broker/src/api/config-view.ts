/**
 * What DescribeConfigs (and CreateTopics v5+) show: every topic config with its effective value,
 * where it comes from and its synonyms, and the broker's configs. The topic configs are the table in
 * storage/topic-config-table.ts; the broker's own are api/broker-config-table.ts.
 */
import type { BrokerContext } from './types.ts';
import { TOPIC_CONFIG_KEYS } from '../storage/index.ts';
import type { TopicConfig, TopicConfigKey } from '../storage/index.ts';
import {
  BROKER_CONFIG_ROWS,
  SECONDARY_SYNONYM_DEFAULTS,
  flushIntervalValue,
} from './broker-config-table.ts';

/** DescribeConfigs ConfigSource numbers. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

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

/**
 * A topic config's synonyms, the effective one first: the topic's override, then the broker property
 * giving its default as set in server.properties / the options, then Kafka's default under that
 * property's name (a config without a broker property: under its own name).
 */
function topicSynonyms(
  k: TopicConfigKey,
  override: string | undefined,
  staticValue: unknown,
): ConfigSynonymView[] {
  const synonyms: ConfigSynonymView[] = [];
  if (override !== undefined)
    synonyms.push({ name: k.name, value: override, source: ConfigSource.TOPIC_CONFIG });
  const brokerName = k.synonyms[0] ?? k.name;
  if (staticValue !== undefined && k.synonyms.length > 0) {
    synonyms.push({
      name: brokerName,
      value: formatValue(staticValue),
      source: ConfigSource.STATIC_BROKER_CONFIG,
    });
  }
  synonyms.push({ name: brokerName, value: k.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
  return synonyms;
}

/** Every topic config (or only `keys`) with its effective value and where it comes from. */
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
    const override = Object.hasOwn(topic.overrides, k.name) ? topic.overrides[k.name] : undefined;
    const synonyms = topicSynonyms(k, override, brokerDefaults[k.property]);
    const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
    out.push({
      name: k.name,
      value: override ?? formatValue(topic.config[k.property]),
      readOnly: false,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      source,
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
  builtIn: string | null;
  configType: number;
  doc: string;
}

/**
 * The broker's configs (read-only, from server.properties and the options) as DescribeConfigs shows
 * them: its own (broker-config-table.ts), then the property behind every topic config's default.
 */
export function brokerConfigEntries(
  broker: BrokerContext,
  keys: readonly string[] | null,
): ConfigEntryView[] {
  const all: BrokerKey[] = BROKER_CONFIG_ROWS.map((r) => ({ ...r, value: r.value(broker) }));
  const seen = new Set(all.map((k) => k.name));
  const defaults = broker.config.topicDefaults as Record<string, unknown>;
  for (const k of TOPIC_CONFIG_KEYS) {
    k.synonyms.forEach((name, i) => {
      if (seen.has(name)) return;
      seen.add(name);
      if (i > 0) {
        // log.retention.hours and the like: Kafka's default, the ms property wins over it.
        const v = SECONDARY_SYNONYM_DEFAULTS[name] ?? null;
        all.push({ name, value: v, builtIn: v, configType: k.configType, doc: k.doc });
        return;
      }
      const set = name === 'log.flush.interval.ms' ? flushIntervalValue(broker) : undefined;
      const v = defaults[k.property];
      const value = set ?? (v === undefined ? k.defaultValue : formatValue(v));
      all.push({ name, value, builtIn: k.defaultValue, configType: k.configType, doc: k.doc });
    });
  }
  const wanted = keys === null ? null : new Set(keys);
  return all
    .filter((k) => !wanted || wanted.has(k.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(brokerEntry);
}

function brokerEntry(k: BrokerKey): ConfigEntryView {
  const isDefault = k.value === k.builtIn;
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
}
