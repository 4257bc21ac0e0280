import { randomUUID } from 'node:crypto';
import { deadLetterTopicName, topics } from '@retail-streams/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test-support/http-client.ts';
import { reservationRejected, stockReserved } from '../test-support/reservation-results.ts';
import {
  eventually,
  startSalesEnvironment,
  type SalesEnvironment,
  type TestSales,
  type TopicRecorder,
} from '../test-support/sales-environment.ts';
import type { OrderView } from './order-view.ts';

let env: SalesEnvironment;
let sales: TestSales;
let orderPlaced: TopicRecorder<typeof topics.orderPlaced>;

beforeAll(async () => {
  env = await startSalesEnvironment();
  sales = await env.startSales();
  orderPlaced = await env.recordTopic(topics.orderPlaced);
});
afterAll(async () => {
  await env?.stop();
});

const lines = [
  { sku: 'SKU-TEA', quantity: 2 },
  { sku: 'SKU-MUG', quantity: 1 },
];

async function placeOrder(customerId = 'c-1'): Promise<OrderView> {
  const response = await request<OrderView>(`${sales.url}/orders`, { body: { customerId, lines } });
  expect(response.status).toBe(202);
  return response.body;
}

function getOrder(orderId: string) {
  return request<OrderView>(`${sales.url}/orders/${orderId}`);
}

async function waitForStatus(orderId: string, status: string): Promise<OrderView> {
  return eventually(`order ${orderId} to be ${status}`, async () => {
    const { body } = await getOrder(orderId);
    return body.status === status ? body : undefined;
  });
}

async function inboxHas(eventId: string): Promise<boolean> {
  const rows = await sales.sql('SELECT 1 FROM inbox_events WHERE event_id = $1', [eventId]);
  return rows.length === 1;
}

