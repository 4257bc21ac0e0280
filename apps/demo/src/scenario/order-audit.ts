import type { AcceptedOrder, OrderPath } from '../load/load-generator.ts';

export const FINAL_STATUSES = new Set(['CONFIRMED', 'REJECTED']);

export interface PathAudit {
  accepted: number;
  /** CONFIRMED or REJECTED when last read. */
  final: number;
  confirmed: number;
  rejected: number;
  /** Still PENDING (or unreadable) when the deadline passed. */
  unfinished: number;
  /** Accepted, yet sales does not know the order (404): the one thing that must never happen. */
  lost: number;
  /** When the last accepted order was decided, in ms after the load ended (0 if all were decided before). */
  allFinalAfterMs: number | null;
  /** Per order, decidedAt − receivedAt, as sales recorded them. */
  decisionMs: number[];
}

export interface AuditOptions {
  salesUrl: string;
  /** Wall-clock time the load ended: the reference for `allFinalAfterMs`. */
  loadEndedAt: number;
  deadlineMs?: number;
  concurrency?: number;
  onRound?: (unfinished: number) => void;
}

interface OrderView {
  status?: string;
  receivedAt?: string;
  decidedAt?: string | null;
}

/**
 * Reads every accepted order back from sales (`GET /orders/:id`) until each one is final or the
 * deadline passes. Lost means sales answered 404 for an order it had accepted.
 */
export async function auditOrders(
  accepted: readonly AcceptedOrder[],
  options: AuditOptions,
): Promise<Record<OrderPath, PathAudit>> {
  const deadline = Date.now() + (options.deadlineMs ?? 90_000);
  const concurrency = options.concurrency ?? 16;
  const views = new Map<string, OrderView | 'lost' | null>();
  let open = accepted.filter((order) => order.orderId !== '');
  while (open.length > 0) {
    const queue = [...open];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let order = queue.shift(); order; order = queue.shift()) {
          views.set(order.orderId, await readOrder(options.salesUrl, order.orderId));
        }
      }),
    );
    open = open.filter((order) => {
      const view = views.get(order.orderId);
      return view !== 'lost' && !(view && FINAL_STATUSES.has(view.status ?? ''));
    });
    options.onRound?.(open.length);
    if (open.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }

  const audit = (path: OrderPath): PathAudit => {
    const orders = accepted.filter((order) => order.path === path);
    const result: PathAudit = {
      accepted: orders.length,
      final: 0,
      confirmed: 0,
      rejected: 0,
      unfinished: 0,
      lost: 0,
      allFinalAfterMs: null,
      decisionMs: [],
    };
    let lastDecided = -Infinity;
    for (const order of orders) {
      const view = order.orderId === '' ? 'lost' : views.get(order.orderId);
      if (view === 'lost') {
        result.lost++;
      } else if (view && FINAL_STATUSES.has(view.status ?? '')) {
        result.final++;
        if (view.status === 'CONFIRMED') result.confirmed++;
        else result.rejected++;
        const decided = view.decidedAt ? Date.parse(view.decidedAt) : Number.NaN;
        const received = view.receivedAt ? Date.parse(view.receivedAt) : Number.NaN;
        if (Number.isFinite(decided)) {
          lastDecided = Math.max(lastDecided, decided);
          if (Number.isFinite(received)) result.decisionMs.push(Math.max(0, decided - received));
        }
      } else {
        result.unfinished++;
      }
    }
    if (
      result.final > 0 &&
      result.unfinished === 0 &&
      result.lost === 0 &&
      Number.isFinite(lastDecided)
    ) {
      result.allFinalAfterMs = Math.max(0, lastDecided - options.loadEndedAt);
    }
    return result;
  };
  return { async: audit('async'), sync: audit('sync') };
}

async function readOrder(salesUrl: string, orderId: string): Promise<OrderView | 'lost' | null> {
  try {
    const response = await fetch(`${salesUrl}/orders/${orderId}`, {
      signal: AbortSignal.timeout(5000),
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return 'lost';
    }
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    return (await response.json()) as OrderView;
  } catch {
    // Sales itself unreachable for a moment: try again next round.
    return null;
  }
}
