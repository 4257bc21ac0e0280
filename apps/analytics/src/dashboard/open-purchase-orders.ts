import type { Router } from 'express';
import { HttpProblem } from '@retail-streams/service-kit';

/** The fields of reordering's purchase order the dashboard shows. */
export interface OpenPurchaseOrder {
  purchaseOrderId: string;
  sku: string;
  quantity: number;
  status: string;
  orderedAt: string | null;
  expectedAt: string | null;
  shippedAt: string | null;
}

/**
 * `GET /api/dashboard/purchase-orders` → `{ purchaseOrders }`: the purchase orders reordering has not
 * received yet, newest first, read from reordering's own API (its table is the truth about what is open;
 * analytics only sees the events). When reordering does not answer: a 502 problem, and the page falls
 * back to the summary's event-derived view.
 */
export function openPurchaseOrderRoutes(router: Router, options: { reorderingUrl: string }): void {
  const base = options.reorderingUrl.replace(/\/+$/, '');
  router.get('/api/dashboard/purchase-orders', async (_req, res) => {
    const purchaseOrders = await fetchOpen(base);
    res.json({ purchaseOrders });
  });
}

async function fetchOpen(base: string): Promise<OpenPurchaseOrder[]> {
  const open: OpenPurchaseOrder[] = [];
  // Two filtered reads instead of one unfiltered one: received orders pile up, open ones do not.
  for (const status of ['ORDERED', 'SHIPPED']) {
    let response: Response;
    try {
      response = await fetch(`${base}/purchase-orders?status=${status}&limit=100`, {
        signal: AbortSignal.timeout(3_000),
      });
    } catch (error) {
      throw unreachable((error as Error).message, error);
    }
    if (response.status !== 200) throw unreachable(`it answered ${response.status}`);
    const body = (await response.json()) as { purchaseOrders?: OpenPurchaseOrder[] };
    for (const order of body.purchaseOrders ?? []) {
      open.push({
        purchaseOrderId: order.purchaseOrderId,
        sku: order.sku,
        quantity: order.quantity,
        status: order.status,
        orderedAt: order.orderedAt ?? null,
        expectedAt: order.expectedAt ?? null,
        shippedAt: order.shippedAt ?? null,
      });
    }
  }
  return open.sort((a, b) => (b.orderedAt ?? '').localeCompare(a.orderedAt ?? ''));
}

const unreachable = (detail: string, cause?: unknown) =>
  new HttpProblem({
    status: 502,
    code: 'REORDERING_UNREACHABLE',
    detail: `reordering's purchase orders are unavailable: ${detail}`,
    cause,
  });
