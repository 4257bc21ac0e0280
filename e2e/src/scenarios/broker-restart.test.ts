import { expect, it } from 'vitest';
import { SERVICE_NAMES } from '../environment/environment.ts';
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

describeScenarios('Broker restart', { name: 'broker-restart' }, (world) => {
  it('a broker restart in the middle of a burst loses nothing acknowledged and the services reconnect on their own', async () => {
    const { env, api } = world();
    const skus = ['SKU-PLATE-01', 'SKU-BOWL-01', 'SKU-PRESS-01'];
    const initial = await stockOf(api, skus);
    const analyticsBefore = decidedOrders(await api.summary());

    let restarted = false;
    // Sales keeps accepting while the broker is away (orders and their events wait in its outbox);
    // the other workers go on placing orders while one of them restarts the broker.
    const accepted = await placeAll(api, burst(30, skus), {
      afterEach: async (placed) => {
        if (placed === 10 && !restarted) {
          restarted = true;
          await env.restartBroker();
        }
      },
    });
    expect(restarted).toBe(true);
    expect(accepted).toHaveLength(30);

    const decided = await waitUntilDecided(
      api,
      accepted.map((order) => order.orderId),
      90_000,
    );
    expect(decided.every((order) => order.status === 'CONFIRMED')).toBe(true);
    expect(await stockOf(api, skus)).toEqual(expectedStock(initial, confirmedUnits(decided)));

    // Nobody restarted the services: each is ready again and the whole chain works for a new order.
    for (const name of SERVICE_NAMES) {
      await waitFor(`${name} to be ready again`, async () =>
        (await api.ready(env.urls[name])) ? true : undefined,
      );
    }
    const after = await api.placeOrder([{ sku: 'SKU-PLATE-01', quantity: 1 }]);
    const [last] = await waitUntilDecided(api, [after.body.orderId]);
    expect(last?.status).toBe('CONFIRMED');
    // Analytics saw every one of them, exactly once.
    await waitFor(
      'analytics to count all 31 orders',
      async () => {
        const counted = decidedOrders(await api.summary()) - analyticsBefore;
        if (counted > 31) throw new Error(`analytics counted ${counted} orders, more than 31`);
        return counted === 31 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  });
});
