import { topics, topicsTouchedBy } from '@retail-streams/contracts';
import {
  createServiceApp,
  prismaReadinessCheck,
  sqlClientOf,
  startService,
} from '@retail-streams/service-kit';
import {
  clientSecurityFromEnv,
  processOnce,
  Streaming,
  streamingClientMigrationsDir,
} from '@retail-streams/streaming-client';
import type { Logger } from 'pino';
import type { ReorderingConfig } from './config.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { openPurchaseOrder } from './purchase-orders/open-purchase-order.ts';
import { purchaseOrderRoutes } from './purchase-orders/purchase-order-routes.ts';
import { SimulatedSupplier } from './supplier/simulated-supplier.ts';

export const serviceName = 'reordering';

export interface RunningReordering {
  url: string;
  port: number;
  /** Stops taking requests and events, finishes what is in flight, publishes the outbox, closes. */
  stop(): Promise<void>;
}

const migrationsDir = new URL('../prisma/migrations', import.meta.url).pathname;

/**
 * Starts the reordering service in this process: database (created when an admin URL is given, then
 * migrated), topics, the low-stock consumer, the outbox relay, the simulated supplier and HTTP.
 * `main.ts` runs it as a process; tests run it in-process against a real broker and Postgres.
 */
export function startReordering(
  config: ReorderingConfig,
  logger: Logger,
): Promise<RunningReordering> {
  return startService(logger, async ({ onStop, onStopFirst, database, accessLogFile, serve }) => {
    const prisma = await database(PrismaClient, {
      databaseUrl: config.DATABASE_URL,
      adminUrl: config.POSTGRES_ADMIN_URL,
      migrationsDir,
      libraryMigrationsDirs: [streamingClientMigrationsDir],
    });

    const streaming = new Streaming({
      brokers: config.KAFKA_BROKERS,
      security: clientSecurityFromEnv(config),
      clientId: serviceName,
      logger,
    });
    onStop('streaming', () => streaming.close());
    await streaming.provision(topicsTouchedBy(serviceName));

    const relay = streaming.outboxRelay({
      db: sqlClientOf(prisma),
      databaseUrl: config.DATABASE_URL,
    });
    await relay.start();
    // Stopped after the consumer and the supplier (steps are undone in reverse), so their last
    // events are published before the process goes.
    onStop('outbox relay', async () => {
      await relay.flush();
      await relay.stop();
    });

    const supplier = new SimulatedSupplier({ db: prisma, logger });
    supplier.start();
    onStop('simulated supplier', () => supplier.stop());

    const runner = streaming
      .consumer({ groupId: serviceName })
      .on(topics.lowStock, async (event, context) => {
        const { outcome, result } = await processOnce(prisma, event, context, (tx) =>
          openPurchaseOrder(tx, event, { leadTimeMs: config.SUPPLIER_LEAD_TIME_MS }),
        );
        if (result?.outcome === 'opened') supplier.wake();
        logger.info(
          { eventId: event.id, sku: event.data.sku, inbox: outcome, ...result },
          'low stock handled',
        );
      });
    await runner.start();
    // First at a stop, before the HTTP drain: the member leaves its group at once (see onStopFirst).
    onStopFirst('low-stock consumer', () => runner.stop());

    const app = createServiceApp({
      name: serviceName,
      logger,
      accessLogFile: accessLogFile(config.ACCESS_LOG_FILE, serviceName),
      routes: (router) => purchaseOrderRoutes(router, prisma),
    });
    app.readiness.add('database', prismaReadinessCheck(prisma));
    app.readiness.add('broker', () => streaming.isReachable());
    app.readiness.add('consumers', () => runner.running);
    const server = await serve(app, config.PORT, config.HOST);
    return { url: server.url, port: server.port };
  });
}
