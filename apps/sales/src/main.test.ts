import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startTestPostgres,
  vanishingOutput,
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
  // Everything the process printed, stdout and stderr, as a terminal would show it.
  let screen = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
  let buffered = '';
  child.stdout.on('data', (chunk: string) => {
    screen += chunk;
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
  });
  return {
    child,
    lines,
    screen: () => screen,
    exited: once(child, 'exit') as Promise<[number | null, string | null]>,
  };
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
      // A newcomer's first screen: no warning that is not theirs to act on.
      const screen = process_.screen();
      expect(screen).not.toMatch(/switched default partitioner|KAFKAJS_NO_PARTITIONER_WARNING/);
      expect(screen).not.toMatch(/Limiting retries for the idempotent producer/);
      expect(screen).not.toMatch(/TimeoutNegativeWarning|Warning:/);
      expect(process_.lines.filter((line) => line['level'] === 'warn')).toEqual([]);
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

  it('finishes a SIGTERM shutdown within 10 s when its stdout and stderr are gone', async () => {
    const port = await freePort();
    const output = await vanishingOutput();
    const child = spawn(process.execPath, [new URL('./main.ts', import.meta.url).pathname], {
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: String(port),
        DATABASE_URL: postgres.url('sales_orphan'),
        POSTGRES_ADMIN_URL: postgres.url(),
        KAFKA_BROKERS: broker.bootstrap,
      },
      stdio: ['ignore', output.socket, output.socket],
    });
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    try {
      await eventually(
        'sales to start',
        async () => output.text().includes('"sales started"'),
        90_000,
      );
      // Whoever held its output (the orchestrator, a terminal) is gone; then it is told to stop.
      output.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const asked = Date.now();
      child.kill('SIGTERM');
      const outcome = await Promise.race([
        exited.then(([code, signal]) => ({ code, signal })),
        new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000)),
      ]);
      expect(outcome).toEqual({ code: 0, signal: null });
      expect(Date.now() - asked).toBeLessThan(10_000);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
