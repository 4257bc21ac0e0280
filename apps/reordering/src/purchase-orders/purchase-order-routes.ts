import { sku } from '@retail-streams/contracts';
import { HttpProblem, validate } from '@retail-streams/service-kit';
import type { Router } from 'express';
import { z } from 'zod';
import type { ReorderingDb } from '../database.ts';
import { PurchaseOrderStatus } from '../generated/prisma/enums.ts';
import { toPurchaseOrderView } from './purchase-order-view.ts';

const listQuery = z
  .object({
    status: z.enum(PurchaseOrderStatus).optional(),
    sku: sku.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  // A misspelt filter (`?stauts=OPEN`) silently listing everything would mislead: reject it.
  .strict();

const byId = z.object({ id: z.uuid() });

/** `GET /purchase-orders` (newest first, filtered by status and SKU) and `GET /purchase-orders/:id`. */
export function purchaseOrderRoutes(router: Router, db: ReorderingDb): void {
  router.get('/purchase-orders', validate({ query: listQuery }), async (req, res) => {
    const { status, sku: skuFilter, limit } = req.query;
    const orders = await db.purchaseOrder.findMany({
      where: { status, sku: skuFilter },
      orderBy: [{ orderedAt: 'desc' }, { id: 'asc' }],
      take: limit,
    });
    res.json({ purchaseOrders: orders.map(toPurchaseOrderView) });
  });

  router.get('/purchase-orders/:id', validate({ params: byId }), async (req, res) => {
    const order = await db.purchaseOrder.findUnique({ where: { id: req.params.id } });
    if (!order) {
      throw HttpProblem.notFound(
        `There is no purchase order ${req.params.id}.`,
        'PURCHASE_ORDER_NOT_FOUND',
      );
    }
    res.json(toPurchaseOrderView(order));
  });
}
