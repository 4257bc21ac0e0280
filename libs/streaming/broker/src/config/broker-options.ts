import type { Logger } from 'pino';
import type { TopicConfig } from '../storage/index.ts';
import type { ListenerOptions } from './listeners.ts';

export interface ScramUserOptions {
  name: string;
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  password: string;
  /** Default 4096 (Kafka's minimum; at most 16384). */
  iterations?: number;
}

/** ACLs on (authorizer.class.name): who is always allowed, and what an unprotected resource means. */
export interface AuthorizerOptions {
  /** super.users: principals ("User:admin") allowed everything. */
  superUsers?: string[];
  /** allow.everyone.if.no.acl.found (default false, as in Kafka). */
  allowEveryoneIfNoAclFound?: boolean;
}

/** What a caller (the process, a test, an embedding app) may set when starting a broker. */
export interface BrokerOptions {
  /**
   * Every listener (Kafka's `listeners`, `advertised.listeners` and `listener.security.protocol.map`,
   * with each listener's TLS and SASL settings). When set, `port`, `host`, `advertisedHost` and
   * `advertisedPort` are not used. Default: one PLAINTEXT listener on host:port.
   */
  listeners?: ListenerOptions[];
  /** authorizer.class.name set: ACLs are enforced on every request. Default: no authorizer. */
  authorizer?: AuthorizerOptions | null;
  /** connections.max.reauth.ms (KIP-368): SASL sessions last this long, then must re-authenticate. 0 = forever. */
  connectionsMaxReauthMs?: number;
  /** How long a connection may take to finish its TLS handshake and SASL login (default 10000). */
  authenticationTimeoutMs?: number;
  /**
   * SCRAM users set at every start (like `kafka-storage format --add-scram`), so a broker whose
   * only listeners need SASL can still be logged into. Stored salted and hashed, as any other.
   */
  scramUsers?: ScramUserOptions[];
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
  /** transaction.max.timeout.ms: a producer asking for a longer transaction timeout is refused (default 900000). */
  transactionMaxTimeoutMs?: number;
  /** transactional.id.expiration.ms: transactional ids idle this long are forgotten (default 604800000). */
  transactionalIdExpirationMs?: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (default 10000). */
  transactionCheckIntervalMs?: number;
  logger?: Logger;
}

/** A listener after defaults: its advertised host is known (the port may still be 0 = the bound one). */
export interface ResolvedListener extends ListenerOptions {
  advertisedHost: string;
}

export interface ResolvedAuthorizer {
  superUsers: string[];
  allowEveryoneIfNoAclFound: boolean;
}

/** BrokerOptions after defaults and validation. */
export interface BrokerConfig {
  /** Every listener, the first one being the broker's "main" address (port/host below mirror it). */
  listeners: ResolvedListener[];
  authorizer: ResolvedAuthorizer | null;
  connectionsMaxReauthMs: number;
  authenticationTimeoutMs: number;
  scramUsers: ScramUserOptions[];
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
  transactionMaxTimeoutMs: number;
  transactionalIdExpirationMs: number;
  transactionCheckIntervalMs: number;
}
