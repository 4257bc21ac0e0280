/**
 * The broker's own configs as DescribeConfigs shows them (resource type 4), besides the topic-config
 * defaults (log.retention.ms...), which config-view.ts adds from the topic table. Each row is the
 * value this broker runs with, the value it runs with when nothing is set, Kafka's default where it
 * differs, and what it means here. All are read-only: server.properties sets them at start-up.
 */
import { ConfigType } from '../storage/index.ts';
import type { BrokerContext } from './types.ts';

export interface BrokerConfigRow {
  name: string;
  configType: number;
  /** The value in force (null: not set and no default). */
  value: (broker: BrokerContext) => string | null;
  /** The value when server.properties and the options leave it unset. */
  builtIn: string | null;
  /** Kafka's own default, when this broker's differs. */
  kafkaDefault?: string | null;
  doc: string;
}

type Listener = BrokerContext['config']['listeners'][number];

function listeners(broker: BrokerContext): string {
  return broker.config.listeners
    .map((l: Listener) => {
      const port = l.port === 0 ? broker.advertised(l.name).port : l.port;
      return `${l.name}://${l.host}:${port}`;
    })
    .join(',');
}

function advertisedListeners(broker: BrokerContext): string {
  return broker.config.listeners
    .map((l: Listener) => {
      const { host, port } = broker.advertised(l.name);
      return `${l.name}://${host}:${port}`;
    })
    .join(',');
}

function protocolMap(broker: BrokerContext): string {
  return broker.config.listeners.map((l: Listener) => `${l.name}:${l.securityProtocol}`).join(',');
}

/** A value this broker does not let anyone change. */
const fixed = (v: string) => () => v;
const { BOOLEAN, INT, LONG, LIST, STRING, SHORT } = ConfigType;

// prettier-ignore
export const BROKER_CONFIG_ROWS: readonly BrokerConfigRow[] = [
  { name: 'advertised.listeners', configType: STRING, value: advertisedListeners, builtIn: null, doc: 'the address each listener gives clients' },
  { name: 'auto.create.topics.enable', configType: BOOLEAN, value: (b) => String(b.config.autoCreateTopics), builtIn: 'true', doc: 'create unknown topics on Metadata and Produce requests' },
  { name: 'broker.id', configType: INT, value: (b) => String(b.config.nodeId), builtIn: '1', kafkaDefault: '-1', doc: "this broker's id (node.id)" },
  { name: 'broker.rack', configType: STRING, value: fixed(''), builtIn: '', kafkaDefault: null, doc: 'rack of this broker: none, there is one node' },
  { name: 'connections.max.reauth.ms', configType: LONG, value: (b) => String(b.config.connectionsMaxReauthMs), builtIn: '0', doc: 'SASL sessions end after this long (0: never)' },
  { name: 'default.replication.factor', configType: INT, value: fixed('1'), builtIn: '1', doc: 'replicas of auto-created topics and CreateTopics with -1: one node holds one copy' },
  { name: 'delete.topic.enable', configType: BOOLEAN, value: fixed('true'), builtIn: 'true', doc: 'DeleteTopics is served' },
  { name: 'group.initial.rebalance.delay.ms', configType: INT, value: (b) => String(b.config.groupInitialRebalanceDelayMs), builtIn: '0', kafkaDefault: '3000', doc: "how long a new group's first rebalance waits for more members (0 for fast development loops)" },
  { name: 'group.max.session.timeout.ms', configType: INT, value: fixed('1800000'), builtIn: '1800000', doc: 'longest session timeout a member may ask for' },
  { name: 'group.min.session.timeout.ms', configType: INT, value: fixed('1000'), builtIn: '1000', kafkaDefault: '6000', doc: 'shortest session timeout a member may ask for (1000 lets tests expire members quickly)' },
  { name: 'listener.security.protocol.map', configType: STRING, value: protocolMap, builtIn: null, doc: 'the security protocol of each listener' },
  { name: 'listeners', configType: LIST, value: listeners, builtIn: null, doc: 'the addresses the broker listens on' },
  { name: 'log.cleaner.backoff.ms', configType: LONG, value: (b) => (b.config.logCleanerBackoffMs === null ? null : String(b.config.logCleanerBackoffMs)), builtIn: '15000', doc: 'pause between log-compaction passes' },
  { name: 'log.cleaner.enable', configType: BOOLEAN, value: fixed('true'), builtIn: 'true', doc: 'compacted topics are cleaned' },
  { name: 'log.dirs', configType: STRING, value: (b) => b.config.logDir, builtIn: null, doc: 'the log directory' },
  { name: 'log.retention.check.interval.ms', configType: LONG, value: (b) => String(b.config.retentionCheckIntervalMs), builtIn: '300000', doc: 'how often retention runs' },
  { name: 'node.id', configType: INT, value: (b) => String(b.config.nodeId), builtIn: '1', kafkaDefault: '-1', doc: "this broker's id" },
  { name: 'num.partitions', configType: INT, value: (b) => String(b.config.numPartitions), builtIn: '1', doc: 'partitions of auto-created topics and CreateTopics with -1' },
  { name: 'offset.metadata.max.bytes', configType: INT, value: fixed('4096'), builtIn: '4096', doc: 'largest metadata string of a committed offset' },
  { name: 'offsets.topic.num.partitions', configType: INT, value: fixed('1'), builtIn: '1', kafkaDefault: '50', doc: 'partitions of __consumer_offsets: one node, one coordinator, one partition' },
  { name: 'offsets.topic.replication.factor', configType: SHORT, value: fixed('1'), builtIn: '1', kafkaDefault: '3', doc: 'replicas of __consumer_offsets: one node holds one copy' },
  { name: 'process.roles', configType: LIST, value: fixed('broker'), builtIn: 'broker', kafkaDefault: '', doc: 'a single broker; no KRaft quorum to take part in' },
  { name: 'socket.request.max.bytes', configType: INT, value: (b) => String(b.config.maxRequestBytes), builtIn: '104857600', doc: 'largest request frame accepted' },
  { name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', configType: INT, value: (b) => String(b.config.transactionCheckIntervalMs), builtIn: '10000', doc: 'how often transactions past their timeout are aborted' },
  { name: 'transaction.max.timeout.ms', configType: INT, value: (b) => String(b.config.transactionMaxTimeoutMs), builtIn: '900000', doc: 'longest transaction timeout a producer may ask for' },
  { name: 'transaction.state.log.min.isr', configType: INT, value: fixed('1'), builtIn: '1', kafkaDefault: '2', doc: 'in-sync replicas the transaction log needs: one node' },
  { name: 'transaction.state.log.replication.factor', configType: SHORT, value: fixed('1'), builtIn: '1', kafkaDefault: '3', doc: 'replicas of the transaction log: one node holds one copy' },
  { name: 'transactional.id.expiration.ms', configType: INT, value: (b) => String(b.config.transactionalIdExpirationMs), builtIn: '604800000', doc: 'transactional ids idle this long are forgotten' },
];

/**
 * log.flush.interval.ms is also the synonym of the topic config flush.ms; the broker fsyncs on it
 * when it is set, and then shows it as set.
 */
export function flushIntervalValue(broker: BrokerContext): string | null {
  return broker.config.flushIntervalMs === null ? null : String(broker.config.flushIntervalMs);
}

/** Defaults of the topic synonyms that take another unit (Kafka's values; ms wins over them). */
export const SECONDARY_SYNONYM_DEFAULTS: Readonly<Record<string, string | null>> = {
  'log.retention.minutes': null,
  'log.retention.hours': '168',
  'log.roll.hours': '168',
  'log.roll.jitter.hours': null,
};
