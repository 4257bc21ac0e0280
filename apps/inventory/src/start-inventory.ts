import { fileURLToPath } from 'node:url';
import { topics, topicsTouchedBy } from '@retail-streams/contracts';
import {
  createServiceApp,
  prismaReadinessCheck,
  startService,
  type Logger,
} from '@retail-streams/service-kit';
import {
  clientSecurityFromEnv,
  Streaming,
  streamingClientMigrationsDir,
  type ConsumerRunner,
  type OutboxRelay,
} from '@retail-streams/streaming-client';
import { productRoutes } from './catalogue/product-routes.ts';
import { seedCatalogue } from './catalogue/seed-catalogue.ts';
import type { InventoryConfig } from './config.ts';
import { inboxDatabase, type InventoryPrisma } from './database/inventory-database.ts';
import { adminRoutes } from './fault-injection/admin-routes.ts';
import { ArtificialLatency } from './fault-injection/artificial-latency.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { orderPlacedHandler } from './reservations/order-placed-handler.ts';
import { reservationRoutes } from './reservations/reservation-routes.ts';
import { SyncReservations } from './reservations/sync-reservations.ts';
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
export function startInventory(config: InventoryConfig, logger: Logger): Promise<RunningInventory> {
  return startService(logger, async ({ onStop, onStopFirst, database, accessLogFile, serve }) => {
    const prisma: InventoryPrisma = await database(PrismaClient, {
      databaseUrl: config.DATABASE_URL,
      adminUrl: config.POSTGRES_ADMIN_URL,
      migrationsDir,
      libraryMigrationsDirs: [streamingClientMigrationsDir],
    });

    const seeded = await seedCatalogue(prisma);
    if (seeded.length > 0) logger.info({ skus: seeded.length }, 'catalogue seeded');

    const streaming = new Streaming({
      brokers: config.KAFKA_BROKERS,
      security: clientSecurityFromEnv(config),
      clientId: SERVICE_NAME,
      logger,
    });
    onStop('streaming', () => streaming.close());
    await streaming.provision(topicsTouchedBy(SERVICE_NAME));

    const relay = streaming.outboxRelay({
      db: inboxDatabase(prisma),
      databaseUrl: config.DATABASE_URL,
    });
    onStop('outbox relay', () => relay.stop());
    await relay.start();

    const stopping = new AbortController();
    const latency = new ArtificialLatency(config.INVENTORY_ARTIFICIAL_LATENCY_MS, stopping.signal);
    const handlerDeps = { prisma, latency, logger };
    // Every partition at once: the batches of one fetch then share a transaction (BatchCombiner).
    const runner = streaming
      .consumer({
        groupId: SERVICE_NAME,
        partitionsConsumedConcurrently: topics.orderPlaced.partitions,
      })
      .onBatch(topics.orderPlaced, orderPlacedHandler(handlerDeps))
      .on(topics.goodsReceived, goodsReceivedHandler(handlerDeps));
    // First at a stop, before the HTTP drain: the member leaves its group at once (see onStopFirst).
    onStopFirst('consumers', () => runner.stop());
    await runner.start();

    const app = createServiceApp({
      name: SERVICE_NAME,
      logger,
      accessLogFile: accessLogFile(config.ACCESS_LOG_FILE, SERVICE_NAME),
      routes: (router) => {
        productRoutes(router, prisma);
        reservationRoutes(router, { reservations: new SyncReservations(prisma, logger), latency });
        if (config.ADMIN_ENDPOINTS) adminRoutes(router, latency);
      },
    });
    app.readiness.add('database', prismaReadinessCheck(prisma));
    app.readiness.add('broker', () => streaming.isReachable());
    app.readiness.add('consumers', () => runner.running);
    const server = await serve(app, config.PORT, config.HOST);
    // Registered after the server, so it runs before the server drains: injected delays end at
    // once instead of holding up the shutdown.
    onStop('artificial latency', () => stopping.abort());

    logger.info(
      { url: server.url, brokers: config.KAFKA_BROKERS, adminEndpoints: config.ADMIN_ENDPOINTS },
      'inventory listening',
    );
    return { url: server.url, port: server.port, latency, runner, relay, seeded };
  });
}
