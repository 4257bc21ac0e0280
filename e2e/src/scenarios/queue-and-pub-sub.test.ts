import { expect, it } from 'vitest';
import { describeScenarios } from '../support/scenario-suite.ts';
import { burst, placeAll, waitUntilDecided } from '../support/order-steps.ts';
import type { GroupDescription } from '../support/operator-cli.ts';
import { decidedOrders } from '../support/retail-api.ts';
import { waitFor } from '../support/wait-for.ts';

const ORDER_PLACED = 'sales.order-placed';
const PARTITIONS = [0, 1, 2, 3, 4, 5];

describeScenarios('Consumer groups', { name: 'queue-and-pub-sub' }, (world) => {
  it('two inventory instances in one group split the partitions; analytics, in its own group, still sees every event', async () => {
    const { env, api, cli } = world();
    const replica = await env.startReplica('inventory');
    expect(await api.ready(replica.url)).toBe(true);

    // Queue semantics: one group, two members, each partition owned by exactly one of them.
    const split = await waitFor(
      'the inventory group to rebalance onto two members',
      async () => {
        const group = await cli.describeGroup('inventory');
        const owned = group.members.map((member) => member.assignment[ORDER_PLACED] ?? []);
        return group.members.length === 2 && owned.every((partitions) => partitions.length > 0)
          ? group
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const owned = split.members.map((member) => member.assignment[ORDER_PLACED] ?? []);
    expect(owned.flat().sort()).toEqual(PARTITIONS);

    const analyticsBefore = decidedOrders(await api.summary());
    const committedBefore = committedByPartition(split);
    const accepted = await placeAll(api, burst(24, ['SKU-KETTLE-01', 'SKU-MUG-01', 'SKU-JAR-01']));
    const decided = await waitUntilDecided(
      api,
      accepted.map((order) => order.orderId),
    );
    expect(decided.every((order) => order.status === 'CONFIRMED')).toBe(true);

    // Both members did part of the work: the offsets of each one's partitions moved.
    const caughtUp = await waitFor('the inventory group to commit everything', async () => {
      const group = await cli.describeGroup('inventory');
      const rows = group.partitions.filter((row) => row.topic === ORDER_PLACED);
      // A partition none of the 24 keys hashed to (a few % of runs) has no commit and no records:
      // its lag reads null, and there is nothing on it to wait for.
      const settled = (row: (typeof rows)[number]) => (row.lag ?? row.logEnd) === 0;
      return rows.length === PARTITIONS.length && rows.every(settled) ? group : undefined;
    });
    const committedAfter = committedByPartition(caughtUp);
    const progress = owned.map((partitions) =>
      partitions.reduce((sum, p) => sum + (committedAfter[p] ?? 0) - (committedBefore[p] ?? 0), 0),
    );
    expect(progress.every((records) => records > 0)).toBe(true);
    expect(progress.reduce((a, b) => a + b, 0)).toBe(24);

    // Pub/sub: analytics consumes the same topics under its own group and counts all 24.
    await waitFor('analytics to count all 24 orders', async () =>
      decidedOrders(await api.summary()) - analyticsBefore === 24 ? true : undefined,
    );
    const analyticsGroup = await cli.describeGroup((await api.summary()).processing.groupId);
    expect(analyticsGroup.members).toHaveLength(1);
    expect([...(analyticsGroup.members[0]?.assignment[ORDER_PLACED] ?? [])].sort()).toEqual(
      PARTITIONS,
    );

    await replica.stop();
  });
});

function committedByPartition(group: GroupDescription): Record<number, number> {
  return Object.fromEntries(
    group.partitions
      .filter((row) => row.topic === ORDER_PLACED)
      .map((row) => [row.partition, row.committed ?? 0]),
  );
}
