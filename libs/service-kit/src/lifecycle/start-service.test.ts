import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../database/test-fixtures/generated/client.ts';
import { createServiceApp } from '../http/index.ts';
import { createLogger } from '../logging/index.ts';
import { startTestPostgres } from '../testing/index.ts';
import type { TestPostgres } from '../testing/index.ts';
import { databaseNameOf, startService } from './index.ts';

const migrationsDir = fileURLToPath(
  new URL('../database/test-fixtures/prisma/migrations', import.meta.url),
);
const logger = createLogger('start-service-test', { level: 'silent' });

describe('startService', () => {
  it('undoes the registered steps in reverse order, once, however often stop is called', async () => {
    const undone: string[] = [];
    const service = await startService(logger, async ({ onStop }) => {
      onStop('database', () => undone.push('database'));
      onStop('consumers', async () => {
        await new Promise((resolve) => setImmediate(resolve));
        undone.push('consumers');
      });
      onStop('http server', () => undone.push('http server'));
      return { url: 'http://example.invalid' };
    });

    expect(service.url).toBe('http://example.invalid');
    await Promise.all([service.stop(), service.stop()]);
    await service.stop();
    expect(undone).toEqual(['http server', 'consumers', 'database']);
  });

  it('runs the onStopFirst steps (consumers leaving their groups) before every other step', async () => {
    const undone: string[] = [];
    const service = await startService(logger, async ({ onStop, onStopFirst }) => {
      onStop('database', () => undone.push('database'));
      onStopFirst('consumers', () => undone.push('consumers'));
      onStopFirst('replays', () => undone.push('replays'));
      onStop('http server', () => undone.push('http server'));
      return {};
    });

    await service.stop();
    expect(undone).toEqual(['replays', 'consumers', 'http server', 'database']);
  });

  it('runs the remaining steps when one of them fails', async () => {
    const undone: string[] = [];
    const service = await startService(logger, async ({ onStop }) => {
      onStop('database', () => undone.push('database'));
      onStop('consumers', () => {
        throw new Error('commit failed');
      });
      return {};
    });

    await expect(service.stop()).resolves.toBeUndefined();
    expect(undone).toEqual(['database']);
  });

  it('undoes what had started when start-up fails part-way, then rethrows', async () => {
    const undone: string[] = [];
    const failure = Object.assign(new Error('broker unreachable'), { code: 'BROKER_DOWN' });
    await expect(
      startService(logger, async ({ onStop }) => {
        onStop('database', () => undone.push('database'));
        onStop('streaming', () => undone.push('streaming'));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(undone).toEqual(['streaming', 'database']);
  });

  it('turns readiness to 503 first, then lets the HTTP server drain the requests in flight', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const app = createServiceApp({
      name: 'widgets',
      logger,
      routes: (router) => {
        router.get('/slow', async (_req, res) => {
          arrived();
          await released;
          res.json(await app.readiness.run());
        });
      },
    });
    const service = await startService(logger, async ({ serve }) => {
      const server = await serve(app, 0, '127.0.0.1');
      return { url: server.url };
    });

    const slow = fetch(`${service.url}/slow`);
    await inFlight;
    const stopped = service.stop();
    release();
    const answer = await slow;
    await stopped;

    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: 'not_ready', shuttingDown: true });
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });
});

describe('startService accessLogFile()', () => {
  it('opens the file only when a path is configured, and closes it after the server drained', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'start-service-')), 'access.log');
    const service = await startService(logger, async ({ accessLogFile, serve }) => {
      expect(accessLogFile(undefined, 'widgets')).toBeUndefined();
      const app = createServiceApp({
        name: 'widgets',
        logger,
        accessLogFile: accessLogFile(file, 'widgets'),
      });
      const server = await serve(app, 0, '127.0.0.1');
      return { url: server.url };
    });
    await fetch(`${service.url}/nowhere`);
    await service.stop();

    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ service: 'widgets', path: '/nowhere', status: 404 }),
    ]);
  });
});

describe('startService database()', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('creates the database the URL names when given the admin URL, migrates it, and disconnects at stop', async () => {
    const databaseUrl = postgres.url('widgets_created_here');
    let disconnected = false;
    class ObservedClient extends PrismaClient {
      override async $disconnect(): Promise<void> {
        disconnected = true;
        await super.$disconnect();
      }
    }
    const service = await startService(logger, async ({ database }) => {
      const prisma = await database(ObservedClient, {
        databaseUrl,
        adminUrl: postgres.url(),
        migrationsDir,
      });
      await prisma.widget.create({ data: { sku: 'W-1', quantity: 2 } });
      return { prisma };
    });

    expect(await service.prisma.widget.count()).toBe(1);
    await service.stop();
    expect(disconnected).toBe(true);
  });

  it('migrates a database that exists when no admin URL is given', async () => {
    const databaseUrl = await postgres.createDatabase('widgets_existing');
    const service = await startService(logger, async ({ database }) => ({
      prisma: await database(PrismaClient, { databaseUrl, migrationsDir }),
    }));
    try {
      expect(await service.prisma.widget.count()).toBe(0);
    } finally {
      await service.stop();
    }
  });
});

describe('databaseNameOf', () => {
  it('reads the database from the URL path, decoding it', () => {
    expect(databaseNameOf('postgresql://u:p@127.0.0.1:5432/sales')).toBe('sales');
    expect(databaseNameOf('postgresql://u:p@127.0.0.1:5432/my%20db?schema=x')).toBe('my db');
  });

  it('refuses a URL that names no database, with a config error', () => {
    expect(() => databaseNameOf('postgresql://u:p@127.0.0.1:5432')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
