/**
 * Every topic config of Kafka 3.9 (the release whose API ranges the broker advertises), in one table
 * that is also their documentation: storage/README.md shows it and a test keeps the two equal.
 *
 * - `applied`: the broker does what Kafka does with it on a single node.
 * - `stored`: accepted, validated, kept and described with Kafka's default, but it changes nothing
 *   here (replication, tiered storage, preallocation...); `effect` says why.
 *
 * `synonyms` are the broker properties (server.properties) that give a topic its default when it has
 * no override, first one winning, as DescribeConfigs lists them.
 */
import {
  LONG_MAX,
  booleanParser,
  doubleParser,
  intParser,
  levelParser,
  listOf,
  longParser,
  messageFormatVersionParser,
  oneOf,
  throttledReplicasParser,
  type ConfigParser,
} from './config-parsers.ts';
import { ErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** The parsed value of every topic config; `TopicConfigKey.property` names the field. */
export interface TopicConfig {
  cleanupPolicy: string;
  compressionGzipLevel: number;
  compressionLz4Level: number;
  compressionType: string;
  compressionZstdLevel: number;
  deleteRetentionMs: number;
  fileDeleteDelayMs: number;
  flushMessages: number;
  flushMs: number;
  followerReplicationThrottledReplicas: string;
  indexIntervalBytes: number;
  leaderReplicationThrottledReplicas: string;
  localRetentionBytes: number;
  localRetentionMs: number;
  maxCompactionLagMs: number;
  maxMessageBytes: number;
  messageDownconversionEnable: boolean;
  messageFormatVersion: string;
  messageTimestampAfterMaxMs: number;
  messageTimestampBeforeMaxMs: number;
  messageTimestampDifferenceMaxMs: number;
  messageTimestampType: TimestampType;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  minInsyncReplicas: number;
  preallocate: boolean;
  remoteLogCopyDisable: boolean;
  remoteLogDeleteOnDisable: boolean;
  remoteStorageEnable: boolean;
  retentionBytes: number;
  retentionMs: number;
  segmentBytes: number;
  segmentIndexBytes: number;
  segmentJitterMs: number;
  segmentMs: number;
  uncleanLeaderElectionEnable: boolean;
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

export type ConfigValueType = 'boolean' | 'int' | 'long' | 'double' | 'string' | 'list';

export interface TopicConfigKey {
  /** Kafka name, e.g. "retention.ms". */
  name: string;
  property: keyof TopicConfig;
  type: ConfigValueType;
  /** DescribeConfigs configType. */
  configType: number;
  /** Kafka's default, as DescribeConfigs shows it. */
  defaultValue: string;
  /** Broker properties giving the default, in precedence order (may be empty). */
  synonyms: readonly string[];
  effect: 'applied' | 'stored';
  /** What the config means and, for a stored one, why it changes nothing here. */
  doc: string;
  /** Parses and validates a value; throws StorageError INVALID_CONFIG. */
  parse: ConfigParser;
}

const CONFIG_TYPE: Record<ConfigValueType, number> = {
  boolean: ConfigType.BOOLEAN,
  int: ConfigType.INT,
  long: ConfigType.LONG,
  double: ConfigType.DOUBLE,
  string: ConfigType.STRING,
  list: ConfigType.LIST,
};

type Row = [
  name: string,
  property: keyof TopicConfig,
  type: ConfigValueType,
  defaultValue: string,
  synonyms: readonly string[],
  effect: 'applied' | 'stored',
  doc: string,
  parse: (name: string) => ConfigParser,
];

const long = (min: number) => (name: string) => longParser(name, min);
const int = (min: number) => (name: string) => intParser(name, min);
const bool = () => booleanParser;
const level = (min: number, max: number) => (name: string) => levelParser(name, min, max);

/** Tiered storage needs a remote log manager, which this broker has not (Kafka refuses it too). */
function remoteStorageParser(name: string): ConfigParser {
  const parse = booleanParser(name);
  return (v) => {
    const on = parse(v);
    if (on)
      throw new StorageError(
        ErrorCode.INVALID_CONFIG,
        `Invalid value ${v} for configuration ${name}: tiered storage is not enabled on this broker`,
      );
    return on;
  };
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];
const AS_SENT = 'batches are stored as the producer compressed them';

// prettier-ignore
const ROWS: readonly Row[] = [
  ['cleanup.policy', 'cleanupPolicy', 'list', 'delete', ['log.cleanup.policy'], 'applied', 'delete old segments, compact by key, or both', (n) => listOf(n, ['compact', 'delete'])],
  ['compression.gzip.level', 'compressionGzipLevel', 'int', '-1', ['compression.gzip.level'], 'stored', `gzip level when the broker recompresses; ${AS_SENT}`, level(1, 9)],
  ['compression.lz4.level', 'compressionLz4Level', 'int', '9', ['compression.lz4.level'], 'stored', `lz4 level when the broker recompresses; ${AS_SENT}`, (n) => intParser(n, 1, 17)],
  ['compression.type', 'compressionType', 'string', 'producer', ['compression.type'], 'stored', `final compression codec; ${AS_SENT} (the "producer" behaviour)`, (n) => oneOf(n, COMPRESSION_TYPES)],
  ['compression.zstd.level', 'compressionZstdLevel', 'int', '3', ['compression.zstd.level'], 'stored', `zstd level when the broker recompresses; ${AS_SENT}`, (n) => intParser(n, -131072, 22)],
  ['delete.retention.ms', 'deleteRetentionMs', 'long', '86400000', ['log.cleaner.delete.retention.ms'], 'applied', 'how long tombstones, and markers of transactions whose data is gone, stay on a compacted topic', long(0)],
  ['file.delete.delay.ms', 'fileDeleteDelayMs', 'long', '60000', ['log.segment.delete.delay.ms'], 'stored', 'grace period before a deleted segment file goes; here it goes at once (a fetch never holds a segment between requests)', long(0)],
  ['flush.messages', 'flushMessages', 'long', LONG_MAX, ['log.flush.interval.messages'], 'stored', 'fsync after this many messages; the broker fsyncs on its log.flush.interval.ms instead', long(1)],
  ['flush.ms', 'flushMs', 'long', LONG_MAX, ['log.flush.interval.ms'], 'stored', 'fsync after this long; the broker fsyncs on its log.flush.interval.ms instead', long(0)],
  ['follower.replication.throttled.replicas', 'followerReplicationThrottledReplicas', 'list', '', [], 'stored', 'replicas whose follower traffic is throttled; one node has no followers', throttledReplicasParser],
  ['index.interval.bytes', 'indexIntervalBytes', 'int', '4096', ['log.index.interval.bytes'], 'applied', 'bytes of log between two offset index entries', int(0)],
  ['leader.replication.throttled.replicas', 'leaderReplicationThrottledReplicas', 'list', '', [], 'stored', 'replicas whose leader traffic is throttled; one node has no followers', throttledReplicasParser],
  ['local.retention.bytes', 'localRetentionBytes', 'long', '-2', ['log.local.retention.bytes'], 'stored', 'local size limit under tiered storage (-2: retention.bytes); no tiered storage here', long(-2)],
  ['local.retention.ms', 'localRetentionMs', 'long', '-2', ['log.local.retention.ms'], 'stored', 'local age limit under tiered storage (-2: retention.ms); no tiered storage here', long(-2)],
  ['max.compaction.lag.ms', 'maxCompactionLagMs', 'long', LONG_MAX, ['log.cleaner.max.compaction.lag.ms'], 'applied', 'longest a record stays uncompacted: rolls the active segment and makes the log due for cleaning', long(1)],
  ['max.message.bytes', 'maxMessageBytes', 'int', '1048588', ['message.max.bytes'], 'applied', 'largest record batch accepted', int(0)],
  ['message.downconversion.enable', 'messageDownconversionEnable', 'boolean', 'true', ['log.message.downconversion.enable'], 'applied', 'false: Fetch v0–v3, which read the old message formats, get UNSUPPORTED_VERSION (35) instead of converted records', bool()],
  ['message.format.version', 'messageFormatVersion', 'string', '3.0-IV1', ['log.message.format.version'], 'stored', 'deprecated: ignored since Kafka 3.0, every batch is written as v2', messageFormatVersionParser],
  ['message.timestamp.after.max.ms', 'messageTimestampAfterMaxMs', 'long', LONG_MAX, ['log.message.timestamp.after.max.ms'], 'applied', 'CreateTime topics: refuse a batch with a timestamp this far ahead of the broker clock (32)', long(0)],
  ['message.timestamp.before.max.ms', 'messageTimestampBeforeMaxMs', 'long', LONG_MAX, ['log.message.timestamp.before.max.ms'], 'applied', 'CreateTime topics: refuse a batch with a timestamp this far behind the broker clock (32)', long(0)],
  ['message.timestamp.difference.max.ms', 'messageTimestampDifferenceMaxMs', 'long', LONG_MAX, ['log.message.timestamp.difference.max.ms'], 'applied', 'deprecated: before.max.ms and after.max.ms in one, for whichever of them is not set', long(0)],
  ['message.timestamp.type', 'messageTimestampType', 'string', 'CreateTime', ['log.message.timestamp.type'], 'applied', 'CreateTime keeps producer timestamps, LogAppendTime stamps the broker time', (n) => oneOf(n, ['CreateTime', 'LogAppendTime'])],
  ['min.cleanable.dirty.ratio', 'minCleanableDirtyRatio', 'double', '0.5', ['log.cleaner.min.cleanable.ratio'], 'applied', 'dirty share of a compacted log that makes it due for cleaning', (n) => doubleParser(n, 0, 1)],
  ['min.compaction.lag.ms', 'minCompactionLagMs', 'long', '0', ['log.cleaner.min.compaction.lag.ms'], 'applied', 'shortest time a record stays uncompacted', long(0)],
  ['min.insync.replicas', 'minInsyncReplicas', 'int', '1', ['min.insync.replicas'], 'applied', 'acks=all needs this many in-sync replicas: above 1, a single node refuses them (19)', int(1)],
  ['preallocate', 'preallocate', 'boolean', 'false', ['log.preallocate'], 'stored', 'preallocate segment files; segment files here grow as they are written', bool()],
  ['remote.log.copy.disable', 'remoteLogCopyDisable', 'boolean', 'false', [], 'stored', 'stop copying segments to tiered storage; no tiered storage here', bool()],
  ['remote.log.delete.on.disable', 'remoteLogDeleteOnDisable', 'boolean', 'false', [], 'stored', 'delete remote segments when tiered storage is turned off; no tiered storage here', bool()],
  ['remote.storage.enable', 'remoteStorageEnable', 'boolean', 'false', [], 'stored', 'tiered storage: true is refused (INVALID_CONFIG), as Kafka does without a remote log manager', remoteStorageParser],
  ['retention.bytes', 'retentionBytes', 'long', '-1', ['log.retention.bytes'], 'applied', 'partition size above which old segments are deleted (-1: unlimited)', long(-1)],
  ['retention.ms', 'retentionMs', 'long', '604800000', ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'], 'applied', 'age above which a segment is deleted (-1: unlimited)', long(-1)],
  ['segment.bytes', 'segmentBytes', 'int', '1073741824', ['log.segment.bytes'], 'applied', 'segment size at which the log rolls', int(14)],
  ['segment.index.bytes', 'segmentIndexBytes', 'int', '10485760', ['log.index.size.max.bytes'], 'stored', 'index file size; indexes here grow as they are written', int(4)],
  ['segment.jitter.ms', 'segmentJitterMs', 'long', '0', ['log.roll.jitter.ms', 'log.roll.jitter.hours'], 'applied', 'random amount (up to this) taken off segment.ms per segment, so logs do not roll together', long(0)],
  ['segment.ms', 'segmentMs', 'long', '604800000', ['log.roll.ms', 'log.roll.hours'], 'applied', 'segment age at which the log rolls', long(1)],
  ['unclean.leader.election.enable', 'uncleanLeaderElectionEnable', 'boolean', 'false', ['unclean.leader.election.enable'], 'stored', 'elect an out-of-sync replica; the only replica is always in sync', bool()],
];

/** The table, sorted by name. */
export const TOPIC_CONFIG_KEYS: readonly TopicConfigKey[] = ROWS.map(
  ([name, property, type, defaultValue, synonyms, effect, doc, parser]) => ({
    name,
    property,
    type,
    configType: CONFIG_TYPE[type],
    defaultValue,
    synonyms,
    effect,
    doc,
    parse: parser(name),
  }),
);
