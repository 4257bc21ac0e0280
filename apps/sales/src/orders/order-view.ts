import type { orderMode, OrderStatus } from '@retail-streams/contracts';
import type { z } from 'zod';
import type { Order, OrderLine } from '../generated/prisma/client.ts';
import { fromCents } from '../money.ts';

export type OrderMode = z.infer<typeof orderMode>;

/** An order as the API shows it. Prices and the total appear once inventory has confirmed. */
export interface OrderView {
  orderId: string;
  customerId: string;
  mode: OrderMode;
  status: OrderStatus;
  lines: { sku: string; quantity: number; unitPrice: number | null }[];
  totalAmount: number | null;
  rejection: { reason: string; detail: string } | null;
  receivedAt: string;
  decidedAt: string | null;
}

export type StoredOrder = Order & { lines: OrderLine[] };

/** The include that loads what `toOrderView` needs, lines in the order the customer gave them. */
export const withLines = { lines: { orderBy: { position: 'asc' } } } as const;

export function toOrderView(order: StoredOrder): OrderView {
  return {
    orderId: order.id,
    customerId: order.customerId,
    mode: order.mode as OrderMode,
    status: order.status as OrderStatus,
    lines: order.lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPriceCents === null ? null : fromCents(line.unitPriceCents),
    })),
    totalAmount: order.totalCents === null ? null : fromCents(order.totalCents),
    rejection:
      order.rejectionReason === null
        ? null
        : { reason: order.rejectionReason, detail: order.rejectionDetail ?? '' },
    receivedAt: order.receivedAt.toISOString(),
    decidedAt: order.decidedAt?.toISOString() ?? null,
  };
}
