import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { readCommitted, readCommittedToEnd } from '../support/kafka-reader.ts';
import { burst, confirmedUnits, placeAll, waitUntilDecided } from '../support/order-steps.ts';
import { describeScenarios } from '../support/scenario-suite.ts';
import { waitFor } from '../support/wait-for.ts';

const OUTPUT = 'analytics.sales-per-minute';
const INPUT = 'inventory.reservation-result';
const STAGE_GROUP = 'analytics.sales-per-minute';
// Short windows so the scenario sees several close; a grace far longer than the few seconds of
// orders that pile up while analytics is down, so none of them arrives after its window closed.
const WINDOW_MS = 2_000;
const GRACE_MS = 8_000;

interface Reserved {
  orderId: string;
  time: number;
  lines: { sku: string; quantity: number }[];
}

/** The StockReserved events of `orderIds` on the input topic, read with read_committed. */
async function reservations(bootstrap: string, orderIds: readonly string[]): Promise<Reserved[]> {
  const wanted = new Set(orderIds);
  const found = new Map<string, Reserved>();
  await readCommitted(bootstrap, INPUT, `StockReserved of ${wanted.size} orders`, 30_000, (m) => {
    const event = JSON.parse(m.value?.toString() ?? 'null') as {
      type: string;
      occurredAt: string;
      data: { orderId: string; lines: { sku: string; quantity: number }[] };
    } | null;
    if (event?.type === 'StockReserved' && wanted.has(event.data.orderId))
      found.set(event.data.orderId, {
        orderId: event.data.orderId,
        time: Date.parse(event.occurredAt),
        lines: event.data.lines,
      });
    return { keep: false, done: found.size === wanted.size };
  });
  return [...found.values()];
}

/** "<window start> <sku>" → units: what the derived topic must say about `reserved`. */
function expectedCounts(reserved: readonly Reserved[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { time, lines } of reserved) {
    const window = new Date(Math.floor(time / WINDOW_MS) * WINDOW_MS).toISOString();
    for (const { sku, quantity } of lines)
      counts.set(`${window} ${sku}`, (counts.get(`${window} ${sku}`) ?? 0) + quantity);
  }
  return counts;
}

async function stageCommitted(bootstrap: string): Promise<boolean> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: STAGE_GROUP, topics: [INPUT] });
    return (offsets?.partitions ?? []).some((partition) => partition.offset !== '-1');
  } finally {
    await admin.disconnect();
  }
}

describeScenarios(
  'Exactly-once derived topic',
  {
    name: 'exactly-once',
    serviceEnv: {
      analytics: { SALES_WINDOW_MS: String(WINDOW_MS), WINDOW_GRACE_MS: String(GRACE_MS) },
    },
  },
  (world) => {
    it('kill -9 of analytics mid-stream: analytics.sales-per-minute has one exact record per closed window and SKU', async () => {
      const { env, api } = world();
      const skus = ['SKU-MUG-01', 'SKU-TOWEL-01', 'SKU-JAR-01', 'SKU-TIMER-01'];
      const before = await placeAll(api, burst(16, skus));
      await waitUntilDecided(
        api,
        before.map((order) => order.orderId),
      );
      // The stage has committed transactions (output and offsets) before it dies.
      await waitFor('the stage to commit its first transaction', () =>
        stageCommitted(env.bootstrap),
      );

      let killed = false;
      const during = await placeAll(api, burst(24, skus), {
        afterEach: async (placed) => {
          if (placed === 6 && !killed) {
            killed = true;
            await env.killService('analytics');
          }
        },
      });
      expect(killed).toBe(true);
      await env.startService('analytics');
      const decided = await waitUntilDecided(
        api,
        [...before, ...during].map((order) => order.orderId),
      );

      // Windows close on event time: one more order, placed once the grace of every window of the
      // orders above has passed, moves stream time past them all.
      await sleep(WINDOW_MS + GRACE_MS + 500);
      const tick = await placeAll(api, [[{ sku: 'SKU-MUG-01', quantity: 1 }]]);
      const [tickOrder] = await waitUntilDecided(api, [tick[0]!.orderId]);
      expect(tickOrder?.status).toBe('CONFIRMED');

      const confirmed = decided.filter((order) => order.status === 'CONFIRMED');
      const reserved = await reservations(env.bootstrap, [
        ...confirmed.map((order) => order.orderId),
        tickOrder!.orderId,
      ]);
      const tickTime = reserved.find((r) => r.orderId === tickOrder!.orderId)!.time;
      const counted = reserved.filter((r) => r.orderId !== tickOrder!.orderId);
      for (const { time } of counted)
        expect(Math.floor(time / WINDOW_MS) * WINDOW_MS + WINDOW_MS + GRACE_MS).toBeLessThanOrEqual(
          tickTime,
        );
      const expected = expectedCounts(counted);

      const read = async () =>
        (await readCommittedToEnd(env.bootstrap, OUTPUT)).map((message) => {
          const event = JSON.parse(message.value?.toString() ?? '') as {
            data: { windowStart: string; sku: string; quantity: number };
          };
          return {
            key: `${event.data.windowStart} ${event.data.sku}`,
            quantity: event.data.quantity,
          };
        });
      let seen = new Set<string>();
      const published = await waitFor(
        `records for all ${expected.size} closed windows and SKUs`,
        async () => {
          const records = await read();
          seen = new Set(records.map((record) => record.key));
          return [...expected.keys()].every((key) => seen.has(key)) ? records : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 1_000,
          lastSeen: () =>
            `missing ${[...expected.keys()].filter((key) => !seen.has(key)).join(', ')}`,
        },
      );
      // Exactly one record per window and SKU: none twice (the kill did not publish a window again)…
      expect(published.map((record) => record.key).sort()).toEqual([...expected.keys()].sort());
      // …and each the exact count (no reservation counted twice or lost by the rebuild).
      expect(new Map(published.map((record) => [record.key, record.quantity]))).toEqual(expected);
      // What the orders say: the units of the confirmed orders, per SKU.
      const perSku: Record<string, number> = {};
      for (const { key, quantity } of published) {
        const sku = key.split(' ')[1]!;
        perSku[sku] = (perSku[sku] ?? 0) + quantity;
      }
      expect(perSku).toEqual(confirmedUnits(confirmed));
    });
  },
);
