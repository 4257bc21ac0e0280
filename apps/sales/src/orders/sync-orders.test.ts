import { topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeInventory, type FakeInventory } from '../test-support/fake-inventory.ts';
import { request } from '../test-support/http-client.ts';
import { stockReserved } from '../test-support/reservation-results.ts';
import {
  eventually,
  startSalesEnvironment,
  type SalesEnvironment,
  type TestSales,
  type TopicRecorder,
} from '../test-support/sales-environment.ts';
import type { OrderView } from './order-view.ts';

const TIMEOUT_MS = 400;

let env: SalesEnvironment;
let inventory: FakeInventory;
let sales: TestSales;
let orderPlaced: TopicRecorder<typeof topics.orderPlaced>;

beforeAll(async () => {
  env = await startSalesEnvironment();
  inventory = await startFakeInventory({
    'SKU-TEA': { available: 1000, price: 4.5 },
    'SKU-MUG': { available: 1000, price: 12.99 },
    'SKU-RARE': { available: 1, price: 99 },
  });
  sales = await env.startSales({ INVENTORY_URL: inventory.url, SYNC_TIMEOUT_MS: TIMEOUT_MS });
  orderPlaced = await env.recordTopic(topics.orderPlaced);
});
afterAll(async () => {
  await env?.stop();
  await inventory?.stop();
});
beforeEach(async () => {
  await inventory.start();
  inventory.behave({ kind: 'reserve' });
});

interface Problem {
  status: number;
  code: string;
  detail: string;
  orderId: string;
  cause: string;
}

const lines = [
  { sku: 'SKU-TEA', quantity: 2 },
  { sku: 'SKU-MUG', quantity: 1 },
];

function placeSync<Body = OrderView>(body: unknown, headers: Record<string, string> = {}) {
  return request<Body>(`${sales.url}/orders?mode=sync`, { body, headers });
}

