import type { EventOf, topics } from '@retail-streams/contracts';

/**
 * Facts analytics keeps as rows rather than as processor state: the two stream-stream joins (an order
 * with its reservation result, a purchase order with its delivery) and the stock-out log. Their state
 * grows with every order, which a whole-state checkpoint should not carry; as rows keyed by order or
 * purchase order id they join in whichever order the two sides arrive, and they are written in the same
 * transaction as the checkpoint whose input positions they reflect, so a redelivery (recognised by the
 * processor from those positions) never applies them twice.
 */
export type RecordEffect =
  | { kind: 'order-placed'; orderId: string; mode: string; placedAt: string }
  | {
      kind: 'order-resolved';
      orderId: string;
      mode: string;
      resolvedAt: string;
      outcome: 'CONFIRMED' | 'REJECTED';
    }
  | {
      kind: 'purchase-order-created';
      purchaseOrderId: string;
      sku: string;
      quantity: number;
      createdAt: string;
    }
  | {
      kind: 'goods-received';
      purchaseOrderId: string;
      sku: string;
      quantity: number;
      receivedAt: string;
    }
  | { kind: 'stock-level'; sku: string; available: number; reorderPoint: number; at: string }
  | {
      kind: 'stock-out';
      sku: string;
      at: string;
      topic: string;
      partition: number;
      offset: string;
    };

type AnyAnalyticsEvent =
  | EventOf<typeof topics.orderPlaced>
  | EventOf<typeof topics.reservationResult>
  | EventOf<typeof topics.stockLevel>
  | EventOf<typeof topics.lowStock>
  | EventOf<typeof topics.purchaseOrder>
  | EventOf<typeof topics.goodsReceived>;

export interface EffectInput {
  topic: string;
  partition: number;
  offset: string;
  event: AnyAnalyticsEvent;
  /** Whether the SKU was out of stock before this record (undefined: not seen yet); a stock-out is a transition to 0. */
  previouslyOut: boolean | undefined;
}

export function effectsOf({
  topic,
  partition,
  offset,
  event,
  previouslyOut,
}: EffectInput): RecordEffect[] {
  switch (event.type) {
    case 'OrderPlaced':
      return [
        {
          kind: 'order-placed',
          orderId: event.data.orderId,
          mode: event.data.mode,
          placedAt: event.occurredAt,
        },
      ];
    case 'StockReserved':
    case 'ReservationRejected':
      return [
        {
          kind: 'order-resolved',
          orderId: event.data.orderId,
          mode: event.data.mode,
          resolvedAt: event.occurredAt,
          outcome: event.type === 'StockReserved' ? 'CONFIRMED' : 'REJECTED',
        },
      ];
    case 'PurchaseOrderCreated':
      return [
        {
          kind: 'purchase-order-created',
          purchaseOrderId: event.data.purchaseOrderId,
          sku: event.data.sku,
          quantity: event.data.quantity,
          createdAt: event.occurredAt,
        },
      ];
    case 'GoodsReceived':
      return [
        {
          kind: 'goods-received',
          purchaseOrderId: event.data.purchaseOrderId,
          sku: event.data.sku,
          quantity: event.data.quantity,
          receivedAt: event.occurredAt,
        },
      ];
    case 'StockLevelChanged': {
      const effects: RecordEffect[] = [
        {
          kind: 'stock-level',
          sku: event.data.sku,
          available: event.data.available,
          reorderPoint: event.data.reorderPoint,
          at: event.occurredAt,
        },
      ];
      // A stock-out is the level REACHING 0, not every report of 0 (a rejected order re-reports it).
      if (event.data.available === 0 && previouslyOut !== true) {
        effects.push({
          kind: 'stock-out',
          sku: event.data.sku,
          at: event.occurredAt,
          topic,
          partition,
          offset,
        });
      }
      return effects;
    }
    default:
      // LowStockDetected, PurchaseOrderShipped: read for completeness, nothing to keep.
      return [];
  }
}
