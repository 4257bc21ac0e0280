import { pino } from 'pino';
import type { Logger } from 'pino';
import { AppendWaiters } from './api/append-waiters.ts';
import { ApiRegistry, CORE_APIS } from './api/registry.ts';
import type { BrokerContext } from './api/types.ts';
import { loadOrCreateClusterId } from './cluster-id.ts';
import { resolveBrokerConfig } from './config/index.ts';
import { GROUP_APIS } from './group/group-apis.ts';
import { openGroupCoordinator } from './group/index.ts';
import type { GroupCoordinator } from './group/index.ts';
import type { BrokerConfig, BrokerOptions } from './config/index.ts';
import { ProducerStateManager } from './producer-state/index.ts';
import type { SecurityProtocol } from './config/listeners.ts';
import { ApiKey, loadApiCodecs } from './protocol/index.ts';
import { KafkaServer } from './server/kafka-server.ts';
import { RequestDispatcher } from './server/request-dispatcher.ts';
import { RateLimitedLog } from './server/rate-limited-log.ts';
import { SASL_APIS } from './sasl/sasl-apis.ts';
import { credentialFromPassword, scramMechanismByName } from './sasl/scram.ts';
import { ScramCredentialStore } from './sasl/scram-credential-store.ts';
import { USER_SCRAM_APIS } from './sasl/user-scram-apis.ts';
import { ACL_APIS } from './acl/acl-apis.ts';
import { AclStore } from './acl/acl-store.ts';
import { Authorizer } from './acl/authorizer.ts';
import { LogManager } from './storage/index.ts';
import { LogCleaner } from './storage/compaction/index.ts';
import { openTransactionCoordinator } from './txn/index.ts';
import type { TransactionCoordinator } from './txn/index.ts';
import { TXN_APIS } from './txn/txn-apis.ts';
import type { CompactionOptions, CompactionStats } from './storage/compaction/index.ts';

export type { BrokerOptions } from './config/index.ts';

/** One open listener. */
export interface RunningListener {
  name: string;
  securityProtocol: SecurityProtocol;
  /** The advertised host. */
  host: string;
  /** The bound port. */
  port: number;
  /** "host:port" to bootstrap from (advertised host, bound port). */
  bootstrap: string;
}

export interface RunningBroker {
  /** The host clients are told to use (advertised). */
  host: string;
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  /** "host:port", ready for a client's bootstrap list (the first listener). */
  bootstrap: string;
  /** Every listener, in configuration order; the first is what host/port/bootstrap describe. */
  listeners: RunningListener[];
  nodeId: number;
  clusterId: string;
  logDir: string;
  /** The storage, for in-process tools and tests. */
  logs: LogManager;
  /** One log-compaction pass now (the cleaner also runs every log.cleaner.backoff.ms). */
  runCompaction(options?: CompactionOptions): Promise<CompactionStats>;
  /** Stops accepting, ends every connection, releases parked fetches, flushes and closes storage. */
  close(): Promise<void>;
}

/** What a running broker has started, filled in start order; `stopParts` closes what is there. */
interface BrokerParts {
  readonly logs: LogManager;
  readonly waiters: AppendWaiters;
  readonly servers: KafkaServer[];
  groups?: GroupCoordinator;
  producers?: ProducerStateManager;
  transactions?: TransactionCoordinator;
  cleaner?: LogCleaner;
}

