import { expect, it } from 'vitest';
import { describeScenarios } from '../support/scenario-suite.ts';
import { decidedOrders, revenueCents } from '../support/retail-api.ts';
import type { AnalyticsSummaryView, RetailApi } from '../support/retail-api.ts';
import { waitUntilDecided } from '../support/order-steps.ts';
import { waitFor } from '../support/wait-for.ts';

const LEAD_TIME_MS = 2000;

describeScenarios(
  'Order lifecycle',
  {
    name: 'order-lifecycle',
    serviceEnv: { reordering: { SUPPLIER_LEAD_TIME_MS: String(LEAD_TIME_MS) } },
  },
  (world) => {
    it('an async order is confirmed, stock drops, the stock-level topic shows it and analytics counts its revenue', async () => {
      const { api, cli } = world();
      const sku = 'SKU-KETTLE-01';
      const before = await api.product(sku);
      const summaryBefore = await api.summary();

      const placed = await api.placeOrder([{ sku, quantity: 3 }]);
      expect(placed.status).toBe(202);
      expect(placed.body.status).toBe('PENDING');

      const [order] = await waitUntilDecided(api, [placed.body.orderId]);
      expect(order?.status).toBe('CONFIRMED');
      expect(order?.totalAmount).toBe(Math.round(before.unitPrice * 3 * 100) / 100);
      expect((await api.product(sku)).available).toBe(before.available - 3);

      // What an operator reading the compacted stock table sees: the SKU's latest level.
      const levels = await waitFor('the new level on inventory.stock-level', async () => {
        const records = await cli.readTopic('inventory.stock-level');
        const latest = records.filter((record) => record.key === sku).at(-1);
        const data = latest
          ? (JSON.parse(latest.value ?? 'null') as { data: { available: number; cause: string } })
              .data
          : undefined;
        return data?.available === before.available - 3 ? data : undefined;
      });
      expect(levels.cause).toBe('reservation');

      const summary = await waitFor(
        'analytics to count the confirmed order',
        async () => {
          const now = await api.summary();
          return now.outcomes.async.confirmed === summaryBefore.outcomes.async.confirmed + 1
            ? now
            : undefined;
        },
        { lastSeen: () => 'outcomes unchanged' },
      );
      expect(revenueCents(summary) - revenueCents(summaryBefore)).toBe(
        Math.round((order?.totalAmount ?? 0) * 100),
      );
    });

    it('orders take a SKU under its reorder point: exactly one purchase order, goods received, stock restored, lead time in analytics', async () => {
      const { api } = world();
      const sku = 'SKU-BLENDER-01';
      const product = await api.product(sku);
      // Down to reorderPoint + 1 in a few larger orders, then three single units: the first of them
      // crosses the reorder point, the next two keep it below (still one purchase order).
      const aboveThreshold = product.available - product.reorderPoint - 1;
      const quantities = [...splitInto(aboveThreshold, 5), 1, 1, 1];
      const ids: string[] = [];
      for (const quantity of quantities) {
        const answer = await api.placeOrder([{ sku, quantity }]);
        expect(answer.status).toBe(202);
        ids.push(answer.body.orderId);
      }
      const orders = await waitUntilDecided(api, ids);
      expect(orders.map((o) => o.status)).toEqual(orders.map(() => 'CONFIRMED'));
      const lowest = product.reorderPoint - 2;

      const received = await waitFor(
        `the purchase order for ${sku} to be received`,
        async () => {
          const purchaseOrders = await api.purchaseOrders(sku);
          return purchaseOrders.length > 0 && purchaseOrders.every((po) => po.status === 'RECEIVED')
            ? purchaseOrders
            : undefined;
        },
        { timeoutMs: 30_000 + LEAD_TIME_MS },
      );
      expect(received).toHaveLength(1);
      expect(received[0]?.quantity).toBe(product.reorderQuantity);

      await waitFor(`${sku} to be restocked to ${lowest + product.reorderQuantity}`, async () =>
        (await api.product(sku)).available === lowest + product.reorderQuantity ? true : undefined,
      );
      // Still exactly one: the delivery did not leave the SKU low, nothing reopened it.
      expect(await api.purchaseOrders(sku)).toHaveLength(1);

      const view = await waitFor('analytics to show the purchase order lead time', async () => {
        const summary = await api.summary();
        return summary.reordering.recent.find(
          (po) => po.purchaseOrderId === received[0]?.purchaseOrderId && po.leadTimeMs !== null,
        );
      });
      // The supplier ships half-way and delivers after the lead time: never sooner.
      expect(view.leadTimeMs).toBeGreaterThanOrEqual(LEAD_TIME_MS);
    });

    it('a replay from the beginning of every topic reaches identical aggregates', async () => {
      const { api } = world();
      // Settled first: the live run has processed everything the two scenarios above produced.
      // Two equal summaries are not enough on their own: the restock's stock level can still sit in
      // inventory's outbox, so every stock level analytics knows must also be inventory's own.
      let lastSeen: unknown;
      const settled = await waitFor(
        "analytics to settle at inventory's stock levels",
        async () => {
          const first = await api.summary();
          const behind = await stockLevelsBehindInventory(api, first);
          const second = await api.summary();
          lastSeen = { behind, decided: decidedOrders(first) };
          return decidedOrders(first) > 0 &&
            behind.length === 0 &&
            first.processing.processedRecords === second.processing.processedRecords &&
            JSON.stringify(comparable(first)) === JSON.stringify(comparable(second))
            ? second
            : undefined;
        },
        { lastSeen: () => lastSeen },
      );

      const started = await api.startReplay();
      expect(started.status).toBe(202);
      const replay = await waitFor(
        'the replay to complete',
        async () => {
          const view = await api.replay(started.body.id);
          if (view.status === 'failed') throw new Error(`replay failed: ${view.error}`);
          return view.status === 'completed' ? view : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(replay.groupId).not.toBe(settled.processing.groupId);

      const after = await api.summary();
      expect(after.processing.groupId).toBe(replay.groupId);
      expect(comparable(after)).toEqual(comparable(settled));
    });
  },
);

/**
 * The summary without what legitimately differs between a live run and a replay: timestamps, the
 * consumer group, and the stream-table join's "ordered while low/out" counts. Live, an order can be
 * joined before a stock level with an earlier event time has been read from the other topic; a
 * replay reads the stock table first, so its join is exact (apps/analytics/README.md explains it).
 * Every other aggregate, including units ordered per SKU, must be identical.
 */
function comparable(summary: AnalyticsSummaryView): unknown {
  const { generatedAt: _generatedAt, processing: _processing, ...rest } = summary;
  return {
    ...rest,
    stock: (summary.stock as Array<Record<string, unknown>>).map(
      ({ unitsOrderedWhileLow: _low, unitsOrderedWhileOut: _out, ...row }) => row,
    ),
  };
}

/** The SKUs whose stock level in analytics differs from inventory's (those it has seen one for). */
async function stockLevelsBehindInventory(
  api: RetailApi,
  summary: AnalyticsSummaryView,
): Promise<string[]> {
  const behind: string[] = [];
  for (const row of summary.stock) {
    if (row.available === null) continue; // no stock level for it on the topic yet
    if ((await api.product(row.sku)).available !== row.available)
      behind.push(`${row.sku}: ${row.available}`);
  }
  return behind;
}

/** `total` as `parts` positive integers that differ by at most one. */
function splitInto(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0)).filter(
    (q) => q > 0,
  );
}
