import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralPorts } from './ports.ts';
import { processAlive, processGroupAlive } from './process-group.ts';
import { SERVICE_NAMES, serviceExists } from './services.ts';
import { startStack } from './stack.ts';
import type { RunningStack } from './stack.ts';

const allServicesExist = SERVICE_NAMES.every((name) => serviceExists(name));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The real thing: PostgreSQL, the broker, the four services and the access-log connectors.
describe.skipIf(!allServicesExist)('the whole demo stack (real services)', () => {
  let dataDir: string;
  let stack: RunningStack;
  const deaths: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-full-'));
    stack = await startStack({
      dataDir,
      ports: await ephemeralPorts(),
      durable: false,
      connectors: true,
      readyTimeoutMs: 90_000,
      onEvent: (event) => {
        if (event.type === 'died')
          deaths.push(`${event.exit.name}: ${event.exit.lastLines.slice(-5).join(' | ')}`);
      },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('has every service live and ready', async () => {
    for (const name of SERVICE_NAMES) {
      expect((await fetch(`${stack.urls[name]}/health/live`)).status, name).toBe(200);
      expect((await fetch(`${stack.urls[name]}/health/ready`)).status, name).toBe(200);
    }
  });

  it('takes an async order through the broker to a final state', async () => {
    const placed = await fetch(`${stack.urls.sales}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'full-stack-test',
        lines: [{ sku: 'SKU-MUG-01', quantity: 1 }],
      }),
    });
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };
    const status = await until('the order to be decided', async () => {
      const body = (await (await fetch(`${stack.urls.sales}/orders/${orderId}`)).json()) as {
        status: string;
      };
      return body.status === 'PENDING' ? undefined : body.status;
    });
    expect(status).toBe('CONFIRMED');
  }, 90_000);

  it('answers a sync order with its final state', async () => {
    const placed = await fetch(`${stack.urls.sales}/orders?mode=sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'full-stack-test',
        lines: [{ sku: 'SKU-MUG-02', quantity: 1 }],
      }),
    });
    expect(placed.status).toBe(201);
    expect(((await placed.json()) as { status: string }).status).toBe('CONFIRMED');
  });

  it('keeps every process alive while it runs', () => {
    expect(deaths).toEqual([]);
  });

  it('stops everything, leaving no process behind', async () => {
    const pids = stack.pids();
    await stack.stop();
    for (const pid of pids) {
      expect(processAlive(pid), `pid ${pid}`).toBe(false);
      expect(processGroupAlive(pid), `group ${pid}`).toBe(false);
    }
  }, 60_000);
});