/**
 * Starts a broker: opens (and recovers) the log dir, binds the listeners and starts background
 * retention. Resolves once clients can connect.
 */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const config = resolveBrokerConfig(options);
  const logger: Logger = options.logger ?? pino({ level: 'silent' });
  const startedAt = performance.now();
  const logs = await LogManager.open({
    logDir: config.logDir,
    defaults: config.topicDefaults,
    flushIntervalMs: config.flushIntervalMs,
    // Storage owns the retention (log.retention.check.interval.ms) and flush timers; both are unref'd
    // and stopped by logs.close().
    retentionCheckIntervalMs: config.retentionCheckIntervalMs,
    logger: logger.child({ component: 'storage' }),
  });
  const parts: BrokerParts = {
    logs,
    waiters: new AppendWaiters((listener) => logs.onAppend(listener)),
    servers: [],
  };
  try {
    const clusterId = loadOrCreateClusterId(config.logDir, config.nodeId);
    const { groups, producers, transactions, cleaner } = startCoordinators(config, logger, parts);
    const acls = AclStore.open(config.logDir);
    const authorizer = config.authorizer ? new Authorizer(acls, config.authorizer) : null;
    const apis = new ApiRegistry(
      CORE_APIS,
      GROUP_APIS,
      TXN_APIS,
      SASL_APIS,
      USER_SCRAM_APIS,
      ACL_APIS,
    );
    const context: BrokerContext = {
      config,
      nodeId: config.nodeId,
      clusterId,
      logs,
      logger,
      waiters: parts.waiters,
      groups,
      producers,
      transactions,
      scram: openScramStore(config),
      failedLogins: new RateLimitedLog(logger.child({ component: 'security' })),
      acls,
      authorizer,
      deniedRequests: new RateLimitedLog(logger.child({ component: 'authorizer' })),
      apis,
      advertised: (name) => {
        const listener = config.listeners.find((l) => l.name === name) ?? config.listeners[0];
        const bound = parts.servers.find((s) => s.listener.name === listener.name);
        return {
          host: listener.advertisedHost,
          port: listener.advertisedPort ?? bound?.port ?? listener.port,
        };
      },
      now: () => Date.now(),
    };
    const listeners = await listen(context, parts);
    preloadCodecs(apis, logger);
    logStarted(context, parts.servers, performance.now() - startedAt);
    const main = listeners[0];
    let closing: Promise<void> | null = null;
    return {
      host: main.host,
      port: main.port,
      bootstrap: main.bootstrap,
      listeners,
      nodeId: config.nodeId,
      clusterId,
      logDir: config.logDir,
      logs,
      runCompaction: (compactionOptions) => cleaner.runCompaction(compactionOptions),
      close() {
        closing ??= stopParts(parts, logger);
        return closing;
      },
    };
  } catch (err) {
    await stopParts(parts);
    throw err;
  }
}

/**
 * The group coordinator, the producer state, the transaction coordinator and the log cleaner,
 * recorded in `parts` as they start.
 */
function startCoordinators(
  config: BrokerConfig,
  logger: Logger,
  parts: BrokerParts,
): {
  groups: GroupCoordinator;
  producers: ProducerStateManager;
  transactions: TransactionCoordinator;
  cleaner: LogCleaner;
} {
  const { logs } = parts;
  const groups = openGroupCoordinator(logs, {
    logger: logger.child({ component: 'groups' }),
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
  });
  parts.groups = groups;
  const producers = ProducerStateManager.open({
    logs,
    logger: logger.child({ component: 'producer-state' }),
  });
  parts.producers = producers;
  // After the producer state and groups: it finishes transactions a crash left half-ended.
  const transactions = openTransactionCoordinator(logs, producers, groups, {
    logger: logger.child({ component: 'transactions' }),
    maxTimeoutMs: config.transactionMaxTimeoutMs,
    idExpirationMs: config.transactionalIdExpirationMs,
    checkIntervalMs: config.transactionCheckIntervalMs,
  });
  parts.transactions = transactions;
  const cleaner = new LogCleaner({
    logs,
    backoffMs: config.logCleanerBackoffMs,
    logger: logger.child({ component: 'log-cleaner' }),
    // Compaction may drop batches a log replay would need: save producer state first.
    beforeRewrite: (log) => producers.snapshot(log),
    transactions: {
      lastStableOffset: (log) => producers.lastStableOffset(log),
      producerLastOffsets: (log) => producers.lastBatchOffsets(log),
    },
  });
  parts.cleaner = cleaner;
  return { groups, producers, transactions, cleaner };
}

