import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer } from '../control/control-server.ts';
import type { ControlServer } from '../control/control-server.ts';
import { LoadController } from '../load/load-controller.ts';
import {
  adminUrl,
  ephemeralPorts,
  listeningSockets,
  processAlive,
  processGroupAlive,
  startStack,
} from '@retail-streams/demo-stack';
import type { RunningStack, StackEvent } from '@retail-streams/demo-stack';
import { fakeServiceEntry } from '@retail-streams/demo-stack/testing';

const fakeService = fakeServiceEntry;
const fakes = {
  inventory: fakeService,
  sales: fakeService,
  reordering: fakeService,
  analytics: fakeService,
};

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startStack (real PostgreSQL and broker, stand-in services)', () => {
  let dataDir: string;
  let stack: RunningStack;
  let control: ControlServer;
  const token = 'test-token-123';
  const events: StackEvent[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-stack-'));
    const ports = await ephemeralPorts();
    stack = await startStack({
      dataDir,
      ports,
      durable: false,
      serviceEntries: fakes,
      control: { url: `http://127.0.0.1:${ports.control}`, token },
      serviceOverrides: { sales: { SYNC_TIMEOUT_MS: '1234' } },
      onEvent: (event) => events.push(event),
    });
    control = await startControlServer({
      port: ports.control,
      token,
      stack,
      load: new LoadController(stack.urls.sales, stack.urls.inventory),
      allowedOrigins: [`http://localhost:${ports.analytics}`],
    });
  });

  afterAll(async () => {
    await control?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts PostgreSQL, the broker and every service, each ready', async () => {
    expect(stack.status().map((p) => [p.name, p.state])).toEqual([
      ['postgres', 'running'],
      ['broker', 'running'],
      ['inventory', 'running'],
      ['sales', 'running'],
      ['reordering', 'running'],
      ['analytics', 'running'],
    ]);
    for (const name of ['sales', 'inventory', 'reordering', 'analytics'] as const) {
      const response = await fetch(`${stack.urls[name]}/health/ready`);
      expect(response.status, name).toBe(200);
    }
    expect(
      events.filter((e) => e.type === 'ready').map((e) => (e as { name: string }).name),
    ).toEqual(
      expect.arrayContaining([
        'postgres',
        'broker',
        'inventory',
        'sales',
        'reordering',
        'analytics',
      ]),
    );
  });

  it('creates one database per service', async () => {
    const client = new pg.Client({ connectionString: adminUrl(stack.ports.postgres) });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
      expect(rows.map((r) => r.datname)).toEqual(
        expect.arrayContaining(['sales', 'inventory', 'reordering', 'analytics']),
      );
    } finally {
      await client.end();
    }
  });

  it('gives each service the conventional environment', async () => {
    const salesEnv = (await (await fetch(`${stack.urls.sales}/env`)).json()) as Record<
      string,
      string
    >;
    expect(salesEnv).toMatchObject({
      PORT: String(stack.ports.sales),
      HOST: '127.0.0.1',
      // Its own broker user, on the broker's SASL listener.
      KAFKA_BROKERS: `127.0.0.1:${stack.ports.brokerSasl}`,
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_USERNAME: 'sales',
      INVENTORY_URL: stack.urls.inventory,
      SYNC_TIMEOUT_MS: '1234',
      DATABASE_URL: adminUrl(stack.ports.postgres, 'sales'),
    });
    expect(salesEnv.ACCESS_LOG_FILE).toBe(join(dataDir, 'logs', 'sales.access.log'));
    const analyticsEnv = (await (await fetch(`${stack.urls.analytics}/env`)).json()) as Record<
      string,
      string
    >;
    expect(analyticsEnv.DEMO_CONTROL_URL).toBe(`http://127.0.0.1:${stack.ports.control}`);
    expect(analyticsEnv.DEMO_CONTROL_TOKEN).toBe(token);
    const inventoryEnv = (await (await fetch(`${stack.urls.inventory}/env`)).json()) as Record<
      string,
      string
    >;
    expect(inventoryEnv.ADMIN_ENDPOINTS).toBe('true');
    expect(inventoryEnv.DEMO_CONTROL_TOKEN).toBeUndefined();
  });

  it('reports a service that dies, at once, with its last lines', async () => {
    const before = events.length;
    await fetch(`${stack.urls.reordering}/die`, { method: 'POST' });
    const died = await waitFor('the death event', () =>
      events
        .slice(before)
        .find((e): e is Extract<StackEvent, { type: 'died' }> => e.type === 'died'),
    );
    expect(died.exit.name).toBe('reordering');
    expect(died.exit.code).toBe(3);
    expect(died.exit.lastLines).toContain('fake service: dying on request');
    expect(stack.status().find((p) => p.name === 'reordering')?.state).toBe('exited');
    await stack.startProcess('reordering');
    expect(stack.status().find((p) => p.name === 'reordering')).toMatchObject({
      state: 'running',
      restarts: 1,
    });
  });

  describe('control endpoint', () => {
    const call = (path: string, init: RequestInit & { auth?: string } = {}) =>
      fetch(`${control.url}${path}`, {
        ...init,
        headers: {
          authorization: init.auth ?? `Bearer ${token}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      });

    it('refuses calls without the run token', async () => {
      const response = await call('/status', { auth: 'Bearer wrong' });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'UNAUTHORIZED',
      );
    });

    it('listens on 127.0.0.1 only', () => {
      const port = Number(new URL(control.url).port);
      const bound = listeningSockets([process.pid]).filter((socket) => socket.port === port);
      expect(bound.map((socket) => socket.address)).toEqual(['127.0.0.1']);
    });

    it('lets the dashboard origin call it from a browser (CORS), and no other origin', async () => {
      const allowed = await fetch(`${control.url}/status`, {
        method: 'OPTIONS',
        headers: { origin: `http://localhost:${stack.ports.analytics}` },
      });
      expect(allowed.headers.get('access-control-allow-origin')).toBe(
        `http://localhost:${stack.ports.analytics}`,
      );
      const other = await fetch(`${control.url}/status`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example' },
      });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('stops and starts a service, and says so in /status', async () => {
      const stopped = await call('/processes/inventory/stop', { method: 'POST' });
      expect(stopped.status).toBe(200);
      const status = (await (await call('/status')).json()) as {
        processes: { name: string; state: string }[];
      };
      expect(status.processes.find((p) => p.name === 'inventory')?.state).toBe('stopped');
      await expect(fetch(`${stack.urls.inventory}/health/live`)).rejects.toThrow();

      const again = await call('/processes/inventory/stop', { method: 'POST' });
      expect(again.status).toBe(409);

      const started = await call('/processes/inventory/start', { method: 'POST' });
      expect(started.status).toBe(200);
      expect((await fetch(`${stack.urls.inventory}/health/ready`)).status).toBe(200);
    });

    it('restarts the broker, which then accepts connections again', async () => {
      const before = stack.status().find((p) => p.name === 'broker')?.pid;
      const response = await call('/broker/restart', { method: 'POST' });
      expect(response.status).toBe(200);
      const after = stack.status().find((p) => p.name === 'broker');
      expect(after?.state).toBe('running');
      expect(after?.pid).not.toBe(before);
      expect(processAlive(before as number)).toBe(false);
    });

    it('starts and stops the load generator', async () => {
      const started = await call('/load/start', {
        method: 'POST',
        body: JSON.stringify({ rate: 20, syncRatio: 0.5 }),
      });
      expect(started.status).toBe(200);
      expect(((await started.json()) as { running: boolean }).running).toBe(true);
      const twice = await call('/load/start', {
        method: 'POST',
        body: JSON.stringify({ rate: 20 }),
      });
      expect(twice.status).toBe(409);
      await new Promise((r) => setTimeout(r, 300));
      const stopped = (await (await call('/load/stop', { method: 'POST' })).json()) as {
        running: boolean;
        lastResult: { paths: { async: { sent: number }; sync: { sent: number } } };
      };
      expect(stopped.running).toBe(false);
      // The stand-in has no POST /orders: every order was sent and failed, which is what it counts.
      const { async, sync } = stopped.lastResult.paths;
      expect(async.sent + sync.sent).toBeGreaterThan(0);
      const bad = await call('/load/start', { method: 'POST', body: JSON.stringify({ rate: -1 }) });
      expect(bad.status).toBe(400);
    });

    it('answers 404 for an unknown process and 400 for a bad latency', async () => {
      expect((await call('/processes/nope/stop', { method: 'POST' })).status).toBe(404);
      const bad = await call('/inventory/latency', {
        method: 'POST',
        body: JSON.stringify({ ms: -1 }),
      });
      expect(bad.status).toBe(400);
    });

    it('reports the inventory admin call failing (the stand-in has no admin endpoint) as 502', async () => {
      const response = await call('/inventory/latency', {
        method: 'POST',
        body: JSON.stringify({ ms: 100 }),
      });
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'ADMIN_CALL_FAILED',
      );
    });
  });

  it('stops every process cleanly, leaving no process of any group alive', async () => {
    const pids = stack.pids();
    expect(pids.length).toBeGreaterThanOrEqual(6);
    await stack.stop();
    for (const pid of pids) {
      expect(processAlive(pid), `pid ${pid}`).toBe(false);
      expect(processGroupAlive(pid), `group ${pid}`).toBe(false);
    }
    expect(stack.status().every((p) => p.state === 'stopped' || p.state === 'exited')).toBe(true);
  });
});

