import { startTestPostgres } from '@retail-streams/service-kit/testing';
import type { TestPostgres } from '@retail-streams/service-kit/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentOf, readComposeFile } from '../compose-file.ts';
import { connectAs, initialiseLikeThePostgresImage } from './postgres-image.ts';
import { readPostgresService } from './postgres-service.ts';
import type { PostgresSetup } from './postgres-service.ts';

const compose = readComposeFile();
const { setup } = readPostgresService(compose);
const services = Object.keys(compose.services).filter(
  (name) => environmentOf(compose, name)['DATABASE_URL'] !== undefined,
);

/**
 * A real PostgreSQL (embedded), set up as the postgres image sets itself up from the compose file:
 * then every service's DATABASE_URL must log in and land in its database.
 */
describe("docker-compose.yml's PostgreSQL, initialised as the postgres image does it", () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
    await initialiseLikeThePostgresImage(server.url(), setup as PostgresSetup);
  }, 60_000);
  afterAll(() => server?.stop());

  it('lets every service log in with its DATABASE_URL, into the database it names', async () => {
    expect(services).toEqual(['sales', 'inventory', 'reordering', 'analytics']);
    for (const service of services) {
      const url = new URL(environmentOf(compose, service)['DATABASE_URL'] as string);
      expect(await connectAs(url.href, { host: '127.0.0.1', port: server.port }), service).toEqual({
        user: url.username,
        database: url.pathname.slice(1),
      });
    }
  });

  it('refuses a database the init script does not create', async () => {
    const url = new URL(environmentOf(compose, 'sales')['DATABASE_URL'] as string);
    url.pathname = '/orders';
    await expect(connectAs(url.href, { host: '127.0.0.1', port: server.port })).rejects.toThrow(
      'database "orders" does not exist',
    );
  });

  it('refuses a password other than POSTGRES_PASSWORD', async () => {
    const url = new URL(environmentOf(compose, 'sales')['DATABASE_URL'] as string);
    url.password = 'not-the-password';
    await expect(connectAs(url.href, { host: '127.0.0.1', port: server.port })).rejects.toThrow(
      /password authentication failed/,
    );
  });
});

describe('initialiseLikeThePostgresImage', () => {
  it('stops at the first failing statement of an init script, as psql -v ON_ERROR_STOP=1 does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-init-'));
    const script = join(dir, 'init.sql');
    writeFileSync(script, 'CREATE DATABASE one;\nCREATE DATABASE one;\nCREATE DATABASE two;\n');
    const server = await startTestPostgres();
    try {
      await expect(
        initialiseLikeThePostgresImage(server.url(), {
          service: 'postgres',
          user: 'app',
          password: 'secret',
          database: 'app',
          initScripts: [script],
        }),
      ).rejects.toThrow(
        'init.sql: psql stops at `CREATE DATABASE one`: database "one" already exists',
      );
      await expect(
        connectAs('postgres://app:secret@postgres:5432/two', {
          host: '127.0.0.1',
          port: server.port,
        }),
      ).rejects.toThrow('database "two" does not exist');
      expect(
        await connectAs('postgres://app:secret@postgres:5432/one', {
          host: '127.0.0.1',
          port: server.port,
        }),
      ).toEqual({ user: 'app', database: 'one' });
    } finally {
      await server.stop();
    }
  }, 60_000);
});
