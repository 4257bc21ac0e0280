import { pino } from 'pino';
import type { Logger } from 'pino';
import { AppendWaiters } from './api/append-waiters.ts';
import { createApiRegistry } from './api/registry.ts';
import type { BrokerContext } from './api/types.ts';
import { loadOrCreateClusterId } from './cluster-id.ts';
import { resolveBrokerConfig } from './config/index.ts';
import { GROUP_APIS } from './group/group-apis.ts';
import { openGroupCoordinator } from './group/index.ts';
import type { GroupCoordinator } from './group/index.ts';
import type { BrokerOptions } from './config/index.ts';
import { ProducerStateManager } from './producer-state/index.ts';
import { ApiKey, loadApiCodecs } from './protocol/index.ts';
import { KafkaServer } from './server/kafka-server.ts';
import { RequestDispatcher } from './server/request-dispatcher.ts';
import { LogManager } from './storage/index.ts';
import { LogCleaner } from './storage/compaction/index.ts';
import type { CompactionOptions, CompactionStats } from './storage/compaction/index.ts';

export type { BrokerOptions } from './config/index.ts';

export interface RunningBroker {
  /** The host clients are told to use (advertised). */
  host: string;
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  /** "host:port", ready for a client's bootstrap list. */
  bootstrap: string;
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

/**
 * Starts a broker: opens (and recovers) the log dir, binds the listener and starts background retention.
 * Resolves once clients can connect.
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

  let server: KafkaServer | null = null;
  let groups: GroupCoordinator | null = null;
  let producers: ProducerStateManager | null = null;
  let cleaner: LogCleaner | null = null;
  const waiters = new AppendWaiters((listener) => logs.onAppend(listener));
  try {
    const clusterId = loadOrCreateClusterId(config.logDir, config.nodeId);
    groups = openGroupCoordinator(logs, {
      logger: logger.child({ component: 'groups' }),
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    });
    producers = ProducerStateManager.open({
      logs,
      logger: logger.child({ component: 'producer-state' }),
    });
    const producerState = producers;
    cleaner = new LogCleaner({
      logs,
      backoffMs: config.logCleanerBackoffMs,
      logger: logger.child({ component: 'log-cleaner' }),
      // Compaction may drop batches a log replay would need: save producer state first.
      beforeRewrite: (log) => producerState.snapshot(log),
    });
    const apis = createApiRegistry(GROUP_APIS);
    const context: BrokerContext = {
      config,
      nodeId: config.nodeId,
      clusterId,
      logs,
      logger,
      waiters,
      groups,
      producers,
      apis,
      advertised: () => ({
        host: config.advertisedHost,
        port: config.advertisedPort ?? server?.port ?? config.port,
      }),
      now: () => Date.now(),
    };
    const dispatcher = new RequestDispatcher(context);
    server = await KafkaServer.listen({
      host: config.host,
      port: config.port,
      maxRequestBytes: config.maxRequestBytes,
      dispatch: (frame, conn) => dispatcher.dispatch(frame, conn),
      logger,
    });
    const boundPort = server.port;
    // The codecs load after the listener is up (and, through setImmediate, after startBroker's
    // caller has announced readiness), so they do not delay start-up: first the two APIs every
    // client opens with, then the rest this broker serves. A request that arrives earlier waits for
    // its own API's codecs (the dispatcher defers it).
    setImmediate(() => {
      loadApiCodecs([ApiKey.ApiVersions, ApiKey.Metadata])
        .then(() => loadApiCodecs(apis.keys()))
        .catch((err: unknown) => logger.error({ err }, 'preloading the protocol codecs failed'));
    });

    const advertised = context.advertised();
    logger.info(
      {
        listen: `${config.host}:${boundPort}`,
        advertised: `${advertised.host}:${advertised.port}`,
        nodeId: config.nodeId,
        clusterId,
        logDir: config.logDir,
        topics: logs.listTopics().length,
        startupMs: Math.round(performance.now() - startedAt),
      },
      'broker started',
    );

    let closing: Promise<void> | null = null;
    const runningServer = server;
    const runningGroups = groups;
    const runningProducers = producers;
    const runningCleaner = cleaner;
    return {
      host: advertised.host,
      port: boundPort,
      bootstrap: `${advertised.host}:${boundPort}`,
      nodeId: config.nodeId,
      clusterId,
      logDir: config.logDir,
      logs,
      runCompaction: (options) => runningCleaner.runCompaction(options),
      close() {
        closing ??= (async () => {
          waiters.close();
          // One turn of the event loop lets the fetches just released answer (empty) before their
          // connections close, so consumers see a normal response rather than a dropped request.
          await new Promise((resolve) => setImmediate(resolve));
          runningCleaner.close();
          runningGroups.close();
          await runningServer.close();
          // After the server (no more appends), before the logs close: final producer-state snapshots.
          runningProducers.close();
          await logs.close();
          logger.info({}, 'broker stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    waiters.close();
    cleaner?.close();
    groups?.close();
    await server?.close();
    producers?.close();
    await logs.close();
    throw err;
  }
}
