import type { Logger } from 'pino';
import type { PrismaPg } from '@prisma/adapter-pg';
import { ensureDatabase } from '../database/ensure-database.ts';
import { applyMigrations } from '../database/migrations/apply-migrations.ts';
import { createPrismaClient } from '../database/prisma-client.ts';
import type { PrismaClientOptions } from '../database/prisma-client.ts';
import { openAccessLogFile } from '../http/access-log-file.ts';
import type { AccessLogFile } from '../http/access-log-file.ts';
import { startHttpServer } from '../http/start-http-server.ts';
import type { RunningHttpServer } from '../http/start-http-server.ts';
import type { ServiceApp } from '../http/create-service-app.ts';
import { ConfigError } from '../config/config-error.ts';

export type StopStep = () => Promise<unknown> | unknown;

export interface ServiceDatabaseOptions extends PrismaClientOptions {
  databaseUrl: string;
  /**
   * A server-level URL (database `postgres`): when given, the database DATABASE_URL names is created
   * first if missing, which is what a fresh local stack needs; when absent it must exist already.
   */
  adminUrl?: string | undefined;
  /** The service's `prisma/migrations` folder. */
  migrationsDir: string;
  /** Libraries' migrations applied with the service's own (see `applyMigrations`). */
  libraryMigrationsDirs?: readonly string[] | undefined;
}

/** What a service's start-up function is handed: it registers how each step it takes is undone. */
export interface ServiceStartup {
  readonly logger: Logger;
  /**
   * Registers how to undo the step just taken. Steps are undone in REVERSE order: what started last
   * depends on what started first (the HTTP server on the consumers, the consumers on the database).
   */
  onStop(name: string, stop: StopStep): void;
  /**
   * Registers a step that runs as soon as the stop begins, before the HTTP server drains and before
   * every `onStop` step (later registrations first): for consumers, so that they leave their groups
   * at once. A member that is killed before it has left (a drain that used up the shutdown budget)
   * stays in its group, and the service's next start then waits a whole session timeout in
   * JoinGroup for it to expire.
   */
  onStopFirst(name: string, stop: StopStep): void;
  /**
   * The service's own database, ready to use: created when `adminUrl` is given, migrated, and a
   * Prisma client on it that is disconnected at stop.
   */
  database<Client extends { $disconnect(): Promise<void> }>(
    PrismaClient: new (options: { adapter: PrismaPg }) => Client,
    options: ServiceDatabaseOptions,
  ): Promise<Client>;
  /**
   * The access-log file for `createServiceApp({ accessLogFile })` when `path` is set (ACCESS_LOG_FILE),
   * else undefined. Call it before `serve`: it is closed after the server has drained, so the last
   * requests are in the file.
   */
  accessLogFile(path: string | undefined, service: string): AccessLogFile | undefined;
  /**
   * Starts the HTTP server; at stop, readiness turns 503 first (the load balancer stops sending
   * traffic), then the server drains. Call it last, once everything the routes use is running.
   * `host` is the service's HOST setting: loopback locally, 0.0.0.0 in a container.
   */
  serve(app: ServiceApp, port: number, host: string): Promise<RunningHttpServer>;
}

/**
 * Starts a service in this process, the way `main.ts` and the tests both do: runs `start`, and hands
 * back what it returns with a `stop()` that undoes every registered step (once, however often it is
 * called; a failing step is logged and the rest still run). If `start` fails part-way, whatever
 * already started is stopped again before the error is rethrown, so a test or a restart loop does
 * not leak connections.
 */
export async function startService<Service extends object>(
  logger: Logger,
  start: (startup: ServiceStartup) => Promise<Service>,
): Promise<Service & { stop(): Promise<void> }> {
  const steps: { name: string; stop: StopStep }[] = [];
  const firstSteps: { name: string; stop: StopStep }[] = [];
  const stopAll = async (): Promise<void> => {
    const ordered = [...firstSteps.splice(0).reverse(), ...steps.splice(0).reverse()];
    for (const step of ordered) {
      try {
        await step.stop();
      } catch (error) {
        logger.warn({ err: error, step: step.name }, `stop step "${step.name}" failed`);
      }
    }
  };
  const onStop = (name: string, stop: StopStep): void => {
    steps.push({ name, stop });
  };

  const startup: ServiceStartup = {
    logger,
    onStop,
    onStopFirst: (name, stop) => {
      firstSteps.push({ name, stop });
    },
    async database(PrismaClient, options) {
      if (options.adminUrl)
        await ensureDatabase(options.adminUrl, databaseNameOf(options.databaseUrl));
      await applyMigrations({
        databaseUrl: options.databaseUrl,
        migrationsDir: options.migrationsDir,
        libraryMigrationsDirs: options.libraryMigrationsDirs,
        logger,
      });
      const prisma = createPrismaClient(PrismaClient, options.databaseUrl, {
        maxConnections: options.maxConnections,
      });
      onStop('database', () => prisma.$disconnect());
      return prisma;
    },
    accessLogFile(path, service) {
      if (!path) return undefined;
      const file = openAccessLogFile(path, service);
      onStop('access log', () => file.close());
      return file;
    },
    async serve(app, port, host) {
      const server = await startHttpServer(app, port, host);
      onStop('http server', () => server.close());
      // Last registered, so first to run: no new traffic is sent here while the server drains.
      onStop('readiness', () => app.readiness.markShuttingDown());
      return server;
    },
  };

  try {
    const service = await start(startup);
    let stopping: Promise<void> | undefined;
    return { ...service, stop: () => (stopping ??= stopAll()) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The database a connection URL names (its path), which is the one to create. */
export function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!name) {
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        kind: 'invalid',
        expected: 'a URL whose path names the database',
      },
    ]);
  }
  return name;
}
