import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeScenarios } from '../support/scenario-suite.ts';
import { OperatorCli } from '../support/operator-cli.ts';
import { waitUntilDecided } from '../support/order-steps.ts';

const RESERVATION_RESULT = 'inventory.reservation-result';

/** The error a CLI run ended with, or a failure when it succeeded. */
async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the broker to refuse, and it allowed it');
}

describeScenarios('Each service touches only its own topics', { name: 'identity' }, (world) => {
  it("sales forging inventory's reservation result is refused, and the shop goes on undisturbed", async (context) => {
    const { env, api, cli } = world();
    const login = env.loginOf('sales');
    if (!login) return context.skip('this backend runs its services without broker users');
    // Logged in exactly as the sales service is: its user, its password, its listener.
    const asSales = new OperatorCli(login.bootstrap, login.commandConfig);

    // A forged "stock reserved" for an order inventory never saw: what a compromised sales could
    // use to confirm orders without stock. Only inventory may write this topic.
    const forgedOrderId = randomUUID();
    const forged = JSON.stringify({
      id: randomUUID(),
      type: 'StockReserved',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'inventory',
      correlationId: forgedOrderId,
      data: { orderId: forgedOrderId, lines: [] },
    });
    const writeRefused = await refusal(
      asSales.produce(RESERVATION_RESULT, [{ key: forgedOrderId, value: forged }]),
    );
    expect(writeRefused).toMatch(/TOPIC_AUTHORIZATION_FAILED|not authorized/i);

    // Nor may sales read what it does not consume, or join another service's group.
    const readRefused = await refusal(asSales.readTopic('inventory.stock-level'));
    expect(readRefused).toMatch(/(TOPIC|GROUP)_AUTHORIZATION_FAILED|not authorized/i);

    // The broker says who was refused what.
    const denied = env.lastLines('broker', 400).filter((l) => l.includes('authorization denied'));
    expect(denied.some((line) => line.includes('User:sales'))).toBe(true);

    // Nothing else is disturbed: sales (with the same user) and everyone else carry on.
    for (const url of Object.values(env.urls)) expect(await api.ready(url)).toBe(true);
    const placed = await api.placeOrder([{ sku: 'SKU-MUG-01', quantity: 1 }]);
    expect(placed.status).toBe(202);
    const [decided] = await waitUntilDecided(api, [placed.body.orderId as string]);
    expect(decided?.status).toBe('CONFIRMED');
    // And the forged record is nowhere: not in the topic, not an order.
    const results = await cli.readTopic(RESERVATION_RESULT);
    expect(results.some((record) => record.key === forgedOrderId)).toBe(false);
    expect(results.some((record) => record.key === placed.body.orderId)).toBe(true);
  });
});
