import { fileURLToPath } from 'node:url';
import { allTopics, topics } from '@retail-streams/contracts';
import {
  applyMigrations,
  createServiceApp,
  ensureDatabase,
  openAccessLogFile,
  prismaReadinessCheck,
  startHttpServer,
  type Logger,
} from '@retail-streams/service-kit';
import { Streaming, type ConsumerRunner, type OutboxRelay } from '@retail-streams/streaming-client';
import { productRoutes } from './catalogue/product-routes.ts';
import { seedCatalogue } from './catalogue/seed-catalogue.ts';
import type { InventoryConfig } from './config.ts';
import { createInventoryPrisma, type InventoryPrisma } from './database/inventory-database.ts';
import { adminRoutes } from './fault-injection/admin-routes.ts';
import { ArtificialLatency } from './fault-injection/artificial-latency.ts';
import { orderPlacedHandler } from './reservations/order-placed-handler.ts';
import { reservationRoutes } from './reservations/reservation-routes.ts';
import { goodsReceivedHandler } from './restocking/goods-received-handler.ts';
import { SERVICE_NAME } from './stock/announce-stock-change.ts';

export interface RunningInventory {
  url: string;
  port: number;
  /** The injected delay (also reachable over HTTP with ADMIN_ENDPOINTS=true). */
  latency: ArtificialLatency;
  /** The consumer group's runner: its metrics, its assignments. */
  runner: ConsumerRunner;
  /** The outbox relay: `flush()` publishes what is pending now. */
  relay: OutboxRelay;
  /** SKUs the catalogue seed inserted at this start (empty on a restart). */
  seeded: string[];
  /** Stops taking requests, lets handlers finish and commit, then closes every connection. */
  stop(): Promise<void>;
}

const migrationsDir = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

/**
 * Starts inventory in this process: database (created when POSTGRES_ADMIN_URL is given, then
 * migrated and seeded), topics, outbox relay, consumers and the HTTP API. `main.ts` and the tests
 * both call this. A failure part-way stops what had already started before it rethrows.
 */
export async function startInventory(
  config: InventoryConfig,
  logger: Logger,
): Promise<RunningInventory> {
  const cleanup: { name: string; run: () => Promise<unknown> | unknown }[] = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        logger.warn({ err: error, step: step.name }, 'inventory shutdown step failed');
      }
    }
  };

  try {
    if (config.POSTGRES_ADMIN_URL) {
      await ensureDatabase(config.POSTGRES_ADMIN_URL, databaseNameOf(config.DATABASE_URL));
    }
    await applyMigrations({ databaseUrl: config.DATABASE_URL, migrationsDir, logger });
    const prisma: InventoryPrisma = createInventoryPrisma(config.DATABASE_URL);
    cleanup.push({ name: 'database', run: () => prisma.$disconnect() });

    const seeded = await seedCatalogue(prisma);
    if (seeded.length > 0) logger.info({ skus: seeded.length }, 'catalogue seeded');

    const streaming = new Streaming({
      brokers: config.KAFKA_BROKERS,
      clientId: SERVICE_NAME,
      logger,
    });
    cleanup.push({ name: 'streaming', run: () => streaming.close() });
    await streaming.provision(allTopics);

    const relay = streaming.outboxRelay({ db: prisma, databaseUrl: config.DATABASE_URL });
    cleanup.push({ name: 'outbox relay', run: () => relay.stop() });
    await relay.start();

    const stopping = new AbortController();
    const latency = new ArtificialLatency(config.INVENTORY_ARTIFICIAL_LATENCY_MS, stopping.signal);
    const handlerDeps = { prisma, latency, logger };
    const runner = streaming
      .consumer({ groupId: SERVICE_NAME, partitionsConsumedConcurrently: 3 })
      .on(topics.orderPlaced, orderPlacedHandler(handlerDeps))
      .on(topics.goodsReceived, goodsReceivedHandler(handlerDeps));
    cleanup.push({ name: 'consumers', run: () => runner.stop() });
    await runner.start();

    const accessLogFile = config.ACCESS_LOG_FILE
      ? openAccessLogFile(config.ACCESS_LOG_FILE, SERVICE_NAME)
      : undefined;
    // Registered before the server, so it closes after the server has drained the last requests.
    if (accessLogFile) cleanup.push({ name: 'access log', run: () => accessLogFile.close() });
    const app = createServiceApp({
      name: SERVICE_NAME,
      logger,
      accessLogFile,
      routes: (router) => {
        productRoutes(router, prisma);
        reservationRoutes(router, { prisma, latency });
        if (config.ADMIN_ENDPOINTS) adminRoutes(router, latency);
      },
    });
    app.readiness.add('database', prismaReadinessCheck(prisma));
    app.readiness.add('broker', () => streaming.isReachable());
    app.readiness.add('consumers', () => runner.running);
    const server = await startHttpServer(app, config.PORT);
    cleanup.push({ name: 'http server', run: () => server.close() });
    // Before the server drains: injected delays end at once instead of holding up the shutdown.
    cleanup.push({ name: 'artificial latency', run: () => stopping.abort() });
    // Last registered, first run: the load balancer stops routing here while the rest drains.
    cleanup.push({ name: 'readiness', run: () => app.readiness.markShuttingDown() });

    logger.info(
      { url: server.url, brokers: config.KAFKA_BROKERS, adminEndpoints: config.ADMIN_ENDPOINTS },
      'inventory listening',
    );
    return {
      url: server.url,
      port: server.port,
      latency,
      runner,
      relay,
      seeded,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name)
    throw Object.assign(new Error('DATABASE_URL names no database'), { code: 'CONFIG_INVALID' });
  return name;
}