describe('the async order path', () => {
  it('answers 202 with a PENDING order and publishes OrderPlaced (mode async) keyed by the order id', async () => {
    const before = Date.now();
    const response = await request<OrderView>(`${sales.url}/orders`, {
      body: { customerId: 'c-1', lines },
    });
    expect(response.status).toBe(202);
    const order = response.body;
    expect(order).toMatchObject({
      customerId: 'c-1',
      mode: 'async',
      status: 'PENDING',
      totalAmount: null,
      lines: lines.map((line) => ({ ...line, unitPrice: null })),
    });
    expect(response.headers.get('location')).toBe(`/orders/${order.orderId}`);
    expect((await getOrder(order.orderId)).body).toEqual(order);

    const event = await orderPlaced.waitFor('OrderPlaced for the order', (candidate) => {
      return candidate.data.orderId === order.orderId;
    });
    expect(event).toMatchObject({
      type: 'OrderPlaced',
      source: 'sales',
      correlationId: order.orderId,
      data: { orderId: order.orderId, customerId: 'c-1', lines, mode: 'async' },
    });
    // occurredAt is when sales received the request: the start of the order's end-to-end latency.
    expect(event.occurredAt).toBe(order.receivedAt);
    expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(before - 5);
    expect(orderPlaced.keys.get(event.id)).toBe(order.orderId);
  });

  it('confirms the order on StockReserved and shows the prices and total inventory reported', async () => {
    const order = await placeOrder();
    const reservedAt = new Date();
    await env.producer.publish(
      topics.reservationResult,
      stockReserved(
        order.orderId,
        [
          { sku: 'SKU-TEA', quantity: 2, unitPrice: 4.5 },
          { sku: 'SKU-MUG', quantity: 1, unitPrice: 12.99 },
        ],
        { occurredAt: reservedAt },
      ),
    );
    const confirmed = await waitForStatus(order.orderId, 'CONFIRMED');
    expect(confirmed).toMatchObject({
      totalAmount: 21.99,
      rejection: null,
      decidedAt: reservedAt.toISOString(),
      lines: [
        { sku: 'SKU-TEA', quantity: 2, unitPrice: 4.5 },
        { sku: 'SKU-MUG', quantity: 1, unitPrice: 12.99 },
      ],
    });
  });

  it('rejects the order on ReservationRejected, with inventory’s reason', async () => {
    const order = await placeOrder();
    await env.producer.publish(
      topics.reservationResult,
      reservationRejected(order.orderId, { sku: 'SKU-TEA', requested: 2, available: 1 }),
    );
    const rejected = await waitForStatus(order.orderId, 'REJECTED');
    expect(rejected).toMatchObject({
      totalAmount: null,
      rejection: { reason: 'INSUFFICIENT_STOCK', detail: 'SKU-TEA: 1 available, 2 requested' },
    });
  });

  it('applies a redelivered result once and lets the first verdict stand against a later contradicting one', async () => {
    const order = await placeOrder();
    const rejection = reservationRejected(order.orderId, {
      sku: 'SKU-MUG',
      requested: 1,
      available: 0,
    });
    const contradiction = stockReserved(order.orderId, [
      { sku: 'SKU-TEA', quantity: 2, unitPrice: 1 },
      { sku: 'SKU-MUG', quantity: 1, unitPrice: 1 },
    ]);
    // One order's results share a partition (keyed by order id), so they are handled in this order.
    await env.producer.publishEvents(topics.reservationResult, [
      rejection,
      rejection,
      contradiction,
    ]);
    await eventually('the contradicting result to be handled', () => inboxHas(contradiction.id));

    const { body } = await getOrder(order.orderId);
    expect(body.status).toBe('REJECTED');
    expect(body.rejection?.detail).toBe('SKU-MUG: 0 available, 1 requested');
    expect(body.totalAmount).toBeNull();
    const handled = await sales.sql(
      'SELECT event_id FROM inbox_events WHERE event_id IN ($1, $2)',
      [rejection.id, contradiction.id],
    );
    expect(handled).toHaveLength(2);
  });

  it('parks a result for an order it does not have, once, and lists it as unmatched', async () => {
    const unknownOrder = randomUUID();
    const result = stockReserved(unknownOrder, [{ sku: 'SKU-TEA', quantity: 1, unitPrice: 4.5 }], {
      mode: 'sync',
    });
    await env.producer.publishEvents(topics.reservationResult, [result, result]);
    await eventually('the result to be handled', () => inboxHas(result.id));

    const { status, body } = await request<{ results: { eventId: string; orderId: string }[] }>(
      `${sales.url}/reservation-results/unmatched`,
    );
    expect(status).toBe(200);
    expect(body.results.filter((row) => row.orderId === unknownOrder)).toEqual([
      expect.objectContaining({ eventId: result.id, orderId: unknownOrder, outcome: 'CONFIRMED' }),
    ]);
    expect((await getOrder(unknownOrder)).status).toBe(404);
  });

  it('sends a result that breaks the contract to the dead-letter topic and goes on with the next', async () => {
    const order = await placeOrder();
    await env.producer.sendRecords(topics.reservationResult.name, [
      { key: order.orderId, value: '{"type":"StockReserved","data":' },
    ]);
    await env.producer.publish(
      topics.reservationResult,
      reservationRejected(order.orderId, { sku: 'SKU-TEA', requested: 2, available: 0 }),
    );
    await waitForStatus(order.orderId, 'REJECTED');

    const kafka = new Kafka({
      brokers: [env.broker.bootstrap],
      clientId: 'dlq-reader',
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
    const parked: { key: string | undefined; code: string | undefined }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({
        topic: deadLetterTopicName(topics.reservationResult.name, 'sales'),
        fromBeginning: true,
      });
      await consumer.run({
        eachMessage: async ({ message }) => {
          parked.push({
            key: message.key?.toString(),
            code: message.headers?.['dlq-error-code']?.toString(),
          });
        },
      });
      await eventually('the poison record on the dead-letter topic', () =>
        parked.some((record) => record.key === order.orderId),
      );
    } finally {
      await consumer.disconnect();
    }
    expect(parked.find((record) => record.key === order.orderId)?.code).toBe('EVENT_NOT_JSON');
  });

  it('takes orders while inventory is down and confirms every one once inventory answers', async () => {
    const placed = await Promise.all(
      Array.from({ length: 20 }, (_, index) => placeOrder(`c-down-${index}`)),
    );
    const ids = new Set(placed.map((order) => order.orderId));
    // Nobody answers yet: every order waits, none is lost, each OrderPlaced reaches the topic.
    const pending = await request<{ orders: OrderView[] }>(`${sales.url}/orders?status=PENDING`);
    expect(pending.body.orders.filter((order) => ids.has(order.orderId))).toHaveLength(20);
    await eventually('all 20 OrderPlaced on the topic', () => {
      return orderPlaced.events.filter((event) => ids.has(event.data.orderId)).length === 20;
    });

    // Inventory comes back and works through the backlog.
    await env.producer.publishEvents(
      topics.reservationResult,
      placed.map((order) =>
        stockReserved(order.orderId, [
          { sku: 'SKU-TEA', quantity: 2, unitPrice: 1 },
          { sku: 'SKU-MUG', quantity: 1, unitPrice: 2 },
        ]),
      ),
    );
    for (const order of placed) {
      expect((await waitForStatus(order.orderId, 'CONFIRMED')).totalAmount).toBe(4);
    }
    const confirmed = await request<{ orders: OrderView[] }>(
      `${sales.url}/orders?status=CONFIRMED&limit=500`,
    );
    expect(confirmed.body.orders.filter((order) => ids.has(order.orderId))).toHaveLength(20);
  });

  it('applies results published while it was stopped once it is back (committed offsets, no loss)', async () => {
    const order = await placeOrder();
    const database = new URL(sales.databaseUrl).pathname.slice(1);
    await sales.stop();
    await env.producer.publish(
      topics.reservationResult,
      stockReserved(order.orderId, [
        { sku: 'SKU-TEA', quantity: 2, unitPrice: 3 },
        { sku: 'SKU-MUG', quantity: 1, unitPrice: 3 },
      ]),
    );
    sales = await env.startSales({}, database);
    expect((await waitForStatus(order.orderId, 'CONFIRMED')).totalAmount).toBe(9);
  });
});