describe('startStack, other cases', () => {
  it('fails naming the service that could not start, and stops what it had started', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'demo-stack-fail-'));
    const ports = await ephemeralPorts();
    const started: number[] = [];
    const failure = await startStack({
      dataDir,
      ports,
      durable: false,
      serviceEntries: fakes,
      services: ['inventory', 'sales'],
      serviceOverrides: { sales: { FAKE_EXIT_AT_START: '1' } },
      onEvent: (event) => {
        if (event.type === 'ready') started.push(0);
      },
    }).then(
      () => null,
      (error: unknown) => error as Error & { code: string },
    );
    try {
      expect(failure?.code).toBe('PROCESS_EXITED');
      expect(failure?.message).toContain('sales exited during start-up (exit code 1)');
      expect(failure?.message).toContain('configured to fail at start');
      // Everything it had started is gone: the ports are free again.
      const probe = await fetch(`http://127.0.0.1:${ports.inventory}/health/live`).then(
        () => 'answered',
        () => 'refused',
      );
      expect(probe).toBe('refused');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops what an orchestrator that was killed left running on the same data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'demo-stack-leftover-'));
    const ports = await ephemeralPorts();
    const options = {
      dataDir,
      ports,
      durable: false,
      serviceEntries: fakes,
      services: ['sales' as const],
    };
    // The first stack is never stopped: its processes are what a kill -9 of its orchestrator leaves.
    const orphaned = await startStack(options);
    const orphans = orphaned.pids();
    const events: StackEvent[] = [];
    const second = await startStack({ ...options, onEvent: (event) => events.push(event) });
    try {
      expect(events).toContainEqual({
        type: 'note',
        message: 'stopped broker, postgres, sales left running by an earlier run',
      });
      for (const pid of orphans) expect(processGroupAlive(pid), `group ${pid}`).toBe(false);
      expect((await fetch(`${second.urls.sales}/health/ready`)).status).toBe(200);
    } finally {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('skips a service whose entry file does not exist, saying so', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'demo-stack-skip-'));
    const events: StackEvent[] = [];
    const stack = await startStack({
      dataDir,
      ports: await ephemeralPorts(),
      durable: false,
      services: ['sales'],
      serviceEntries: { sales: join(dataDir, 'nowhere', 'main.ts') },
      onEvent: (event) => events.push(event),
    });
    try {
      expect(stack.services).toEqual([]);
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'skipped',
          name: 'sales',
          reason: expect.stringContaining('does not exist'),
        }),
      );
    } finally {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
