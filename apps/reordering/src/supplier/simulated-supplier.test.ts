import { createLogger } from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPurchaseOrder } from '../purchase-orders/open-purchase-order.ts';
import { lowStockEvent, migratedDatabase } from '../test-support/reordering-database.ts';
import { eventually } from '../test-support/reordering-test-stack.ts';
import { SimulatedSupplier } from './simulated-supplier.ts';
import type { SupplierStep } from './supplier-steps.ts';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres.stop();
});

const logger = createLogger('reordering-test', { level: 'silent' });

describe('SimulatedSupplier', () => {
  it('wakes for the next due order by itself: shipped, then received', async () => {
    const { prisma } = await migratedDatabase(postgres, 'supplier_wakes');
    const steps: SupplierStep[] = [];
    const supplier = new SimulatedSupplier({ db: prisma, logger, onStep: (s) => steps.push(s) });
    try {
      supplier.start();
      await supplier.idle();
      await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, lowStockEvent('SKU-W1'), { leadTimeMs: 400 }),
      );
      supplier.wake();

      await eventually('the order to be received', () => steps.length >= 2);
      expect(steps.map((step) => step.step)).toEqual(['shipped', 'received']);
      const order = await prisma.purchaseOrder.findFirstOrThrow({ where: { sku: 'SKU-W1' } });
      expect(order.status).toBe('RECEIVED');
      expect(order.receivedAt!.getTime()).toBeGreaterThanOrEqual(order.expectedAt.getTime());
    } finally {
      await supplier.stop();
      await prisma.$disconnect();
    }
  });

  it('plans from the database after a restart and catches up on steps that fell due meanwhile', async () => {
    const { prisma } = await migratedDatabase(postgres, 'supplier_restart');
    try {
      const past = new Date(Date.now() - 60_000);
      await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, lowStockEvent('SKU-W2'), { leadTimeMs: 1_000, now: () => past }),
      );
      const later = new Date(Date.now() + 300);
      await prisma.$transaction((tx) =>
        openPurchaseOrder(tx, lowStockEvent('SKU-W3'), { leadTimeMs: 0, now: () => later }),
      );

      // A fresh instance, as after a crash: nothing in memory, only the table.
      const steps: SupplierStep[] = [];
      const supplier = new SimulatedSupplier({ db: prisma, logger, onStep: (s) => steps.push(s) });
      supplier.start();
      try {
        await eventually('both orders to be received', () => steps.length >= 4);
      } finally {
        await supplier.stop();
      }
      expect(steps.map((step) => `${step.sku} ${step.step}`)).toEqual([
        'SKU-W2 shipped',
        'SKU-W2 received',
        'SKU-W3 shipped',
        'SKU-W3 received',
      ]);
      expect(await prisma.purchaseOrder.count({ where: { status: 'RECEIVED' } })).toBe(2);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('keeps trying when the database fails and advances the orders once it answers', async () => {
    const { prisma } = await migratedDatabase(postgres, 'supplier_db_down');
    const steps: SupplierStep[] = [];
    await prisma.$transaction((tx) =>
      openPurchaseOrder(tx, lowStockEvent('SKU-W4'), {
        leadTimeMs: 0,
        now: () => new Date(Date.now() - 1_000),
      }),
    );
    // The supplier's table is locked away from it for a moment, as if the database were down.
    await prisma.$executeRawUnsafe(
      'ALTER TABLE "purchase_orders" RENAME TO "purchase_orders_away"',
    );
    const supplier = new SimulatedSupplier({ db: prisma, logger, onStep: (s) => steps.push(s) });
    try {
      supplier.start();
      await supplier.idle();
      expect(steps).toEqual([]);
      await prisma.$executeRawUnsafe(
        'ALTER TABLE "purchase_orders_away" RENAME TO "purchase_orders"',
      );

      await eventually('the order to be received after the database recovers', () =>
        steps.some((step) => step.step === 'received'),
      );
    } finally {
      await supplier.stop();
      await prisma.$disconnect();
    }
  });
});
