import { emptyHistogram, recordLatency } from '../helpers/latency-histogram.ts';
import { addCount } from '../helpers/top-n.ts';
import type { StreamRecord } from '../record.ts';
import { TopologyBuilder } from '../topology/topology-builder.ts';
import { hopping, tumbling } from '../windows.ts';
import { MINUTE, seededRandom } from './records.ts';

export const ORDERS = 'sales.order-placed';
export const RESULTS = 'inventory.reservation-result';
export const STOCK = 'inventory.stock-level';
export const PARTITIONS = 3;

export interface Order {
  readonly orderId: string;
  readonly lines: ReadonlyArray<{
    readonly sku: string;
    readonly quantity: number;
    readonly unitPrice: number;
  }>;
}

export interface ReservationResult {
  readonly orderId: string;
  readonly outcome: 'confirmed' | 'rejected';
  readonly latencyMs: number;
}

/** The aggregates the analytics service computes, on the course's retail example. */
export function analyticsTopology() {
  const builder = new TopologyBuilder();
  const stock = builder.table<{ available: number }>(STOCK, {
    name: 'stock-level',
    historyMs: 60 * MINUTE,
  });
  const orders = builder.stream<Order>(ORDERS, { partitions: PARTITIONS });
  const results = builder.stream<ReservationResult>(RESULTS, { partitions: PARTITIONS });

  orders
    .groupBy(() => 'all')
    .windowedBy(tumbling(MINUTE), { grace: 10_000 })
    .aggregate(
      'orders-per-minute',
      () => ({ orders: 0, revenue: 0 }),
      (total, order) => ({
        orders: total.orders + 1,
        revenue: order.lines.reduce(
          (sum, line) => sum + line.quantity * line.unitPrice,
          total.revenue,
        ),
      }),
    );

  const lines = orders.flatMap((record) =>
    record.value.lines.map((line) => ({ key: line.sku, value: line })),
  );
  lines
    .groupBy(() => 'all')
    .windowedBy(hopping(5 * MINUTE, MINUTE), { grace: 10_000 })
    .aggregate(
      'units-per-sku-5m',
      () => ({}) as Record<string, number>,
      (counts, line) => addCount(counts, line.sku, line.quantity),
    );
  lines
    .join(stock, (line, level) => line.quantity > level.available)
    .filter((short) => short)
    .groupByKey()
    .count('short-lines-per-sku');

  results.groupBy((record) => record.value.outcome).count('outcomes');
  results
    .groupBy(() => 'all')
    .windowedBy(tumbling(MINUTE), { grace: 10_000 })
    .aggregate('latency-per-minute', emptyHistogram, (histogram, result) =>
      recordLatency(histogram, result.latencyMs),
    );

  return builder.build();
}

/**
 * A deterministic stream of stock levels, orders and reservation results over ~20 minutes, spread over
 * three partitions, with event times jittered backwards (out of order, mostly within grace) and a few
 * stragglers that come far too late. Returned in one plausible "live" arrival order.
 */
export function retailRecords(orderCount = 400, seed = 7): StreamRecord[] {
  const random = seededRandom(seed);
  const skus = ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D', 'SKU-E'];
  const nextOffset = new Map<string, bigint>();
  const records: StreamRecord[] = [];
  const emit = (
    topic: string,
    partition: number,
    timestamp: number,
    key: string,
    value: unknown,
  ) => {
    const id = `${topic}:${partition}`;
    const offset = nextOffset.get(id) ?? 0n;
    nextOffset.set(id, offset + 1n);
    records.push({ topic, partition, offset, timestamp, key, value });
  };
  skus.forEach((sku, index) => emit(STOCK, index % PARTITIONS, 0, sku, { available: 20 }));
  let clock = 1_000;
  for (let index = 0; index < orderCount; index++) {
    clock += Math.floor(random() * 3_000);
    const orderId = `order-${index}`;
    const partition = index % PARTITIONS;
    const straggler = random() < 0.02;
    const jitter = straggler ? 2 * MINUTE : Math.floor(random() * 8_000);
    const lines = skus
      .filter(() => random() < 0.4)
      .map((sku) => ({
        sku,
        quantity: 1 + Math.floor(random() * 5),
        unitPrice: 1 + Math.floor(random() * 50),
      }));
    if (lines.length === 0)
      lines.push({ sku: skus[index % skus.length]!, quantity: 1, unitPrice: 10 });
    emit(ORDERS, partition, Math.max(0, clock - jitter), orderId, {
      orderId,
      lines,
    } satisfies Order);
    const result: ReservationResult = {
      orderId,
      outcome: random() < 0.8 ? 'confirmed' : 'rejected',
      latencyMs: 5 + Math.floor(random() * random() * 400),
    };
    emit(RESULTS, partition, clock + result.latencyMs, orderId, result);
    if (random() < 0.1) {
      const sku = skus[Math.floor(random() * skus.length)]!;
      emit(STOCK, skus.indexOf(sku) % PARTITIONS, clock, sku, {
        available: Math.floor(random() * 10),
      });
    }
  }
  return records;
}

/** The same records in another arrival order that Kafka allows: each partition's order is kept. */
export function partitionByPartition(records: readonly StreamRecord[]): StreamRecord[] {
  const tables = records.filter((record) => record.topic === STOCK);
  const streams = records.filter((record) => record.topic !== STOCK);
  const ids = [...new Set(streams.map((record) => `${record.topic}:${record.partition}`))]
    .sort()
    .reverse();
  return [
    ...tables,
    ...ids.flatMap((id) =>
      streams.filter((record) => `${record.topic}:${record.partition}` === id),
    ),
  ];
}
