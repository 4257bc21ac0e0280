import { allTopics } from '@retail-streams/contracts';
import { createServiceApp, prismaReadinessCheck, startService } from '@retail-streams/service-kit';
import { Streaming } from '@retail-streams/streaming-client';
import { ProcessingError } from '@retail-streams/streaming-processing';
import type { Logger } from 'pino';
import { analyticsRoutes } from './api/analytics-routes.ts';
import { dashboardRoutes, type Dashboard } from './dashboard/dashboard-routes.ts';
import { SummaryBroadcaster } from './api/summary-broadcaster.ts';
import type { AnalyticsConfig } from './config.ts';
import { AnalyticsEngine } from './consuming/analytics-engine.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { buildAnalyticsTopology } from './processing/analytics-topology.ts';
import { readProcessingState } from './processing/state-rows.ts';
import { ReplayCoordinator } from './replay/replay-coordinator.ts';
import { readSummary } from './summary/summary-query.ts';

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
export function startAnalytics(config: AnalyticsConfig, logger: Logger): Promise<RunningAnalytics> {
  return startService(logger, async ({ onStop, database, accessLogFile, serve }) => {
    const prisma = await database(PrismaClient, {
      databaseUrl: config.DATABASE_URL,
      adminUrl: config.POSTGRES_ADMIN_URL,
      migrationsDir,
    });

    const streaming = new Streaming({
      brokers: config.KAFKA_BROKERS,
      clientId: SERVICE_NAME,
      logger,
    });
    onStop('streaming', () => streaming.close());
    await streaming.provision(allTopics);

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
      db: prisma,
      streaming,
      topology,
      logger,
      onCommit: () => notifyCommit(),
    });
    const replays = new ReplayCoordinator({ db: prisma, streaming, engine, logger });
    const summary = async () => {
      const state = await readProcessingState(prisma);
      const replay =
        state.replayId === null
          ? undefined
          : await replays.view(state.replayId).catch(() => undefined);
      return readSummary(prisma, {
        settings: topology.settings,
        processing: {
          groupId: state.groupId,
          replay: replay === undefined ? null : { id: replay.id, status: replay.status },
          processedRecords: engine.pipeline?.processed ?? 0,
        },
      });
    };
    const sse = new SummaryBroadcaster({
      read: summary,
      throttleMs: config.SSE_THROTTLE_MS,
      keepAliveMs: config.SSE_KEEPALIVE_MS,
      logger,
    });
    notifyCommit = () => sse.changed();
    onStop('event streams', () => sse.close());

    onStop('consumer', () => engine.stop());
    onStop('replays', () => replays.stop());
    try {
      await engine.start();
      await replays.resume();
    } catch (error) {
      if (!(error instanceof ProcessingError && error.code === 'STATE_TOPOLOGY_MISMATCH'))
        throw error;
      // A window size or grace changed: the stored state means something else now. Rebuild it.
      logger.warn(
        'the aggregations changed since the last checkpoint: replaying from the beginning',
      );
      await replays.start();
    }

    let dashboard: Dashboard | undefined;
    onStop('dashboard', () => dashboard?.close());
    const app = createServiceApp({
      name: SERVICE_NAME,
      logger,
      accessLogFile: accessLogFile(config.ACCESS_LOG_FILE, SERVICE_NAME),
      routes: (router) => {
        analyticsRoutes(router, { readSummary: summary, broadcaster: sse, replays });
        dashboard = dashboardRoutes(router, { config });
      },
    });
    app.readiness.add('database', prismaReadinessCheck(prisma));
    app.readiness.add('broker', () => streaming.isReachable());
    // During a replay's switch-over the runner is briefly down: that is not "not ready" for readers.
    app.readiness.add('consumer', () => engine.running || replays.active);

    const server = await serve(app, config.PORT);
    // Registered after the server, so it runs before the server drains: the server's close would
    // otherwise wait for the open event streams.
    onStop('event streams (before http)', () => sse.close());
    logger.info({ url: server.url }, 'analytics listening');
    return { url: server.url, port: server.port };
  });
}
