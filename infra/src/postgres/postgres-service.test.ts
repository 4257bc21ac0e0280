import { describe, expect, it } from 'vitest';
import { readComposeFile } from '../compose-file.ts';
import type { ComposeFile, ComposeService } from '../compose-file.ts';
import {
  databaseUrlProblems,
  healthcheckProblems,
  readPostgresService,
} from './postgres-service.ts';
import type { PostgresSetup } from './postgres-service.ts';

const compose = readComposeFile();
const { setup, problems } = readPostgresService(compose);
const postgres = setup as PostgresSetup;

function withService(
  name: string,
  change: (service: ComposeService) => ComposeService,
): ComposeFile {
  const copy = structuredClone(compose);
  copy.services[name] = change(copy.services[name] ?? {});
  return copy;
}
const withSalesUrl = (url: string) =>
  withService('sales', (s) => ({ ...s, environment: { ...s.environment, DATABASE_URL: url } }));

describe("docker-compose.yml's PostgreSQL service", () => {
  it('is the postgres image with a superuser, a password and the init script mounted', () => {
    expect(problems).toEqual([]);
    expect(postgres).toMatchObject({ service: 'postgres', user: 'retail', database: 'retail' });
    expect(postgres.initScripts.map((p) => p.split('/').slice(-2).join('/'))).toEqual([
      'postgres/init-databases.sql',
    ]);
  });

  it("is reached by every DATABASE_URL at the service's name and port, as POSTGRES_USER", () => {
    expect(databaseUrlProblems(compose, postgres)).toEqual([]);
  });

  it('refuses a URL that points elsewhere, at the published port, or as another user', () => {
    expect(
      databaseUrlProblems(withSalesUrl('postgres://app:retail@localhost:5433/sales'), postgres),
    ).toEqual([
      'sales: DATABASE_URL points at localhost, but PostgreSQL is the postgres service',
      'sales: DATABASE_URL uses port 5433; inside the network PostgreSQL listens on 5432 (the published port is for the host)',
      'sales: DATABASE_URL logs in as app, but the only role is retail (POSTGRES_USER)',
    ]);
    expect(
      databaseUrlProblems(withSalesUrl('postgres://retail:secret@postgres:5432/sales'), postgres),
    ).toEqual(["sales: DATABASE_URL has a password other than postgres's POSTGRES_PASSWORD"]);
  });

  it('refuses to start without a password, as the image does', () => {
    const file = withService('postgres', (s) => ({
      ...s,
      environment: { POSTGRES_USER: 'retail' },
    }));
    expect(readPostgresService(file).problems).toEqual([
      'postgres: POSTGRES_PASSWORD is not set: the image refuses to initialise ("superuser password is not specified")',
    ]);
  });

  it('probes health over TCP, so it is not healthy while the init script still runs', () => {
    expect(healthcheckProblems(compose, postgres)).toEqual([]);
    const socketProbe = withService('postgres', (s) => ({
      ...s,
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U retail -d analytics'] },
    }));
    expect(healthcheckProblems(socketProbe, postgres)).toEqual([
      "postgres: the healthcheck runs pg_isready without a TCP host (-h), so it probes the Unix socket, where the image's temporary init server already answers: give it -h 127.0.0.1",
    ]);
    const socketPath = withService('postgres', (s) => ({
      ...s,
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -h /var/run/postgresql -U retail'] },
    }));
    expect(healthcheckProblems(socketPath, postgres)).toHaveLength(1);
  });
});
