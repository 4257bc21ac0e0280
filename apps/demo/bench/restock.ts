// Before each step the bench delivers stock, as reordering's simulated supplier does (GoodsReceived on
// reordering.goods-received), so that orders are decided on a shop with full shelves: mostly
// CONFIRMED, the heavier path (stock updates, stock-level events), instead of REJECTED for lack of
// stock after the first seconds.
import { randomUUID } from 'node:crypto';
import { createEvent, encodeEvent, headerNames, topics } from '@retail-streams/contracts';
import type { Kafka } from 'kafkajs';

interface Product {
  sku: string;
  available: number;
  reorderPoint: number;
}

/**
 * Units of each SKU that `orders` random orders take, with a safety factor of 2: an order has one to
 * three lines of one to three units (4 units on average), spread evenly over the catalogue.
 */
export function unitsNeeded(orders: number, skuCount: number): number {
  return Math.ceil(((orders * 4) / Math.max(1, skuCount)) * 2);
}

export async function readProducts(inventoryUrl: string): Promise<Product[]> {
  const response = await fetch(`${inventoryUrl}/products`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`inventory GET /products answered ${response.status}`);
  const body = (await response.json()) as { products: Product[] };
  return body.products;
}

/** Tops every SKU up to what `orders` orders need above its reorder point, and waits until it shows. */
export async function restock(
  kafka: Kafka,
  inventoryUrl: string,
  orders: number,
  timeoutMs = 60_000,
): Promise<{ delivered: number }> {
  const products = await readProducts(inventoryUrl);
  const need = unitsNeeded(orders, products.length);
  const target = (product: Product) => product.reorderPoint + need;
  const short = products.filter((product) => product.available < target(product));
  if (short.length === 0) return { delivered: 0 };
  const now = new Date().toISOString();
  const events = short.map((product) => {
    const purchaseOrderId = randomUUID();
    return createEvent(
      topics.goodsReceived,
      'GoodsReceived',
      {
        purchaseOrderId,
        sku: product.sku,
        quantity: target(product) - product.available,
        orderedAt: now,
        receivedAt: now,
      },
      { source: 'pipeline-bench', correlationId: purchaseOrderId },
    );
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({
      topic: topics.goodsReceived.name,
      acks: -1,
      messages: events.map((event) => ({
        key: event.data.sku,
        value: encodeEvent(event),
        headers: { [headerNames.eventType]: event.type, [headerNames.eventId]: event.id },
      })),
    });
  } finally {
    await producer.disconnect();
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await readProducts(inventoryUrl);
    if (now.every((product) => product.available >= target(product))) break;
    if (Date.now() > deadline) {
      throw new Error(`inventory did not apply the bench's stock delivery within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { delivered: events.reduce((sum, event) => sum + event.data.quantity, 0) };
}
