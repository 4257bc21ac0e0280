import { z } from 'zod';
import { envelopeOf } from '../envelope.ts';
import { sku } from './sales.ts';

const purchaseOrder = {
  purchaseOrderId: z.uuid(),
  sku,
  quantity: z.number().int().positive(),
};

export const purchaseOrderCreated = envelopeOf(
  'PurchaseOrderCreated',
  1,
  z.object({ ...purchaseOrder, expectedAt: z.iso.datetime({ offset: true }) }),
);

export const purchaseOrderShipped = envelopeOf(
  'PurchaseOrderShipped',
  1,
  z.object({ ...purchaseOrder, shippedAt: z.iso.datetime({ offset: true }) }),
);

export const goodsReceived = envelopeOf(
  'GoodsReceived',
  1,
  z.object({
    ...purchaseOrder,
    orderedAt: z.iso.datetime({ offset: true }),
    receivedAt: z.iso.datetime({ offset: true }),
  }),
);

export type PurchaseOrderCreated = z.infer<typeof purchaseOrderCreated>;
export type PurchaseOrderShipped = z.infer<typeof purchaseOrderShipped>;
export type GoodsReceived = z.infer<typeof goodsReceived>;