/** The SCRAM credential store of the log dir, with the users given at start-up added. */
function openScramStore(config: BrokerConfig): ScramCredentialStore {
  const scram = ScramCredentialStore.open(config.logDir);
  scram.apply(
    config.scramUsers.map((u) => {
      const mechanism = scramMechanismByName(u.mechanism)!;
      return {
        kind: 'upsert' as const,
        user: u.name,
        mechanism,
        credential: credentialFromPassword(mechanism, u.password, u.iterations ?? 4096),
      };
    }),
  );
  return scram;
}

/** Binds every configured listener (recorded in `parts.servers` as each one opens). */
async function listen(context: BrokerContext, parts: BrokerParts): Promise<RunningListener[]> {
  const { config, logger } = context;
  const dispatcher = new RequestDispatcher(context);
  let nextConnectionId = 1;
  for (const listener of config.listeners) {
    parts.servers.push(
      await KafkaServer.listen({
        listener,
        maxRequestBytes: config.maxRequestBytes,
        authenticationTimeoutMs: config.authenticationTimeoutMs,
        dispatch: (frame, conn) => dispatcher.dispatch(frame, conn),
        logger,
        nextConnectionId: () => nextConnectionId++,
      }),
    );
  }
  return parts.servers.map((s) => {
    const { host } = context.advertised(s.listener.name);
    return {
      name: s.listener.name,
      securityProtocol: s.listener.securityProtocol,
      host,
      port: s.port,
      bootstrap: `${host}:${s.port}`,
    };
  });
}

function logStarted(
  context: BrokerContext,
  servers: readonly KafkaServer[],
  startupMs: number,
): void {
  const { config, logger } = context;
  const first = servers[0];
  const firstAdvertised = context.advertised(first.listener.name);
  logger.info(
    {
      listen: `${first.listener.host}:${first.port}`,
      advertised: `${firstAdvertised.host}:${firstAdvertised.port}`,
      listeners: servers.map((s) => {
        const adv = context.advertised(s.listener.name);
        return `${s.listener.name}://${s.listener.host}:${s.port} (${s.listener.securityProtocol}, advertised ${adv.host}:${adv.port})`;
      }),
      nodeId: config.nodeId,
      clusterId: context.clusterId,
      logDir: config.logDir,
      topics: context.logs.listTopics().length,
      startupMs: Math.round(startupMs),
    },
    'broker started',
  );
}

/**
 * The codecs load after the listener is up (and, through setImmediate, after startBroker's caller has
 * announced readiness), so they do not delay start-up: first the two APIs every client opens with,
 * then the rest this broker serves. A request that arrives earlier waits for its own API's codecs
 * (the dispatcher defers it).
 */
function preloadCodecs(apis: ApiRegistry, logger: Logger): void {
  setImmediate(() => {
    loadApiCodecs([ApiKey.ApiVersions, ApiKey.Metadata])
      .then(() => loadApiCodecs(apis.keys()))
      .catch((err: unknown) => logger.error({ err }, 'preloading the protocol codecs failed'));
  });
}

/**
 * Stops what was started, in order: parked fetches released, cleaner and coordinator stopped, the
 * listeners closed (no more appends), producer-state snapshots written, storage flushed and closed.
 * With a logger (a broker that ran), fetches get one turn of the event loop to answer first.
 */
async function stopParts(parts: BrokerParts, logger?: Logger): Promise<void> {
  parts.waiters.close();
  // One turn of the event loop lets the fetches just released answer (empty) before their
  // connections close, so consumers see a normal response rather than a dropped request.
  if (logger) await new Promise((resolve) => setImmediate(resolve));
  parts.cleaner?.close();
  parts.transactions?.close();
  parts.groups?.close();
  await Promise.all(parts.servers.map((s) => s.close()));
  // After the servers (no more appends), before the logs close: final producer-state snapshots.
  parts.producers?.close();
  await parts.logs.close();
  logger?.info({}, 'broker stopped');
}
