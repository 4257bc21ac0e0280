import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowStockEvent, migratedDatabase } from '../test-support/reordering-database.ts';
import { openPurchaseOrder } from './open-purchase-order.ts';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres.stop();
});

describe('openPurchaseOrder', () => {
  it('opens one purchase order for the reorder quantity and announces it through the outbox', async () => {
    const { prisma } = await migratedDatabase(postgres, 'opens_one');
    try {
      const event = lowStockEvent('SKU-A1', { available: 4, reorderQuantity: 30 });
      const orderedAt = new Date('2026-11-22T10:00:00.000Z');
      const result = await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, event, { leadTimeMs: 10_000, now: () => orderedAt }),
      );

      expect(result).toMatchObject({
        outcome: 'opened',
        nextStepAt: new Date('2026-11-22T10:00:05.000Z'),
      });
      const orders = await prisma.purchaseOrder.findMany();
      expect(orders).toEqual([
        expect.objectContaining({
          sku: 'SKU-A1',
          quantity: 30,
          status: 'ORDERED',
          lowStockEventId: event.id,
          availableAtOrder: 4,
          orderedAt,
          expectedAt: new Date('2026-11-22T10:00:10.000Z'),
        }),
      ]);
      const outbox = await prisma.outboxEvent.findMany();
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({ topic: 'reordering.purchase-order', key: 'SKU-A1' });
      expect(JSON.parse(outbox[0]!.value)).toMatchObject({
        type: 'PurchaseOrderCreated',
        correlationId: orders[0]!.id,
        causationId: event.id,
        data: {
          purchaseOrderId: orders[0]!.id,
          quantity: 30,
          expectedAt: '2026-11-22T10:00:10.000Z',
        },
      });
    } finally {
      await prisma.$disconnect();
    }
  });

  it('opens exactly one purchase order when twenty different low-stock events for a SKU race', async () => {
    const { prisma } = await migratedDatabase(postgres, 'racing_events');
    try {
      const events = Array.from({ length: 20 }, () => lowStockEvent('SKU-RACE'));
      const results = await Promise.all(
        events.map((event) =>
          prisma.$transaction((tx) => openPurchaseOrder(tx, event, { leadTimeMs: 1_000 })),
        ),
      );

      const opened = results.filter((result) => result.outcome === 'opened');
      expect(opened).toHaveLength(1);
      const orders = await prisma.purchaseOrder.findMany({ where: { sku: 'SKU-RACE' } });
      expect(orders).toHaveLength(1);
      expect(orders[0]!.lowStockSignals).toBe(20);
      expect(results.filter((result) => result.outcome === 'already-open')).toEqual(
        Array.from({ length: 19 }, () => ({
          outcome: 'already-open',
          purchaseOrderId: orders[0]!.id,
        })),
      );
      expect(await prisma.outboxEvent.count()).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('refuses a second open order for a SKU in the database itself, whoever inserts it', async () => {
    const { prisma } = await migratedDatabase(postgres, 'partial_index');
    try {
      await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, lowStockEvent('SKU-IDX'), { leadTimeMs: 1_000 }),
      );
      const insertAnother = () =>
        prisma.$executeRawUnsafe(
          `INSERT INTO "purchase_orders" ("id", "sku", "quantity", "low_stock_event_id",
             "available_at_order", "reorder_point", "ordered_at", "expected_at")
           VALUES (gen_random_uuid(), 'SKU-IDX', 5, gen_random_uuid(), 1, 5, now(), now())`,
        );
      await expect(insertAnother()).rejects.toThrow(/purchase_orders_one_open_per_sku|unique/i);

      await prisma.purchaseOrder.updateMany({
        data: { status: 'RECEIVED', receivedAt: new Date() },
      });
      await expect(insertAnother()).resolves.toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('opens a new order once the previous one is received', async () => {
    const { prisma } = await migratedDatabase(postgres, 'after_delivery');
    try {
      const options = { leadTimeMs: 1_000 };
      const first = await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, lowStockEvent('SKU-B2'), options),
      );
      await prisma.purchaseOrder.updateMany({
        data: { status: 'RECEIVED', receivedAt: new Date(Date.now() - 1_000), nextStepAt: null },
      });
      const second = await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, lowStockEvent('SKU-B2'), options),
      );

      expect(first.outcome).toBe('opened');
      expect(second.outcome).toBe('opened');
      expect(await prisma.purchaseOrder.count({ where: { sku: 'SKU-B2' } })).toBe(2);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("ignores a low-stock event that happened before the SKU's latest delivery", async () => {
    const { prisma } = await migratedDatabase(postgres, 'stale_event');
    try {
      const options = { leadTimeMs: 1_000 };
      const before = new Date();
      await prisma.$transaction((tx) => openPurchaseOrder(tx, lowStockEvent('SKU-C3'), options));
      const receivedAt = new Date(before.getTime() + 5_000);
      await prisma.purchaseOrder.updateMany({
        data: { status: 'RECEIVED', receivedAt, nextStepAt: null },
      });

      const late = lowStockEvent('SKU-C3', { occurredAt: new Date(before.getTime() + 1_000) });
      const result = await prisma.$transaction((tx) => openPurchaseOrder(tx, late, options));

      expect(result).toEqual({ outcome: 'stale', lastReceivedAt: receivedAt });
      expect(await prisma.purchaseOrder.count({ where: { sku: 'SKU-C3' } })).toBe(1);
      expect(await prisma.outboxEvent.count()).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });
});
