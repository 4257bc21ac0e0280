import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessLogLine, createEvent, topics } from '@retail-streams/contracts';
import { createLogger } from '@retail-streams/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueItems } from './catalogue/catalogue-items.ts';
import { SEED_CORRELATION_ID } from './catalogue/seed-catalogue.ts';
import { startInventory } from './start-inventory.ts';
import {
  eventually,
  product,
  startInventoryTestbed,
  type InventoryTestbed,
} from './test-support/inventory-testbed.ts';

let testbed: InventoryTestbed;
let scratch: string;

beforeAll(async () => {
  testbed = await startInventoryTestbed();
  scratch = mkdtempSync(join(tmpdir(), 'inventory-start-'));
});
afterAll(async () => {
  await testbed?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function orderPlaced(sku: string, quantity: number) {
  const orderId = randomUUID();
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'customer-restart', lines: [{ sku, quantity }], mode: 'async' },
    { source: 'sales', correlationId: orderId },
  );
}

describe('startInventory', () => {
  it('seeds once, keeps exact stock across a restart and handles orders placed while it was down', async () => {
    const first = await testbed.startInventory('restart');
    expect(first.seeded).toHaveLength(catalogueItems.length);
    const before = (await product(first.url, 'SKU-BOARD-01')).available;

    const whileUp = Array.from({ length: 5 }, () => orderPlaced('SKU-BOARD-01', 3));
    for (const event of whileUp) await testbed.publish(topics.orderPlaced, event);
    await eventually('five reservations while up', async () =>
      whileUp.every((event) =>
        testbed.events.reservationResults.some(
          (result) => result.data.orderId === event.data.orderId,
        ),
      ),
    );
    await first.stop();

    // Placed while inventory is down: the async path accepts them; inventory catches up later.
    const whileDown = Array.from({ length: 4 }, () => orderPlaced('SKU-BOARD-01', 2));
    for (const event of whileDown) await testbed.publish(topics.orderPlaced, event);
    // And one of the earlier ones delivered again (a producer retry, a replay).
    await testbed.publish(topics.orderPlaced, whileUp[0] as (typeof whileUp)[number]);

    const second = await testbed.startInventory('restart');
    expect(second.seeded).toEqual([]);
    await eventually('the orders placed while inventory was down to be reserved', () =>
      whileDown.every((event) =>
        testbed.events.reservationResults.some(
          (result) => result.data.orderId === event.data.orderId,
        ),
      ),
    );
    await eventually('inventory to consume everything', async () => {
      const lag = await testbed.streaming.lag('inventory', [topics.orderPlaced.name]);
      return lag.length > 0 && lag.every((partition) => partition.lag === 0);
    });
    expect((await product(second.url, 'SKU-BOARD-01')).available).toBe(before - 5 * 3 - 4 * 2);

    // Every SKU's seed level was announced exactly once, across both starts.
    await second.relay.flush();
    await eventually('the seed levels on the compacted topic', () =>
      catalogueItems.every((item) =>
        testbed.events.stockLevels.some(
          (event) => event.correlationId === SEED_CORRELATION_ID && event.data.sku === item.sku,
        ),
      ),
    );
    const seedLevels = testbed.events.stockLevels.filter(
      (event) => event.correlationId === SEED_CORRELATION_ID,
    );
    expect(seedLevels).toHaveLength(catalogueItems.length);
    await second.stop();
  });

  it('reports ready when database, broker and consumers are, and stops listening on stop()', async () => {
    const inventory = await testbed.startInventory('readiness');
    const ready = await fetch(`${inventory.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' }, broker: { status: 'up' }, consumers: { status: 'up' } },
    });
    expect((await fetch(`${inventory.url}/health/live`)).status).toBe(200);
    await inventory.stop();
    await expect(fetch(`${inventory.url}/health/live`)).rejects.toThrow();
  });

  it('changes the injected latency at runtime through POST /admin/latency when enabled', async () => {
    const inventory = await testbed.startInventory('admin', {
      ADMIN_ENDPOINTS: 'true',
      INVENTORY_ARTIFICIAL_LATENCY_MS: '250',
    });
    try {
      expect(await (await fetch(`${inventory.url}/admin/latency`)).json()).toEqual({ ms: 250 });
      const post = (body: unknown) =>
        fetch(`${inventory.url}/admin/latency`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post({ ms: -1 })).status).toBe(400);
      expect((await post({ ms: 'slow' })).status).toBe(400);

      // The delay is a lower bound on the answer: never flaky, since nothing can be faster.
      const started = performance.now();
      const reserved = await fetch(`${inventory.url}/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          orderId: randomUUID(),
          lines: [{ sku: 'SKU-JAR-01', quantity: 1 }],
        }),
      });
      expect(reserved.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);

      const changed = await post({ ms: 0 });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toEqual({ ms: 0 });
      expect(inventory.latency.ms).toBe(0);
    } finally {
      await inventory.stop();
    }
  });

  it('appends one access-log line per request to ACCESS_LOG_FILE, as the contract describes', async () => {
    const file = join(scratch, 'inventory-access.log');
    const inventory = await testbed.startInventory('access_log', { ACCESS_LOG_FILE: file });
    await fetch(`${inventory.url}/products/SKU-MUG-01`, {
      headers: { 'x-request-id': 'req-12345' },
    });
    await inventory.stop();

    // What lines are written (and which are not) is specified with openAccessLogFile in service-kit.
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => accessLogLine.parse(JSON.parse(line)));
    expect(lines).toEqual([
      expect.objectContaining({
        service: 'inventory',
        method: 'GET',
        path: '/products/SKU-MUG-01',
        status: 200,
        requestId: 'req-12345',
      }),
    ]);
  });

  it('refuses to start when the broker cannot be reached', async () => {
    const databaseUrl = await testbed.postgres.createDatabase('no_broker');
    const config = { ...testbed.config(databaseUrl), KAFKA_BROKERS: ['127.0.0.1:1'] };
    await expect(
      startInventory(config, createLogger('inventory', { level: 'silent' })),
    ).rejects.toThrow();
  });
});