describe('the sync order path', () => {
  it('reuses its connections to inventory instead of opening one per order', async () => {
    const before = inventory.connections;
    for (let i = 0; i < 10; i++) {
      const response = await placeSync({ customerId: 'c-keep-alive', lines });
      expect(response.status).toBe(201);
    }
    expect(inventory.connections - before).toBeLessThanOrEqual(1);
  });

  it('answers 201 CONFIRMED with prices and total in one round trip, then publishes OrderPlaced (mode sync)', async () => {
    const response = await placeSync({ customerId: 'c-sync', lines });
    expect(response.status).toBe(201);
    const order = response.body;
    expect(order).toMatchObject({
      mode: 'sync',
      status: 'CONFIRMED',
      totalAmount: 21.99,
      lines: [
        { sku: 'SKU-TEA', quantity: 2, unitPrice: 4.5 },
        { sku: 'SKU-MUG', quantity: 1, unitPrice: 12.99 },
      ],
    });
    expect(inventory.requests.at(-1)).toEqual({ orderId: order.orderId, lines });
    expect((await request(`${sales.url}/orders/${order.orderId}`)).body).toEqual(order);

    const event = await orderPlaced.waitFor('OrderPlaced of the sync order', (candidate) => {
      return candidate.data.orderId === order.orderId;
    });
    expect(event.data).toEqual({
      orderId: order.orderId,
      customerId: 'c-sync',
      lines,
      mode: 'sync',
    });
    expect(event.occurredAt).toBe(order.receivedAt);
  });

  it('answers 201 REJECTED with inventory’s reason when it cannot reserve every line', async () => {
    const response = await placeSync({
      customerId: 'c-sync',
      lines: [
        { sku: 'SKU-TEA', quantity: 1 },
        { sku: 'SKU-RARE', quantity: 5 },
      ],
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'REJECTED',
      totalAmount: null,
      rejection: { reason: 'INSUFFICIENT_STOCK', detail: 'SKU-RARE: 1 available, 5 requested' },
    });
  });

  it('leaves an order inventory already stored alone when inventory’s own sync result arrives', async () => {
    const { body: order } = await placeSync({ customerId: 'c-sync', lines });
    const result = stockReserved(
      order.orderId,
      [
        { sku: 'SKU-TEA', quantity: 2, unitPrice: 4.5 },
        { sku: 'SKU-MUG', quantity: 1, unitPrice: 12.99 },
      ],
      { mode: 'sync' },
    );
    await env.producer.publish(topics.reservationResult, result);
    await eventually('the sync result to be handled', async () => {
      return (await sales.sql('SELECT 1 FROM inbox_events WHERE event_id = $1', [result.id]))
        .length;
    });
    expect((await request(`${sales.url}/orders/${order.orderId}`)).body).toEqual(order);
    const unmatched = await request<{ results: { orderId: string }[] }>(
      `${sales.url}/reservation-results/unmatched`,
    );
    expect(unmatched.body.results.map((row) => row.orderId)).not.toContain(order.orderId);
  });

  it('answers 503 when inventory is down, storing and publishing nothing, while the async path still answers 202', async () => {
    await inventory.stop();
    const sync = await placeSync<Problem>({ customerId: 'c-down', lines });
    expect(sync.status).toBe(503);
    expect(sync.headers.get('content-type')).toContain('application/problem+json');
    expect(sync.body).toMatchObject({
      status: 503,
      code: 'INVENTORY_UNAVAILABLE',
      cause: 'INVENTORY_UNREACHABLE',
    });
    expect(sync.body.detail).toMatch(/not placed/);
    expect((await request(`${sales.url}/orders/${sync.body.orderId}`)).status).toBe(404);

    const async = await request<OrderView>(`${sales.url}/orders`, {
      body: { customerId: 'c-down', lines },
    });
    expect(async.status).toBe(202);
    expect(async.body.status).toBe('PENDING');

    // The async OrderPlaced reaches the topic; the sync attempt left none behind.
    await orderPlaced.waitFor('the async order on the topic', (event) => {
      return event.data.orderId === async.body.orderId;
    });
    expect(orderPlaced.events.some((event) => event.data.orderId === sync.body.orderId)).toBe(
      false,
    );
  });

  it('answers 503 when inventory is slower than the timeout; a retry with the same Idempotency-Key gets the reservation inventory made, not a second one', async () => {
    const headers = { 'idempotency-key': 'slow-order-1' };
    const body = { customerId: 'c-slow', lines: [{ sku: 'SKU-MUG', quantity: 3 }] };
    const stockBefore = inventory.stock['SKU-MUG']?.available ?? 0;
    inventory.behave({ kind: 'slow', delayMs: TIMEOUT_MS * 3 });

    const first = await placeSync<Problem>(body, headers);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ code: 'INVENTORY_UNAVAILABLE', cause: 'INVENTORY_TIMEOUT' });
    const { orderId } = first.body;
    expect((await request(`${sales.url}/orders/${orderId}`)).status).toBe(404);

    // Inventory finishes the reservation after sales gave up, and announces it on its topic.
    await eventually(
      'inventory to reserve the abandoned order',
      () =>
        inventory.decidedOrders > 0 && inventory.stock['SKU-MUG']?.available === stockBefore - 3,
    );
    const announced = stockReserved(orderId, [{ sku: 'SKU-MUG', quantity: 3, unitPrice: 12.99 }], {
      mode: 'sync',
    });
    await env.producer.publish(topics.reservationResult, announced);
    await eventually('the stranded reservation to be listed as unmatched', async () => {
      const { body: listed } = await request<{ results: { orderId: string }[] }>(
        `${sales.url}/reservation-results/unmatched`,
      );
      return listed.results.some((row) => row.orderId === orderId);
    });

    inventory.behave({ kind: 'reserve' });
    const retry = await placeSync(body, headers);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ orderId, status: 'CONFIRMED', totalAmount: 38.97 });
    expect(inventory.stock['SKU-MUG']?.available).toBe(stockBefore - 3);
    const { body: listed } = await request<{ results: { orderId: string }[] }>(
      `${sales.url}/reservation-results/unmatched`,
    );
    expect(listed.results.map((row) => row.orderId)).not.toContain(orderId);

    const again = await placeSync(body, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(retry.body);
    expect(again.headers.get('location')).toBe(`/orders/${orderId}`);
  });

  it('answers 503 when inventory fails with a 5xx and 502 when its answer breaks the contract', async () => {
    inventory.behave({ kind: 'fail' });
    const failed = await placeSync<Problem>({ customerId: 'c-x', lines });
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 'INVENTORY_UNAVAILABLE', cause: 'INVENTORY_FAILED' });

    inventory.behave({ kind: 'garbage' });
    const garbled = await placeSync<Problem>({ customerId: 'c-x', lines });
    expect(garbled.status).toBe(502);
    expect(garbled.body).toMatchObject({ code: 'INVENTORY_BAD_RESPONSE' });
    expect(garbled.body.detail).toMatch(/breaks the reservation contract/);
  });

  it('stores one order for concurrent requests with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'concurrent-sync-1' };
    const body = { customerId: 'c-race', lines: [{ sku: 'SKU-TEA', quantity: 1 }] };
    const answers = await Promise.all(Array.from({ length: 6 }, () => placeSync(body, headers)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(201));
    const ids = new Set(answers.map((answer) => answer.body.orderId));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids];
    const stored = await sales.sql('SELECT id FROM orders WHERE id = $1', [orderId]);
    expect(stored).toHaveLength(1);
    // One OrderPlaced: on the topic once the relay has sent (and deleted) every outbox row.
    await orderPlaced.waitFor('its OrderPlaced', (event) => event.data.orderId === orderId);
    await eventually(
      'the outbox to be sent',
      async () => (await sales.sql('SELECT 1 FROM outbox_events')).length === 0,
    );
    expect(orderPlaced.events.filter((event) => event.data.orderId === orderId)).toHaveLength(1);
  });
});
