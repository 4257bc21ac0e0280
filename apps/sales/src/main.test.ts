import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startTestPostgres,
  type TestPostgres,
} from '@retail-streams/service-kit/testing';
import { startBroker, type RunningBroker } from '@retail-streams/streaming-broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './test-support/sales-environment.ts';

let broker: RunningBroker;
let postgres: TestPostgres;
const logDir = mkdtempSync(join(tmpdir(), 'sales-main-broker-'));

beforeAll(async () => {
  [broker, postgres] = await Promise.all([startBroker({ port: 0, logDir }), startTestPostgres()]);
});
afterAll(async () => {
  await broker?.close();
  await postgres?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, [new URL('./main.ts', import.meta.url).pathname], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  child.stdout.setEncoding('utf8');
  let buffered = '';
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
  });
  return { child, lines, exited: once(child, 'exit') as Promise<[number | null, string | null]> };
}

describe('the sales process (main.ts)', () => {
  it('creates its database, migrates, becomes ready, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const process_ = runMain({
      PORT: String(port),
      DATABASE_URL: postgres.url('sales_main'),
      POSTGRES_ADMIN_URL: postgres.url(),
      KAFKA_BROKERS: broker.bootstrap,
    });
    try {
      // A cold process (Node type-strips the sources and the generated Prisma client) on a busy
      // machine can take a while: the bound is generous, and a failure shows what the process said.
      await eventually(
        'sales to be ready',
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(
            () => undefined,
          );
          return response?.status === 200;
        },
        90_000,
      ).catch((error: Error) => {
        const said = process_.lines.slice(-10).map((line) => JSON.stringify(line));
        throw new Error(`${error.message}\nlast log lines:\n${said.join('\n')}`);
      });
      process_.child.kill('SIGTERM');
      const [code] = await process_.exited;
      expect(code).toBe(0);
      expect(process_.lines.some((line) => line['msg'] === 'sales started')).toBe(true);
    } finally {
      process_.child.kill('SIGKILL');
    }
  }, 120_000);

  it('refuses to start with a fatal CONFIG_INVALID line naming the bad variables', async () => {
    const process_ = runMain({ DATABASE_URL: 'not a url', SYNC_TIMEOUT_MS: '-5' });
    const [code] = await process_.exited;
    expect(code).toBe(1);
    const fatal = process_.lines.find((line) => line['level'] === 'fatal');
    expect(fatal).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(String(fatal?.['msg'])).toContain('DATABASE_URL');
    expect(String(fatal?.['msg'])).toContain('SYNC_TIMEOUT_MS');
  });
});
