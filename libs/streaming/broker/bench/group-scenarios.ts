// The measured scenarios. Each uses a fresh group id, so no committed offsets or old members carry
// over from one run to the next.
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupBenchError, Member, lastAssignedAt, nowMs, waitFor } from './group-members.ts';
import type { GroupClient } from './group-members.ts';
import { observeGroup } from './group-observer.ts';
import { splitsExactly } from './group-ownership.ts';

export const GROUP_PARTITIONS = 6;
let groupSeq = 0;
const freshGroup = (label: string) => `group-bench-${label}-${process.pid}-${++groupSeq}`;

export interface MembershipRun {
  /** Spawn of the three processes -> the last of them holds its share of the partitions. */
  formFromSpawnMs: number;
  /** The last member's client start (process up, modules loaded) -> the group formed. */
  formFromLastStartMs: number;
  /** SIGKILL of one member -> the two survivors own every partition. */
  killRebalanceMs: number;
  /** killRebalanceMs minus the session timeout: what the rebalance adds to the expiry. */
  killAboveSessionMs: number;
  /** SIGKILL -> the broker reports the group rebalancing (DescribeGroups): its expiry of the member. */
  killBrokerMs: number;
  /** SIGTERM of one survivor (it sends LeaveGroup) -> the last member owns every partition. */
  leaveRebalanceMs: number;
  /** SIGTERM -> the leaving client's close() returned (its own shutdown, LeaveGroup included). */
  leaveCloseMs: number;
  /** SIGTERM -> the broker reports the group rebalancing: the LeaveGroup has been handled. */
  leaveBrokerMs: number;
}

/**
 * Three members form a group on an idle topic; one is SIGKILLed (no LeaveGroup: the broker must
 * expire it), then one of the survivors leaves cleanly.
 */
export async function membershipRun(
  client: GroupClient,
  bootstrap: string,
  topic: string,
  sessionMs: number,
): Promise<MembershipRun> {
  const group = freshGroup(`${client}-membership`);
  const observer = await observeGroup(bootstrap, group);
  const t0 = nowMs();
  const members = [0, 1, 2].map(() => new Member(client, { bootstrap, group, topic, sessionMs }));
  try {
    const formedAt = await waitFor(
      'three members form the group',
      members,
      () =>
        splitsExactly(
          members.map((m) => m.assignment),
          GROUP_PARTITIONS,
        ),
      () => lastAssignedAt(members),
      30_000,
    );
    const lastStart = Math.max(...members.map((m) => m.startedAt));
    // Let a few heartbeats pass, so the kill lands in the steady state and not in the tail of the join.
    await sleep(700);

    const [victim, leaver, last] = members;
    const survivors = [leaver, last];
    const killWatch = observer.watch(3, sessionMs + 20_000);
    await killWatch.steady;
    const killAt = victim.signal('SIGKILL');
    const reownedAt = await waitFor(
      'the survivors take over the killed member',
      survivors,
      () =>
        splitsExactly(
          survivors.map((m) => m.assignment),
          GROUP_PARTITIONS,
        ),
      () => lastAssignedAt(survivors),
      sessionMs + 20_000,
    );
    const killBrokerAt = await killWatch.changed;
    await victim.exited;
    await sleep(500);

    const leaveWatch = observer.watch(2, 20_000);
    await leaveWatch.steady;
    const leaveAt = leaver.signal('SIGTERM');
    const soleAt = await waitFor(
      'the last member takes over after a LeaveGroup',
      [last],
      () => splitsExactly([last.assignment], GROUP_PARTITIONS),
      () => last.assignedAt,
      20_000,
    );
    const leaveBrokerAt = await leaveWatch.changed;
    const leaveExit = await Promise.race([leaver.exited, sleep(10_000, 'timeout' as const)]);
    const closed = leaver.events.find((e) => e.ev === 'closed');
    if (leaveExit === 'timeout' || !closed) {
      throw new GroupBenchError(
        'GROUP_BENCH_LEAVE',
        `the leaving ${client} member did not close cleanly: ${leaver.diagnostics}`,
      );
    }
    return {
      formFromSpawnMs: formedAt - t0,
      formFromLastStartMs: formedAt - lastStart,
      killRebalanceMs: reownedAt - killAt,
      killAboveSessionMs: reownedAt - killAt - sessionMs,
      killBrokerMs: killBrokerAt - killAt,
      leaveRebalanceMs: soleAt - leaveAt,
      leaveCloseMs: closed.t - leaveAt,
      leaveBrokerMs: leaveBrokerAt - leaveAt,
    };
  } finally {
    await Promise.all(members.map((m) => m.stop()));
    await observer.close();
  }
}

export interface GroupConsumeRun {
  records: number;
  seconds: number;
  /** Spawn -> every gated member holds its share (not part of `seconds`). */
  formMs: number;
  /** Records a member reported before `go`: should be 0, else the gate leaked. */
  consumedBeforeGo: number;
  /** Assignment changes after `go` (a member expired under load, say): the run is then suspect. */
  rebalancesDuringRun: number;
}

/**
 * `count` gated members join a group on a topic holding `expected` records; once every member
 * holds its share, all are released at once and the clock runs until they have consumed
 * `expected` records between them.
 */
export async function consumeRun(
  client: GroupClient,
  bootstrap: string,
  topic: string,
  expected: number,
  count: number,
  sessionMs: number,
  timeoutMs: number,
): Promise<GroupConsumeRun> {
  const group = freshGroup(`${client}-consume`);
  const t0 = nowMs();
  const members = Array.from(
    { length: count },
    () => new Member(client, { bootstrap, group, topic, sessionMs, gate: true }),
  );
  try {
    const formedAt = await waitFor(
      `${count} gated member(s) form the group`,
      members,
      () =>
        splitsExactly(
          members.map((m) => m.assignment),
          GROUP_PARTITIONS,
        ),
      () => lastAssignedAt(members),
      30_000,
    );
    const consumedBeforeGo = members.reduce((sum, m) => sum + m.consumed, 0);
    const goAt = Math.min(...members.map((m) => m.go()));
    const total = () => members.reduce((sum, m) => sum + m.consumed, 0);
    const doneAt = await waitFor(
      `${count} member(s) consume ${expected} records`,
      members,
      () => total() >= expected,
      () => Math.max(...members.map((m) => m.consumedAt).filter((t) => !Number.isNaN(t))),
      timeoutMs,
    );
    return {
      records: total(),
      seconds: (doneAt - goAt) / 1000,
      formMs: formedAt - t0,
      consumedBeforeGo,
      rebalancesDuringRun: members.reduce(
        (sum, m) => sum + m.events.filter((e) => e.ev === 'revoked' && e.t > goAt).length,
        0,
      ),
    };
  } finally {
    await Promise.all(members.map((m) => m.stop()));
  }
}
