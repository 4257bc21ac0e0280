import { topicsTouchedBy } from '@retail-streams/contracts';
import {
  createServiceApp,
  prismaReadinessCheck,
  sqlClientOf,
  startService,
} from '@retail-streams/service-kit';
import { clientSecurityFromEnv, Streaming } from '@retail-streams/streaming-client';
import { ProcessingError } from '@retail-streams/streaming-processing';
import type { Logger } from 'pino';
import { analyticsRoutes } from './api/analytics-routes.ts';
import { dashboardRoutes, type Dashboard } from './dashboard/dashboard-routes.ts';
import { SummaryBroadcaster } from './api/summary-broadcaster.ts';
import type { AnalyticsConfig } from './config.ts';
import { AnalyticsEngine } from './consuming/analytics-engine.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { buildAnalyticsTopology, type TopologySettings } from './processing/analytics-topology.ts';
import { readProcessingPointer } from './processing/state-rows.ts';
import { ReplayCoordinator } from './replay/replay-coordinator.ts';
import { startSalesPerMinute } from './sales-per-minute/sales-per-minute-stage.ts';
import { readSummary } from './summary/summary-query.ts';
import { traceRoutes } from './tracing/trace-routes.ts';
import { TraceStore } from './tracing/trace-store.ts';

export const SERVICE_NAME = 'analytics';

export interface RunningAnalytics {
  url: string;
  port: number;
  /** Stops HTTP, the replay watcher, the consumer (committing what it finished), then the clients. */
  stop(): Promise<void>;
}

export const migrationsDir = new URL('../prisma/migrations', import.meta.url).pathname;

/**
 * Starts the analytics service in this process: migrations, the Prisma client, topic provisioning,
 * the consumer for the group recorded in the database, the HTTP API. `main.ts` and the tests call it.
 */
export function startAnalytics(
  config: AnalyticsConfig,
  logger: Logger,
  /** Where order journeys are collected (main passes the one its own spans go to). */
  traces: TraceStore = new TraceStore({ keepOrders: config.TRACE_KEEP_ORDERS }),
): Promise<RunningAnalytics> {
  return startService(logger, async ({ onStop, onStopFirst, database, accessLogFile, serve }) => {
    const prisma = await database(PrismaClient, {
      databaseUrl: config.DATABASE_URL,
      adminUrl: config.POSTGRES_ADMIN_URL,
      migrationsDir,
    });

    const streaming = new Streaming({
      brokers: config.KAFKA_BROKERS,
      security: clientSecurityFromEnv(config),
      clientId: SERVICE_NAME,
      logger,
    });
    onStop('streaming', () => streaming.close());
    await streaming.provision(topicsTouchedBy(SERVICE_NAME));

    const topology = buildAnalyticsTopology({
      graceMs: config.WINDOW_GRACE_MS,
      topProducts: {
        windowMs: config.TOP_PRODUCTS_WINDOW_MS,
        advanceMs: config.TOP_PRODUCTS_ADVANCE_MS,
      },
      stockHistoryMs: 15 * 60_000,
    });

    // The broadcaster reads summaries through the engine, and the engine tells it about commits.
    let notifyCommit: () => void = () => undefined;
    const engine = new AnalyticsEngine({
      // Its group commits are one statement each: run without Prisma in between.
      db: sqlClientOf(prisma),
      streaming,
      topology,
      logger,
      onCommit: () => notifyCommit(),
    });
    const replays = new ReplayCoordinator({
      db: prisma,
      streaming,
      engine,
      logger,
      maxRecordsPerSecond: config.REPLAY_MAX_RECORDS_PER_SECOND,
    });
    const summary = summaryReader(prisma, topology.settings, replays, engine);
    const sse = new SummaryBroadcaster({
      read: summary,
      throttleMs: config.SSE_THROTTLE_MS,
      keepAliveMs: config.SSE_KEEPALIVE_MS,
      logger,
    });
    notifyCommit = () => sse.changed();
    onStop('event streams', () => sse.close());

    // First at a stop, before the HTTP drain: the member leaves its group at once (see onStopFirst).
    onStopFirst('consumer and replays', () => stopConsuming(engine, replays));
    await startConsuming(engine, replays, logger);
    // The exactly-once derived topic: its own group and transactional producer, beside the pipeline.
    onStopFirst('sales-per-minute stage', await startSalesPerMinute(streaming, config));

    let dashboard: Dashboard | undefined;
    onStop('dashboard', () => dashboard?.close());
    const app = createServiceApp({
      name: SERVICE_NAME,
      logger,
      accessLogFile: accessLogFile(config.ACCESS_LOG_FILE, SERVICE_NAME),
      // OTLP export batches (up to 512 spans, SQL text included) are larger than API requests.
      jsonLimit: '16mb',
      routes: (router) => {
        analyticsRoutes(router, {
          readSummary: summary,
          broadcaster: sse,
          replays,
          controlToken: config.DEMO_CONTROL_TOKEN,
        });
        traceRoutes(router, traces);
        dashboard = dashboardRoutes(router, { config });
      },
    });
    app.readiness.add('database', prismaReadinessCheck(prisma));
    app.readiness.add('broker', () => streaming.isReachable());
    // During a replay's switch-over the runner is briefly down: that is not "not ready" for readers.
    // A paused replay is not "not ready" either: the service answers, an operator decides.
    app.readiness.add('consumer', () => engine.running || replays.active || replays.paused);

    const server = await serve(app, config.PORT, config.HOST);
    // Registered after the server, so it runs before the server drains: the server's close would
    // otherwise wait for the open event streams.
    onStop('event streams (before http)', () => sse.close());
    logger.info({ url: server.url }, 'analytics listening');
    return { url: server.url, port: server.port };
  });
}

/** The dashboard's summary: the aggregates, plus where processing stands (group, replay, records). */
function summaryReader(
  prisma: PrismaClient,
  settings: TopologySettings,
  replays: ReplayCoordinator,
  engine: AnalyticsEngine,
) {
  return async () => {
    const state = await readProcessingPointer(prisma);
    const replay =
      state.replayId === null
        ? undefined
        : await replays.view(state.replayId).catch(() => undefined);
    return readSummary(prisma, {
      settings,
      processing: {
        groupId: state.groupId,
        replay:
          replay === undefined
            ? null
            : {
                id: replay.id,
                status: replay.status,
                phase: replay.phase,
                progress: replay.progress,
                rate: replay.rate,
              },
        processedRecords: engine.pipeline?.processed ?? 0,
      },
    });
  };
}

/**
 * Starts consuming, unless a replay a stop interrupted waits for an operator: then nothing consumes
 * until it is resumed. A changed window size or grace means the stored state means something else
 * now, so it is rebuilt by a replay from the beginning.
 */
async function startConsuming(
  engine: AnalyticsEngine,
  replays: ReplayCoordinator,
  logger: Logger,
): Promise<void> {
  try {
    if (!(await replays.holdInterrupted())) await engine.start();
  } catch (error) {
    if (!(error instanceof ProcessingError && error.code === 'STATE_TOPOLOGY_MISMATCH'))
      throw error;
    logger.warn('the aggregations changed since the last checkpoint: replaying from the beginning');
    await replays.start();
  }
}

/**
 * The consumer stops taking batches before a replay's rate limit is released, so the batches in
 * flight finish at once and the rest of the replay does not run unthrottled during the stop.
 */
async function stopConsuming(engine: AnalyticsEngine, replays: ReplayCoordinator): Promise<void> {
  const consumerStopped = engine.stop();
  await replays.stop();
  await consumerStopped;
}
