import { createPrismaClient } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../generated/prisma/client.ts';
import { openPurchaseOrder } from '../purchase-orders/open-purchase-order.ts';
import { stepEventId } from '../purchase-orders/step-event-id.ts';
import { lowStockEvent, migratedDatabase } from '../test-support/reordering-database.ts';
import { advanceNextDueOrder, nextStepDueAt } from './supplier-steps.ts';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres.stop();
});

const orderedAt = new Date('2026-11-22T10:00:00.000Z');
const at = (ms: number) => new Date(orderedAt.getTime() + ms);

describe('advanceNextDueOrder', () => {
  it('ships half-way through the lead time, delivers at its end and closes the order', async () => {
    const { prisma } = await migratedDatabase(postgres, 'steps_in_order');
    try {
      await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, lowStockEvent('SKU-S1', { reorderQuantity: 12 }), {
          leadTimeMs: 10_000,
          now: () => orderedAt,
        }),
      );
      const [order] = await prisma.purchaseOrder.findMany();

      expect(await advanceNextDueOrder(prisma, at(4_999))).toBeNull();
      expect(await nextStepDueAt(prisma)).toEqual(at(5_000));

      expect(await advanceNextDueOrder(prisma, at(5_000))).toEqual({
        purchaseOrderId: order!.id,
        sku: 'SKU-S1',
        step: 'shipped',
      });
      expect(await prisma.purchaseOrder.findUnique({ where: { id: order!.id } })).toMatchObject({
        status: 'SHIPPED',
        shippedAt: at(5_000),
        nextStepAt: at(10_000),
      });
      expect(await advanceNextDueOrder(prisma, at(9_999))).toBeNull();

      expect(await advanceNextDueOrder(prisma, at(10_250))).toMatchObject({ step: 'received' });
      expect(await prisma.purchaseOrder.findUnique({ where: { id: order!.id } })).toMatchObject({
        status: 'RECEIVED',
        receivedAt: at(10_250),
        nextStepAt: null,
      });
      expect(await advanceNextDueOrder(prisma, at(60_000))).toBeNull();
      expect(await nextStepDueAt(prisma)).toBeNull();

      const events = (await prisma.outboxEvent.findMany({ orderBy: { id: 'asc' } })).map((row) => ({
        topic: row.topic,
        key: row.key,
        event: JSON.parse(row.value),
      }));
      expect(events.map(({ topic, event }) => [topic, event.type])).toEqual([
        ['reordering.purchase-order', 'PurchaseOrderCreated'],
        ['reordering.purchase-order', 'PurchaseOrderShipped'],
        ['reordering.goods-received', 'GoodsReceived'],
      ]);
      expect(events[2]).toMatchObject({
        key: 'SKU-S1',
        event: {
          id: stepEventId(order!.id, 'received'),
          correlationId: order!.id,
          causationId: stepEventId(order!.id, 'shipped'),
          data: {
            purchaseOrderId: order!.id,
            sku: 'SKU-S1',
            quantity: 12,
            orderedAt: '2026-11-22T10:00:00.000Z',
            receivedAt: '2026-11-22T10:00:10.250Z',
          },
        },
      });
    } finally {
      await prisma.$disconnect();
    }
  });

  it('performs each step once when several suppliers race for the same due orders', async () => {
    const { prisma, databaseUrl } = await migratedDatabase(postgres, 'racing_suppliers');
    const others = [1, 2, 3].map(() => createPrismaClient(PrismaClient, databaseUrl));
    try {
      for (const sku of ['SKU-R1', 'SKU-R2', 'SKU-R3', 'SKU-R4', 'SKU-R5']) {
        await prisma.$transaction((tx) =>
          openPurchaseOrder(tx, lowStockEvent(sku), { leadTimeMs: 1_000, now: () => orderedAt }),
        );
      }
      // Long after delivery: every order needs both of its steps, and four suppliers want them.
      const drain = async (db: typeof prisma) => {
        const steps = [];
        for (let step = await advanceNextDueOrder(db, at(5_000)); step;) {
          steps.push(step);
          step = await advanceNextDueOrder(db, at(5_000));
        }
        return steps;
      };
      const performed = (await Promise.all([prisma, ...others].map(drain))).flat();

      expect(performed).toHaveLength(10);
      const distinct = new Set(performed.map((step) => `${step.purchaseOrderId}/${step.step}`));
      expect(distinct.size).toBe(10);
      expect(await prisma.purchaseOrder.count({ where: { status: 'RECEIVED' } })).toBe(5);
      expect(await prisma.outboxEvent.count()).toBe(15);
    } finally {
      await Promise.all([prisma, ...others].map((db) => db.$disconnect()));
    }
  });
});
