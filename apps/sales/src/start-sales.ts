import { topics, topicsTouchedBy } from '@retail-streams/contracts';
import {
  createServiceApp,
  prismaReadinessCheck,
  sqlClientOf,
  startService,
  type Logger,
} from '@retail-streams/service-kit';
import {
  clientSecurityFromEnv,
  Streaming,
  streamingClientMigrationsDir,
} from '@retail-streams/streaming-client';
import type { SalesConfig } from './config.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { InventoryClient } from './inventory/inventory-client.ts';
import { orderRoutes } from './orders/order-routes.ts';
import { OrderWriter } from './orders/order-writer.ts';
import { reservationResultHandler } from './reservations/reservation-result-handler.ts';
import { unmatchedResultRoutes } from './reservations/unmatched-routes.ts';

export const SERVICE_NAME = 'sales';

export interface RunningSales {
  url: string;
  port: number;
  /** Stops taking requests, finishes in-flight work, then disconnects from broker and database. */
  stop(): Promise<void>;
}

const migrationsDir = new URL('../prisma/migrations', import.meta.url).pathname;

/**
 * Starts the sales service in this process: migrations, database, topics, the reservation-result
 * consumer, the outbox relay and the HTTP API. What `main.ts` runs and what the tests start.
 * If a step fails, whatever already started is stopped again before the error is rethrown.
 */
export function startSales(config: SalesConfig, logger: Logger): Promise<RunningSales> {
  return startService(logger, async ({ onStop, onStopFirst, database, accessLogFile, serve }) => {
    const prisma = await database(PrismaClient, {
      databaseUrl: config.DATABASE_URL,
      adminUrl: config.POSTGRES_ADMIN_URL,
      migrationsDir,
      libraryMigrationsDirs: [streamingClientMigrationsDir],
    });
    // The hot paths (orders, reservation results, the relay) run their SQL without Prisma.
    const sql = sqlClientOf(prisma);

    const streaming = new Streaming({
      brokers: config.KAFKA_BROKERS,
      security: clientSecurityFromEnv(config),
      clientId: SERVICE_NAME,
      logger,
    });
    onStop('streaming', () => streaming.close());
    await streaming.provision(topicsTouchedBy(SERVICE_NAME));

    // Every partition at once: the batches of one fetch then share a transaction (BatchCombiner).
    const runner = streaming
      .consumer({
        groupId: SERVICE_NAME,
        partitionsConsumedConcurrently: topics.reservationResult.partitions,
      })
      .onBatch(topics.reservationResult, reservationResultHandler(sql, logger));
    // First at a stop, before the HTTP drain: the member leaves its group at once (see onStopFirst).
    onStopFirst('consumers', () => runner.stop());
    await runner.start();

    const relay = streaming.outboxRelay({ db: sql, databaseUrl: config.DATABASE_URL });
    await relay.start();
    onStop('outbox relay', () => relay.stop());

    const inventory = new InventoryClient({
      baseUrl: config.INVENTORY_URL,
      timeoutMs: config.SYNC_TIMEOUT_MS,
    });
    onStop('inventory connections', () => inventory.close());
    const app = createServiceApp({
      name: SERVICE_NAME,
      logger,
      jsonLimit: '256kb',
      accessLogFile: accessLogFile(config.ACCESS_LOG_FILE, SERVICE_NAME),
      routes: (router) => {
        orderRoutes(router, { prisma, inventory, writer: new OrderWriter(sql, logger) });
        unmatchedResultRoutes(router, sql);
      },
    });
    app.readiness.add('database', prismaReadinessCheck(prisma));
    app.readiness.add('broker', () => streaming.isReachable());
    app.readiness.add('consumers', () => runner.running);
    const server = await serve(app, config.PORT, config.HOST);

    logger.info({ url: server.url, inventory: config.INVENTORY_URL }, 'sales is listening');
    return { url: server.url, port: server.port };
  });
}
