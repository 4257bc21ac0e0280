import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessLogLine, deadLetterTopicName, topics } from '@retail-streams/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurchaseOrderView } from './purchase-orders/purchase-order-view.ts';
import {
  eventually,
  startReorderingTestStack,
  type ReorderingTestStack,
} from './test-support/reordering-test-stack.ts';

let stack: ReorderingTestStack;
beforeAll(async () => {
  stack = await startReorderingTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function purchaseOrders(url: string, query = ''): Promise<PurchaseOrderView[]> {
  const response = await fetch(`${url}/purchase-orders${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { purchaseOrders: PurchaseOrderView[] }).purchaseOrders;
}

async function processedEvents(database: string, ids: string[]): Promise<number> {
  const [row] = await stack.sql<{ count: string }>(
    database,
    `SELECT count(*) FROM "inbox_events" WHERE "event_id" = ANY($1::uuid[])`,
    [ids],
  );
  return Number(row!.count);
}

async function unpublishedOutboxRows(database: string): Promise<number> {
  const [row] = await stack.sql<{ count: string }>(
    database,
    `SELECT count(*) FROM "outbox_events" WHERE "published_at" IS NULL`,
  );
  return Number(row!.count);
}

describe('the reordering service', () => {
  it('raises a purchase order for low stock, and the supplier ships and delivers it after the lead time', async () => {
    const service = await stack.startService({ database: 'happy_path', leadTimeMs: 800 });
    try {
      await stack.publishLowStock({ sku: 'HAPPY-1', available: 2, reorderQuantity: 50 });

      const [order] = await eventually('a purchase order for HAPPY-1', async () => {
        const orders = await purchaseOrders(service.url, '?sku=HAPPY-1');
        return orders.length > 0 && orders;
      });
      expect(order).toMatchObject({ sku: 'HAPPY-1', quantity: 50 });
      const received = await eventually('HAPPY-1 to be received', async () => {
        const response = await fetch(`${service.url}/purchase-orders/${order!.purchaseOrderId}`);
        const view = (await response.json()) as PurchaseOrderView;
        return view.status === 'RECEIVED' && view;
      });
      expect(new Date(received.receivedAt!).getTime()).toBeGreaterThanOrEqual(
        new Date(received.orderedAt).getTime() + 800,
      );

      const goods = await eventually('GoodsReceived for HAPPY-1 on its topic', async () => {
        const events = (await stack.readAll(topics.goodsReceived)).filter(
          (event) => event.data.sku === 'HAPPY-1',
        );
        return events.length > 0 && events;
      });
      expect(goods).toEqual([
        expect.objectContaining({
          type: 'GoodsReceived',
          source: 'reordering',
          correlationId: order!.purchaseOrderId,
          data: {
            purchaseOrderId: order!.purchaseOrderId,
            sku: 'HAPPY-1',
            quantity: 50,
            orderedAt: received.orderedAt,
            receivedAt: received.receivedAt,
          },
        }),
      ]);
      const lifecycle = (await stack.readAll(topics.purchaseOrder))
        .filter((event) => event.data.sku === 'HAPPY-1')
        .map((event) => event.type);
      expect(lifecycle).toEqual(['PurchaseOrderCreated', 'PurchaseOrderShipped']);
    } finally {
      await service.stop();
    }
  });

  it('opens exactly one purchase order for redelivered and concurrent low-stock events', async () => {
    const service = await stack.startService({ database: 'duplicates', leadTimeMs: 600_000 });
    try {
      const first = await stack.publishLowStock({ sku: 'DUP-1' });
      const others = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          stack.publishLowStock({ sku: 'DUP-1', available: 4 - index }),
        ),
      );
      await Promise.all([stack.republish(first), stack.republish(first)]);
      const ids = [first, ...others].map((event) => event.id);

      await eventually('all six distinct low-stock events to be processed', async () => {
        return (await processedEvents('duplicates', ids)) === 6;
      });
      const orders = await purchaseOrders(service.url, '?sku=DUP-1');
      expect(orders).toHaveLength(1);
      expect(orders[0]!.trigger).toMatchObject({ lowStockEventId: first.id, lowStockSignals: 6 });

      await eventually('the outbox to be published', async () => {
        return (await unpublishedOutboxRows('duplicates')) === 0;
      });
      const created = (await stack.readAll(topics.purchaseOrder)).filter(
        (event) => event.data.sku === 'DUP-1',
      );
      expect(created.map((event) => event.type)).toEqual(['PurchaseOrderCreated']);
    } finally {
      await service.stop();
    }
  });

  it('delivers exactly once when the service restarts in the middle of a lead time', async () => {
    let service = await stack.startService({ database: 'restart', leadTimeMs: 3_000 });
    let purchaseOrderId: string;
    try {
      await stack.publishLowStock({ sku: 'RESTART-1' });
      const [order] = await eventually('a purchase order for RESTART-1', async () => {
        const orders = await purchaseOrders(service.url, '?sku=RESTART-1');
        return orders.length > 0 && orders;
      });
      purchaseOrderId = order!.purchaseOrderId;
    } finally {
      await service.stop();
    }
    const [beforeRestart] = await stack.sql<{ status: string }>(
      'restart',
      `SELECT "status"::text FROM "purchase_orders" WHERE "id" = $1::uuid`,
      [purchaseOrderId],
    );
    expect(beforeRestart!.status).not.toBe('RECEIVED');

    service = await stack.startService({ database: 'restart', leadTimeMs: 3_000 });
    try {
      await eventually('RESTART-1 to be received after the restart', async () => {
        const response = await fetch(`${service.url}/purchase-orders/${purchaseOrderId}`);
        return ((await response.json()) as PurchaseOrderView).status === 'RECEIVED';
      });
      await eventually('the outbox to be published', async () => {
        return (await unpublishedOutboxRows('restart')) === 0;
      });
      const goods = (await stack.readAll(topics.goodsReceived)).filter(
        (event) => event.data.purchaseOrderId === purchaseOrderId,
      );
      expect(goods).toHaveLength(1);
      const lifecycle = (await stack.readAll(topics.purchaseOrder))
        .filter((event) => event.data.purchaseOrderId === purchaseOrderId)
        .map((event) => event.type);
      expect(lifecycle).toEqual(['PurchaseOrderCreated', 'PurchaseOrderShipped']);
    } finally {
      await service.stop();
    }
  });

  it('opens a new purchase order for low stock after a delivery, but not for a late event from before it', async () => {
    const service = await stack.startService({ database: 'reorder_again', leadTimeMs: 300 });
    try {
      await stack.publishLowStock({ sku: 'AGAIN-1' });
      const [delivered] = await eventually('the first order to be received', async () => {
        const orders = await purchaseOrders(service.url, '?sku=AGAIN-1&status=RECEIVED');
        return orders.length > 0 && orders;
      });

      // Out of order: a low-stock event from before the delivery arrives after it, then a fresh one.
      const late = await stack.publishLowStock({
        sku: 'AGAIN-1',
        occurredAt: new Date(delivered!.orderedAt),
      });
      const fresh = await stack.publishLowStock({ sku: 'AGAIN-1' });
      await eventually('both low-stock events to be processed', async () => {
        return (await processedEvents('reorder_again', [late.id, fresh.id])) === 2;
      });

      const orders = await purchaseOrders(service.url, '?sku=AGAIN-1');
      expect(orders).toHaveLength(2);
      const second = orders.find((order) => order.purchaseOrderId !== delivered!.purchaseOrderId);
      expect(second!.trigger.lowStockEventId).toBe(fresh.id);
    } finally {
      await service.stop();
    }
  });

  it('dead-letters a low-stock record that breaks the contract and goes on with the next', async () => {
    const service = await stack.startService({ database: 'poison', leadTimeMs: 600_000 });
    try {
      const kafka = new Kafka({ brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: topics.lowStock.name,
        messages: [
          { key: 'POISON-1', value: '{"not":"an event"}' },
          { key: 'POISON-1', value: 'not even json' },
        ],
      });
      await producer.disconnect();
      await stack.publishLowStock({ sku: 'POISON-1' });

      await eventually('a purchase order for the valid event', async () => {
        return (await purchaseOrders(service.url, '?sku=POISON-1')).length === 1;
      });
      const admin = kafka.admin();
      await admin.connect();
      const dlq = await admin.fetchTopicOffsets(
        deadLetterTopicName(topics.lowStock.name, 'reordering'),
      );
      await admin.disconnect();
      expect(dlq.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(2);
    } finally {
      await service.stop();
    }
  });

  describe('HTTP API', () => {
    it('lists and filters purchase orders, is ready, and writes an access log line per request', async () => {
      const logFile = join(mkdtempSync(join(tmpdir(), 'reordering-access-')), 'access.log');
      const service = await stack.startService({
        database: 'http_api',
        leadTimeMs: 600_000,
        accessLogFile: logFile,
      });
      try {
        await stack.publishLowStock({ sku: 'HTTP-1' });
        await stack.publishLowStock({ sku: 'HTTP-2' });
        await eventually('two purchase orders', async () => {
          return (await purchaseOrders(service.url)).length === 2;
        });

        expect(
          (await purchaseOrders(service.url, '?status=ORDERED')).map((o) => o.sku).sort(),
        ).toEqual(['HTTP-1', 'HTTP-2']);
        expect(await purchaseOrders(service.url, '?status=RECEIVED')).toEqual([]);
        expect((await purchaseOrders(service.url, '?sku=HTTP-2')).map((o) => o.sku)).toEqual([
          'HTTP-2',
        ]);
        expect(await purchaseOrders(service.url, '?limit=1')).toHaveLength(1);

        const ready = await fetch(`${service.url}/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({
          status: 'ready',
          checks: {
            database: { status: 'up' },
            broker: { status: 'up' },
            consumers: { status: 'up' },
          },
        });

        // Lines of one short window are written together (see openAccessLogFile), so wait for them.
        const lines = await eventually('four access-log lines', async () => {
          const written = readFileSync(logFile, 'utf8')
            .trim()
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as unknown);
          return written.length >= 4 ? written : undefined;
        });
        for (const line of lines) expect(accessLogLine.parse(line)).toBeTruthy();
        expect(lines.at(-1)).toMatchObject({
          service: 'reordering',
          method: 'GET',
          path: '/purchase-orders',
          status: 200,
        });
      } finally {
        await service.stop();
      }
    });

    it('answers invalid queries, ids and unknown orders with problem+json', async () => {
      const service = await stack.startService({ database: 'http_errors', leadTimeMs: 600_000 });
      try {
        const cases: [string, number, string][] = [
          ['/purchase-orders?status=OPEN', 400, 'VALIDATION_FAILED'],
          ['/purchase-orders?status=ORDERED&status=SHIPPED', 400, 'VALIDATION_FAILED'],
          ['/purchase-orders?sku=lower-case', 400, 'VALIDATION_FAILED'],
          ['/purchase-orders?limit=0', 400, 'VALIDATION_FAILED'],
          ['/purchase-orders?limit=many', 400, 'VALIDATION_FAILED'],
          ['/purchase-orders?stauts=ORDERED', 400, 'VALIDATION_FAILED'],
          ['/purchase-orders/not-a-uuid', 400, 'VALIDATION_FAILED'],
          ['/purchase-orders/%%%%', 400, 'MALFORMED_URI'],
          ['/purchase-orders?sku=%%41', 400, 'MALFORMED_URI'],
          [
            '/purchase-orders/4b0c9c8e-2f7a-4c55-9d1e-7f0a3c2b1a00',
            404,
            'PURCHASE_ORDER_NOT_FOUND',
          ],
        ];
        for (const [path, status, code] of cases) {
          const response = await fetch(`${service.url}${path}`);
          expect({ path, status: response.status }).toEqual({ path, status });
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          const problem = (await response.json()) as { code: string; detail: string };
          expect({ path, code: problem.code }).toEqual({ path, code });
          expect(problem.detail.length).toBeGreaterThan(0);
        }

        const response = await fetch(`${service.url}/purchase-orders?status=OPEN&sku=x`);
        const problem = (await response.json()) as { issues: { path: string }[] };
        expect(problem.issues.map((issue) => issue.path).sort()).toEqual(['sku', 'status']);
      } finally {
        await service.stop();
      }
    });
  });
});
