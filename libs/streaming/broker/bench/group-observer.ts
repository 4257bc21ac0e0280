// Watches a group from the broker's side (DescribeGroups, polled), so a rebalance time can be split
// into the broker's part (noticing a dead or leaving member) and the clients' part (noticing the
// rebalance at their next heartbeat, rejoining, syncing).
import { setTimeout as sleep } from 'node:timers/promises';
import { kafkajsClient } from './kafkajs-load.ts';
import { GroupBenchError, nowMs } from './group-members.ts';

const POLL_MS = 10;

export interface GroupWatch {
  /** The broker has reported the group Stable with the expected member count at least once. */
  steady: Promise<void>;
  /**
   * The time (epoch ms, midpoint of the answering request) at which the broker first reported the
   * group otherwise after that: a member gone or a rebalance under way.
   */
  changed: Promise<number>;
}

export interface GroupObserver {
  watch(members: number, timeoutMs: number): GroupWatch;
  close(): Promise<void>;
}

export async function observeGroup(bootstrap: string, group: string): Promise<GroupObserver> {
  const admin = kafkajsClient(bootstrap, 'group-bench-observer').admin();
  await admin.connect();
  const poll = async (members: number, timeoutMs: number, onSteady: () => void) => {
    const deadline = nowMs() + timeoutMs;
    let sawSteady = false;
    while (nowMs() < deadline) {
      const sentAt = nowMs();
      const { groups } = await admin.describeGroups([group]);
      const at = (sentAt + nowMs()) / 2;
      const g = groups[0];
      if (g?.state === 'Stable' && g.members.length === members) {
        if (!sawSteady) onSteady();
        sawSteady = true;
      } else if (sawSteady) {
        return at;
      }
      await sleep(POLL_MS);
    }
    throw new GroupBenchError(
      'GROUP_BENCH_OBSERVER_TIMEOUT',
      `group ${group}: ${sawSteady ? 'no change' : `never Stable with ${members} members`} within ${timeoutMs} ms`,
    );
  };
  return {
    watch(members, timeoutMs) {
      let markSteady: () => void = () => undefined;
      const steady = new Promise<void>((resolve) => (markSteady = resolve));
      const changed = poll(members, timeoutMs, markSteady);
      // Awaited later by the caller; until then a failure must not count as unhandled.
      changed.catch(() => undefined);
      // A watch that fails before it was steady must fail `steady` too, or a caller waits forever.
      return { steady: Promise.race([steady, changed.then(() => undefined)]), changed };
    },
    async close() {
      await admin.disconnect();
    },
  };
}
