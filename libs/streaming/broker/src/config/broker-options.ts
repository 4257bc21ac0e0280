import type { Logger } from 'pino';
import type { TopicConfig } from '../storage/index.ts';

/** What a caller (the process, a test, an embedding app) may set when starting a broker. */
export interface BrokerOptions {
  /** TCP port to listen on; 0 picks an ephemeral port. Default 9092. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1 when embedded; the process passes what it is told. */
  host?: string;
  /** Host clients are told to connect to (Metadata). Default: the bound host (127.0.0.1 for wildcards). */
  advertisedHost?: string;
  /** Port clients are told to connect to. Default: the bound port. */
  advertisedPort?: number;
  logDir: string;
  nodeId?: number;
  /** auto.create.topics.enable (default true). */
  autoCreateTopics?: boolean;
  /** num.partitions for auto-created topics and CreateTopics with -1 (default 1). */
  numPartitions?: number;
  /** socket.request.max.bytes: frames larger than this close the connection (default 100 MiB). */
  maxRequestBytes?: number;
  /** Broker-wide topic defaults (log.retention.ms, log.segment.bytes, message.max.bytes...). */
  topicDefaults?: Partial<TopicConfig>;
  /** log.retention.check.interval.ms (default 300000). */
  retentionCheckIntervalMs?: number;
  /** log.flush.interval.ms: null (default) leaves flushing to the OS / storage policy. */
  flushIntervalMs?: number | null;
  /** group.initial.rebalance.delay.ms; 0 by default for an embedded development broker. */
  groupInitialRebalanceDelayMs?: number;
  /** log.cleaner.backoff.ms: pause between log-compaction passes (default 15000); null: only on demand. */
  logCleanerBackoffMs?: number | null;
  logger?: Logger;
}

/** BrokerOptions after defaults and validation. */
export interface BrokerConfig {
  port: number;
  host: string;
  advertisedHost: string;
  advertisedPort: number | null;
  logDir: string;
  nodeId: number;
  autoCreateTopics: boolean;
  numPartitions: number;
  maxRequestBytes: number;
  topicDefaults: Partial<TopicConfig>;
  retentionCheckIntervalMs: number;
  flushIntervalMs: number | null;
  groupInitialRebalanceDelayMs: number;
  logCleanerBackoffMs: number | null;
}
