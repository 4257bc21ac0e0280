import type { Order, OrderLine, RetailApi } from './retail-api.ts';
import { waitFor } from './wait-for.ts';

/** Waits until every order is CONFIRMED or REJECTED; fails naming the ones still PENDING. */
export async function waitUntilDecided(
  api: RetailApi,
  orderIds: readonly string[],
  timeoutMs = 60_000,
): Promise<Order[]> {
  const decided = new Map<string, Order>();
  let pending: string[] = [...orderIds];
  return waitFor(
    `${orderIds.length} orders to be decided`,
    async () => {
      const stillPending: string[] = [];
      for (const orderId of pending) {
        const order = await api.order(orderId);
        if (order.status === 'PENDING') stillPending.push(orderId);
        else decided.set(orderId, order);
      }
      pending = stillPending;
      return pending.length === 0 ? orderIds.map((id) => decided.get(id) as Order) : undefined;
    },
    {
      timeoutMs,
      intervalMs: 250,
      lastSeen: () => `${pending.length} still PENDING, e.g. ${pending.slice(0, 3).join(', ')}`,
    },
  );
}

/** Current availability of each SKU, as inventory's API reports it. */
export async function stockOf(
  api: RetailApi,
  skus: readonly string[],
): Promise<Record<string, number>> {
  const entries = await Promise.all(
    skus.map(async (sku) => [sku, (await api.product(sku)).available] as const),
  );
  return Object.fromEntries(entries);
}

/** Units per SKU across the CONFIRMED orders (what inventory must have taken from stock). */
export function confirmedUnits(orders: readonly Order[]): Record<string, number> {
  const units: Record<string, number> = {};
  for (const order of orders) {
    if (order.status !== 'CONFIRMED') continue;
    for (const line of order.lines) units[line.sku] = (units[line.sku] ?? 0) + line.quantity;
  }
  return units;
}

/** `initial - taken` per SKU: the stock the system must end with. */
export function expectedStock(
  initial: Record<string, number>,
  taken: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(initial).map(([sku, units]) => [sku, units - (taken[sku] ?? 0)]),
  );
}

/**
 * A deterministic burst: `count` orders cycling through `skus`, 1–3 units each, so a run is
 * reproducible and its expected stock is easy to reason about.
 */
export function burst(count: number, skus: readonly string[]): OrderLine[][] {
  return Array.from({ length: count }, (_, i) => [
    { sku: skus[i % skus.length] as string, quantity: (i % 3) + 1 },
  ]);
}

/** Places orders with bounded concurrency (a handful in flight, like a busy shop), keeping their order. */
export async function placeAll(
  api: RetailApi,
  orders: readonly OrderLine[][],
  options: { concurrency?: number; afterEach?: (placed: number) => Promise<void> | void } = {},
): Promise<Order[]> {
  const placed: Order[] = new Array(orders.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < orders.length) {
      const index = next++;
      const answer = await api.placeOrder(orders[index] as OrderLine[]);
      if (answer.status !== 202) {
        throw new Error(
          `order ${index} was not accepted: ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      }
      placed[index] = answer.body;
      done++;
      await options.afterEach?.(done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return placed;
}
