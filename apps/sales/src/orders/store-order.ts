import type { Prisma } from '../generated/prisma/client.ts';
import { toCents } from '../money.ts';
import { toOrderView, withLines, type OrderMode, type OrderView } from './order-view.ts';

/** Where an order stands when it is stored: async orders wait, sync orders are decided at once. */
export type OrderDecision =
  | { status: 'PENDING' }
  | {
      status: 'CONFIRMED';
      lines: readonly { sku: string; unitPrice: number }[];
      totalAmount: number;
      decidedAt: Date;
    }
  | { status: 'REJECTED'; reason: string; detail: string; decidedAt: Date };

export interface NewOrder {
  orderId: string;
  customerId: string;
  lines: readonly { sku: string; quantity: number }[];
  mode: OrderMode;
  receivedAt: Date;
  decision: OrderDecision;
}

/** Inserts an order with its lines and returns it as the API shows it. */
export async function storeOrder(
  tx: Prisma.TransactionClient,
  order: NewOrder,
): Promise<OrderView> {
  const { decision } = order;
  const prices = decision.status === 'CONFIRMED' ? priceBySku(decision.lines) : new Map();
  const stored = await tx.order.create({
    data: {
      id: order.orderId,
      customerId: order.customerId,
      mode: order.mode,
      status: decision.status,
      receivedAt: order.receivedAt,
      ...decisionColumns(decision),
      lines: {
        create: order.lines.map((line, position) => ({
          position,
          sku: line.sku,
          quantity: line.quantity,
          unitPriceCents: prices.get(line.sku) ?? null,
        })),
      },
    },
    include: withLines,
  });
  return toOrderView(stored);
}

/** The order columns a decision sets (shared by storing a sync order and deciding an async one). */
export function decisionColumns(decision: OrderDecision) {
  switch (decision.status) {
    case 'PENDING':
      return {};
    case 'CONFIRMED':
      return { totalCents: toCents(decision.totalAmount), decidedAt: decision.decidedAt };
    case 'REJECTED':
      return {
        rejectionReason: decision.reason,
        rejectionDetail: decision.detail,
        decidedAt: decision.decidedAt,
      };
  }
}

export function priceBySku(lines: readonly { sku: string; unitPrice: number }[]) {
  return new Map(lines.map((line) => [line.sku, toCents(line.unitPrice)]));
}
