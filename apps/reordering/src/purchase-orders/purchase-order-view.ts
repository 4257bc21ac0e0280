import type { PurchaseOrder } from '../generated/prisma/client.ts';

/** A purchase order as the HTTP API shows it: ids and ISO timestamps, no storage details. */
export interface PurchaseOrderView {
  purchaseOrderId: string;
  sku: string;
  quantity: number;
  status: PurchaseOrder['status'];
  orderedAt: string;
  expectedAt: string;
  shippedAt: string | null;
  receivedAt: string | null;
  /** The next supplier step (ship or deliver); null once received. */
  nextStepAt: string | null;
  trigger: {
    lowStockEventId: string;
    availableAtOrder: number;
    reorderPoint: number;
    /** Low-stock events this order answered: the first plus those that arrived while it was open. */
    lowStockSignals: number;
  };
}

export function toPurchaseOrderView(order: PurchaseOrder): PurchaseOrderView {
  return {
    purchaseOrderId: order.id,
    sku: order.sku,
    quantity: order.quantity,
    status: order.status,
    orderedAt: order.orderedAt.toISOString(),
    expectedAt: order.expectedAt.toISOString(),
    shippedAt: order.shippedAt?.toISOString() ?? null,
    receivedAt: order.receivedAt?.toISOString() ?? null,
    nextStepAt: order.nextStepAt?.toISOString() ?? null,
    trigger: {
      lowStockEventId: order.lowStockEventId,
      availableAtOrder: order.availableAtOrder,
      reorderPoint: order.reorderPoint,
      lowStockSignals: order.lowStockSignals,
    },
  };
}
