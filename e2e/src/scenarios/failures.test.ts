import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeScenarios } from '../support/scenario-suite.ts';
import {
  burst,
  confirmedUnits,
  expectedStock,
  placeAll,
  stockOf,
  waitUntilDecided,
} from '../support/order-steps.ts';
import { decidedOrders } from '../support/retail-api.ts';
import { waitFor } from '../support/wait-for.ts';

const ORDER_PLACED = 'sales.order-placed';

describeScenarios(
  'Failures',
  // A short sync timeout: the sync path must fail fast when inventory is away, not hang.
  { name: 'failures', serviceEnv: { sales: { SYNC_TIMEOUT_MS: '1000' } } },
  (world) => {
    it('inventory outage: sync orders fail fast with 503, async orders wait PENDING and are all decided once it returns', async () => {
      const { env, api } = world();
      const skus = ['SKU-MUG-02', 'SKU-GLASS-01', 'SKU-BOARD-01'];
      const initial = await stockOf(api, skus);
      await env.stopService('inventory');

      const syncCustomer = `sync-${randomUUID()}`;
      for (let i = 0; i < 5; i++) {
        const answer = await api.placeOrder([{ sku: skus[i % 3] as string, quantity: 1 }], {
          mode: 'sync',
          customerId: syncCustomer,
        });
        expect(answer.status).toBe(503);
        expect(answer.body.code).toBe('INVENTORY_UNAVAILABLE');
      }

      const accepted = await placeAll(api, burst(20, skus));
      expect(accepted.every((order) => order.status === 'PENDING')).toBe(true);
      // Nobody can decide them while inventory is away: they are still all PENDING now.
      const whileDown = await Promise.all(accepted.map((order) => api.order(order.orderId)));
      expect(whileDown.map((order) => order.status)).toEqual(accepted.map(() => 'PENDING'));

      await env.startService('inventory');
      const decided = await waitUntilDecided(
        api,
        accepted.map((order) => order.orderId),
      );
      expect(decided).toHaveLength(20);
      expect(decided.every((order) => order.status === 'CONFIRMED')).toBe(true);
      // A failed sync order was never stored: the client was told, nothing is left half-done.
      const syncOrders = await fetch(
        `${api.urls.sales}/orders?customerId=${encodeURIComponent(syncCustomer)}`,
      ).then((response) => response.json() as Promise<{ orders: unknown[] }>);
      expect(syncOrders.orders).toEqual([]);
      expect(await stockOf(api, skus)).toEqual(expectedStock(initial, confirmedUnits(decided)));
    });

    it('kill -9 of inventory in the middle of a burst: after its restart stock is exactly initial minus confirmed', async () => {
      const { env, api } = world();
      const skus = ['SKU-MUG-01', 'SKU-TOWEL-01', 'SKU-JAR-01', 'SKU-TIMER-01'];
      const initial = await stockOf(api, skus);
      // Six large orders for a scarce SKU ride along: only some fit, and a rejection must take nothing.
      const scarce = 'SKU-GRINDER-01';
      const scarceInitial = (await api.product(scarce)).available;
      const bigQuantity = Math.ceil(scarceInitial / 3);

      let killed = false;
      const orders = [
        ...burst(40, skus),
        ...burst(6, [scarce]).map(() => [{ sku: scarce, quantity: bigQuantity }]),
      ];
      const accepted = await placeAll(api, orders, {
        afterEach: async (placed) => {
          if (placed === 12 && !killed) {
            killed = true;
            await env.killService('inventory');
          }
        },
      });
      expect(killed).toBe(true);
      await env.startService('inventory');

      const decided = await waitUntilDecided(
        api,
        accepted.map((order) => order.orderId),
      );
      const taken = confirmedUnits(decided);
      expect(await stockOf(api, [...skus, scarce])).toEqual(
        expectedStock({ ...initial, [scarce]: scarceInitial }, taken),
      );
      // Stock only falls, so exactly as many big orders fit as the initial stock holds.
      const scarceOrders = decided.filter((order) => order.lines[0]?.sku === scarce);
      expect(scarceOrders.filter((order) => order.status === 'CONFIRMED')).toHaveLength(
        Math.floor(scarceInitial / bigQuantity),
      );
    });

    it('a poison event ends in the dead-letter topic and does not stall its partition', async () => {
      const { api, cli } = world();
      const analyticsBefore = decidedOrders(await api.summary());
      // One unreadable and one contract-breaking record ahead of whatever comes next, on every
      // partition, so the next real order sits behind poison wherever its key lands.
      const poison = [
        'this is not json',
        JSON.stringify({ id: 'not-a-uuid', type: 'OrderPlaced', data: {} }),
      ];
      const partitions = 6;
      await Promise.all(
        Array.from({ length: partitions }, (_, partition) =>
          cli.produce(
            ORDER_PLACED,
            poison.map((value) => ({ key: randomUUID(), value })),
            partition,
          ),
        ),
      );

      const placed = await api.placeOrder([{ sku: 'SKU-APRON-01', quantity: 1 }]);
      expect(placed.status).toBe(202);
      const [order] = await waitUntilDecided(api, [placed.body.orderId]);
      expect(order?.status).toBe('CONFIRMED');

      const deadLetters = await waitFor(
        'the poison to reach sales.order-placed.dlq.inventory',
        async () => {
          const records = await cli.readTopic(`${ORDER_PLACED}.dlq.inventory`);
          const ours = records.filter((record) => poison.includes(record.value ?? ''));
          return ours.length >= poison.length * partitions ? ours : undefined;
        },
      );
      expect(new Set(deadLetters.map((record) => record.value))).toEqual(new Set(poison));
      // Analytics reads the same partitions: it counted the order behind the poison too.
      await waitFor('analytics to count the order placed behind the poison', async () =>
        decidedOrders(await api.summary()) > analyticsBefore ? true : undefined,
      );
    });
  },
);
