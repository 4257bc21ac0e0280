import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { expect, it } from 'vitest';
import { describeScenarios } from '../support/scenario-suite.ts';
import {
  confirmedUnits,
  expectedStock,
  stockOf,
  waitUntilDecided,
} from '../support/order-steps.ts';
import type { Order, RetailApi } from '../support/retail-api.ts';
import { waitFor } from '../support/wait-for.ts';

/** Longer than three session timeouts (10 s): a member that stops heartbeating is evicted by then. */
const OUTAGE_MS = 30_000;
/** Orders per second while the database is away and around it. */
const RATE = 5;
/**
 * SKUs with stock well above their reorder points for RATE x ~40 s single units: no purchase order
 * (and so no delivery) changes their stock during the scenario, so stock must be exactly the initial
 * level minus what the confirmed orders took.
 */
const SKUS = ['SKU-TOWEL-01', 'SKU-JAR-01', 'SKU-GLASS-01', 'SKU-PLATE-01'];

describeScenarios('Database outage', { name: 'database-outage' }, (world) => {
  it("inventory's database away for 30 s under load: its consumer keeps its place in the group, every order is decided once, stock is exact, nothing is dead-lettered", async () => {
    const { env, api, cli } = world();
    const initial = await stockOf(api, SKUS);
    const before = await waitFor('the inventory group to be stable', async () => {
      const group = await cli.describeGroup('inventory');
      return group.state === 'Stable' && group.members.length === 1 ? group : undefined;
    });
    const member = before.members[0]?.memberId;

    const orders = placeSteadily(api, RATE);
    await sleep(3_000);
    const database = inventoryDatabase(env.databaseUrlFor('inventory'));
    await database.setAvailable(false);
    try {
      await sleep(OUTAGE_MS);
      // Still the same member, never evicted, never rebalanced, while its handler could not commit.
      const during = await cli.describeGroup('inventory');
      expect(during.state).toBe('Stable');
      expect(during.members.map((entry) => entry.memberId)).toEqual([member]);
    } finally {
      await database.setAvailable(true);
    }
    await sleep(3_000);
    const accepted = await orders.stop();
    expect(accepted.length).toBeGreaterThan((RATE * (OUTAGE_MS + 6_000)) / 1000 / 2);

    const decided = await waitUntilDecided(
      api,
      accepted.map((order) => order.orderId),
      120_000,
    );
    expect(decided.every((order) => order.status === 'CONFIRMED')).toBe(true);
    // Each order's stock taken exactly once: no loss, no reservation applied twice.
    expect(await stockOf(api, SKUS)).toEqual(expectedStock(initial, confirmedUnits(decided)));
    const after = await cli.describeGroup('inventory');
    expect(after.members.map((entry) => entry.memberId)).toEqual([member]);
    const deadLetters = await cli.readTopic('sales.order-placed.dlq.inventory');
    expect(deadLetters).toEqual([]);
  });
});

/** Places async orders at `rate` per second (one unit of one of SKUS each) until stopped. */
function placeSteadily(api: RetailApi, rate: number) {
  const accepted: Order[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const answer = await api.placeOrder([{ sku: SKUS[i % SKUS.length] as string, quantity: 1 }]);
      if (answer.status === 202) accepted.push(answer.body);
      else failures.push(`${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
      await sleep(1000 / rate);
    }
  })();
  return {
    async stop(): Promise<Order[]> {
      running = false;
      await loop;
      // Sales' own database stayed up: the async path accepted every order throughout.
      expect(failures).toEqual([]);
      return accepted;
    },
  };
}

/**
 * Switches one service's database off and on, as a restart or a failover would: new connections are
 * refused and every open one is ended. Run from the server's `postgres` database.
 */
function inventoryDatabase(databaseUrl: string) {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const serverUrl = new URL(databaseUrl);
  serverUrl.pathname = '/postgres';
  return {
    async setAvailable(available: boolean) {
      const client = new pg.Client({ connectionString: serverUrl.toString() });
      await client.connect();
      try {
        await client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${available}`);
        if (!available) {
          await client.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
        }
      } finally {
        await client.end();
      }
    },
  };
}
