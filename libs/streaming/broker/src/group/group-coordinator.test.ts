import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogManager } from '../storage/index.ts';
import { encodeSubscription } from './consumer-protocol.ts';
import type { JoinResult, SyncResult } from './consumer-group.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import type { JoinRequest } from './group-coordinator.ts';
import { GroupErrorCode as E } from './group-error-codes.ts';
import { OFFSETS_TOPIC, OffsetsTopicStore } from './offsets-topic.ts';

// The coordinator runs on a manual clock with no timer: the tests call tick(now) themselves, so
// session expiry and rebalance deadlines are checked without waiting for real time to pass.

interface Tracked<T> {
  done: boolean;
  value: T | undefined;
}

function track<T>(p: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { done: false, value: undefined };
  void p.then((v) => {
    t.done = true;
    t.value = v;
  });
  return t;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const SESSION = 10_000;
const REBALANCE = 30_000;

let dir: string;
let logs: LogManager;
let clock: number;
let coordinator: GroupCoordinator;

function open(): GroupCoordinator {
  return new GroupCoordinator({
    store: OffsetsTopicStore.open(logs),
    partitionCount: (topic) => logs.getTopic(topic)?.partitionCount,
    tickIntervalMs: null,
    now: () => clock,
  });
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-coordinator-'));
  logs = await LogManager.open({ logDir: dir, defaults: {} });
  logs.createTopic('orders', 6);
  logs.createTopic('payments', 2);
  clock = 1_000_000;
  coordinator = open();
});

afterEach(async () => {
  coordinator.close();
  await logs.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function joinRequest(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['orders']) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    ...overrides,
  };
}

/** The v4+ handshake: a first join gets an id (MEMBER_ID_REQUIRED), the second join uses it. */
async function memberId(overrides: Partial<JoinRequest> = {}): Promise<string> {
  const first = await coordinator.join(joinRequest(overrides));
  expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
  return first.memberId;
}

/** Joins `n` members and completes the rebalance (leader syncs an assignment naming each member). */
async function stableGroup(n: number, overrides: Partial<JoinRequest> = {}) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await memberId(overrides));
  // All known members must rejoin: the first join completes only once the others are in.
  const joins = ids.map((id) =>
    track(coordinator.join(joinRequest({ ...overrides, memberId: id }))),
  );
  // Earlier members were waiting alone in earlier generations: rejoin every member until all agree.
  await flush();
  for (
    let round = 0;
    round < n && !joins.every((j) => j.done && j.value?.errorCode === E.NONE);
    round++
  ) {
    for (let i = 0; i < n; i++) {
      if (joins[i].done)
        joins[i] = track(coordinator.join(joinRequest({ ...overrides, memberId: ids[i] })));
    }
    await flush();
  }
  const results = joins.map((j) => j.value as JoinResult);
  const generationId = results[0].generationId;
  expect(results.every((r) => r.errorCode === E.NONE && r.generationId === generationId)).toBe(
    true,
  );
  const leader = results.find((r) => r.members.length > 0) as JoinResult;
  const syncs = ids.map((id) =>
    coordinator.sync({
      groupId: 'g',
      generationId,
      memberId: id,
      groupInstanceId: overrides.groupInstanceId ?? null,
      protocolType: null,
      protocolName: null,
      assignments:
        id === leader.memberId
          ? ids.map((m) => ({ memberId: m, assignment: Buffer.from(`for ${m}`) }))
          : [],
    }),
  );
  const synced = await Promise.all(syncs);
  expect(synced.map((s) => s.errorCode)).toEqual(ids.map(() => E.NONE));
  return { ids, generationId, leader: leader.memberId, results };
}

describe('GroupCoordinator membership', () => {
  it('answers a v4+ first join with MEMBER_ID_REQUIRED and a new member id, then forms generation 1', async () => {
    const id = await memberId();
    expect(id).toMatch(/^client-/);
    const joined = await coordinator.join(joinRequest({ memberId: id }));
    expect(joined).toMatchObject({
      errorCode: E.NONE,
      generationId: 1,
      leader: id,
      memberId: id,
      protocolName: 'range',
    });
    expect(joined.members.map((m) => m.memberId)).toEqual([id]);
    expect(coordinator.groupState('g')).toBe('CompletingRebalance');
  });

  it('gives a pre-v4 first join a member id at once', async () => {
    const joined = await coordinator.join(joinRequest({ requireKnownMemberId: false }));
    expect(joined.errorCode).toBe(E.NONE);
    expect(joined.memberId).not.toBe('');
  });

  it('waits for every known member to rejoin, makes the first member leader and relays the assignment', async () => {
    const a = await memberId();
    const first = await coordinator.join(joinRequest({ memberId: a }));
    expect(first.generationId).toBe(1);
    const b = await memberId();
    const joinB = track(coordinator.join(joinRequest({ memberId: b })));
    await flush();
    expect(joinB.done).toBe(false); // a has not rejoined yet
    expect(coordinator.groupState('g')).toBe('PreparingRebalance');
    // a learns about the rebalance from its heartbeat... (its generation 1 is still current)
    expect(
      coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }),
    ).toBe(E.REBALANCE_IN_PROGRESS);
    const rejoinA = await coordinator.join(joinRequest({ memberId: a }));
    await flush();
    expect(joinB.done).toBe(true);
    expect(rejoinA).toMatchObject({ errorCode: E.NONE, generationId: 2, leader: a });
    expect(rejoinA.members.map((m) => m.memberId)).toEqual([a, b]);
    expect(joinB.value).toMatchObject({
      errorCode: E.NONE,
      generationId: 2,
      leader: a,
      members: [],
    });

    // The follower's SyncGroup waits for the leader's, then receives exactly what the leader sent.
    const syncB = track(
      coordinator.sync({
        groupId: 'g',
        generationId: 2,
        memberId: b,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [],
      }),
    );
    await flush();
    expect(syncB.done).toBe(false);
    const syncA = await coordinator.sync({
      groupId: 'g',
      generationId: 2,
      memberId: a,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [
        { memberId: a, assignment: Buffer.from('A') },
        { memberId: b, assignment: Buffer.from('B') },
      ],
    });
    await flush();
    expect(syncA.assignment.toString()).toBe('A');
    expect((syncB.value as SyncResult).assignment.toString()).toBe('B');
    expect(coordinator.groupState('g')).toBe('Stable');
    expect(
      coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: b, groupInstanceId: null }),
    ).toBe(E.NONE);
  });

  it('selects the protocol every member supports by vote and rejects a member with none in common', async () => {
    const a = await memberId({
      protocols: [
        { name: 'cooperative-sticky', metadata: Buffer.from('a1') },
        { name: 'range', metadata: Buffer.from('a2') },
      ],
    });
    const b = await memberId({ protocols: [{ name: 'range', metadata: Buffer.from('b') }] });
    const joins = [
      track(
        coordinator.join(
          joinRequest({
            memberId: a,
            protocols: [
              { name: 'cooperative-sticky', metadata: Buffer.from('a1') },
              { name: 'range', metadata: Buffer.from('a2') },
            ],
          }),
        ),
      ),
      track(
        coordinator.join(
          joinRequest({ memberId: b, protocols: [{ name: 'range', metadata: Buffer.from('b') }] }),
        ),
      ),
    ];
    await flush();
    expect(joins.every((j) => j.done)).toBe(true);
    const leader = joins
      .map((j) => j.value as JoinResult)
      .find((r) => r.members.length > 0) as JoinResult;
    expect(leader.protocolName).toBe('range');
    // The leader gets each member's metadata for the chosen protocol only.
    expect(leader.members.map((m) => m.metadata.toString())).toEqual(['a2', 'b']);

    const stranger = await coordinator.join(
      joinRequest({ protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }),
    );
    expect(stranger.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    const otherType = await coordinator.join(joinRequest({ protocolType: 'connect' }));
    expect(otherType.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('fences stale generations and unknown members with ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID', async () => {
    const { ids, generationId } = await stableGroup(2);
    const ref = { groupId: 'g', memberId: ids[0], groupInstanceId: null };
    expect(coordinator.heartbeat({ ...ref, generationId: generationId - 1 })).toBe(
      E.ILLEGAL_GENERATION,
    );
    expect(coordinator.heartbeat({ ...ref, generationId, memberId: 'nobody' })).toBe(
      E.UNKNOWN_MEMBER_ID,
    );
    expect(coordinator.heartbeat({ ...ref, generationId, groupId: 'other' })).toBe(
      E.UNKNOWN_MEMBER_ID,
    );
    const sync = await coordinator.sync({
      ...ref,
      generationId: generationId + 1,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    expect(sync.errorCode).toBe(E.ILLEGAL_GENERATION);
    const wrongProtocol = await coordinator.sync({
      ...ref,
      generationId,
      protocolType: 'consumer',
      protocolName: 'roundrobin',
      assignments: [],
    });
    expect(wrongProtocol.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
    const unknownJoin = await coordinator.join(joinRequest({ memberId: 'nobody' }));
    expect(unknownJoin.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('rejects session timeouts outside the configured bounds', async () => {
    expect((await coordinator.join(joinRequest({ sessionTimeoutMs: 10 }))).errorCode).toBe(
      E.INVALID_SESSION_TIMEOUT,
    );
    expect((await coordinator.join(joinRequest({ groupId: '' }))).errorCode).toBe(
      E.INVALID_GROUP_ID,
    );
  });

  it('removes a member whose session expires and rebalances the others', async () => {
    const { ids, generationId } = await stableGroup(3);
    // Two members keep heartbeating; the third went silent.
    clock += SESSION - 1;
    for (const id of ids.slice(0, 2)) {
      expect(
        coordinator.heartbeat({ groupId: 'g', generationId, memberId: id, groupInstanceId: null }),
      ).toBe(E.NONE);
    }
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Stable');
    clock += 2;
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('PreparingRebalance');
    expect(
      coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: ids[2],
        groupInstanceId: null,
      }),
    ).toBe(E.UNKNOWN_MEMBER_ID);
    const rejoins = ids.slice(0, 2).map((id) => coordinator.join(joinRequest({ memberId: id })));
    const results = await Promise.all(rejoins);
    expect(results.map((r) => r.generationId)).toEqual([generationId + 1, generationId + 1]);
    const leader = results.find((r) => r.members.length > 0) as JoinResult;
    expect(leader.members.map((m) => m.memberId).sort()).toEqual(ids.slice(0, 2).sort());
  });

  it('kicks members that do not rejoin within the rebalance timeout', async () => {
    const { ids, generationId } = await stableGroup(2);
    const rejoin = track(
      coordinator.join(
        joinRequest({
          memberId: ids[0],
          protocols: [{ name: 'range', metadata: Buffer.from('changed') }],
        }),
      ),
    );
    await flush();
    expect(rejoin.done).toBe(false);
    // ids[1] keeps heartbeating (so its session never expires) but never rejoins.
    for (let t = 0; t < REBALANCE; t += SESSION / 2) {
      clock += SESSION / 2;
      coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: ids[1],
        groupInstanceId: null,
      });
      coordinator.tick(clock);
    }
    clock += 1;
    coordinator.tick(clock);
    await flush();
    expect(rejoin.value).toMatchObject({
      errorCode: E.NONE,
      generationId: generationId + 1,
      leader: ids[0],
    });
    expect((rejoin.value as JoinResult).members.map((m) => m.memberId)).toEqual([ids[0]]);
  });

  it('removes a leaving member at once and rebalances (LeaveGroup)', async () => {
    const { ids, generationId } = await stableGroup(2);
    const left = coordinator.leave('g', [{ memberId: ids[1], groupInstanceId: null }]);
    expect(left.members).toEqual([{ memberId: ids[1], groupInstanceId: null, errorCode: E.NONE }]);
    expect(coordinator.groupState('g')).toBe('PreparingRebalance');
    const rejoin = await coordinator.join(joinRequest({ memberId: ids[0] }));
    expect(rejoin).toMatchObject({ errorCode: E.NONE, generationId: generationId + 1 });
    expect(
      coordinator.leave('g', [{ memberId: 'nobody', groupInstanceId: null }]).members[0].errorCode,
    ).toBe(E.UNKNOWN_MEMBER_ID);
    // The last member leaving empties the group.
    coordinator.leave('g', [{ memberId: ids[0], groupInstanceId: null }]);
    expect(coordinator.groupState('g')).toBe('Empty');
  });

  it('removes a group that stayed empty without committed offsets, keeping ones with offsets', async () => {
    const { ids } = await stableGroup(1);
    coordinator.leave('g', [{ memberId: ids[0], groupInstanceId: null }]);
    coordinator.commitOffsets({
      groupId: 'kept',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 3,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    clock += 59_000;
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Empty');
    clock += 1_000;
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Dead');
    expect(coordinator.listGroups().map((g) => g.groupId)).toEqual(['kept']);
    coordinator.close();
    coordinator = open();
    expect(coordinator.listGroups().map((g) => g.groupId)).toEqual(['kept']);
  });

  it('answers a follower waiting in SyncGroup with REBALANCE_IN_PROGRESS when a member leaves meanwhile', async () => {
    const a = await memberId();
    await coordinator.join(joinRequest({ memberId: a }));
    const b = await memberId();
    const joinB = coordinator.join(joinRequest({ memberId: b }));
    const [ja, jb] = await Promise.all([coordinator.join(joinRequest({ memberId: a })), joinB]);
    const follower = ja.members.length > 0 ? jb : ja;
    const sync = track(
      coordinator.sync({
        groupId: 'g',
        generationId: follower.generationId,
        memberId: follower.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      }),
    );
    await flush();
    expect(sync.done).toBe(false);
    coordinator.leave('g', [{ memberId: ja.members.length > 0 ? a : b, groupInstanceId: null }]);
    await flush();
    expect(sync.value?.errorCode).toBe(E.REBALANCE_IN_PROGRESS);
  });

  it('starts over when the leader never sends its SyncGroup', async () => {
    const a = await memberId();
    const joined = await coordinator.join(joinRequest({ memberId: a }));
    expect(coordinator.groupState('g')).toBe('CompletingRebalance');
    clock += REBALANCE + 1;
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Empty');
    expect(
      coordinator.heartbeat({
        groupId: 'g',
        generationId: joined.generationId,
        memberId: a,
        groupInstanceId: null,
      }),
    ).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('holds the first generation for group.initial.rebalance.delay.ms so a burst of members lands in it', async () => {
    coordinator.close();
    coordinator = new GroupCoordinator({
      store: OffsetsTopicStore.open(logs),
      partitionCount: (topic) => logs.getTopic(topic)?.partitionCount,
      tickIntervalMs: null,
      now: () => clock,
      initialRebalanceDelayMs: 3000,
    });
    const a = await memberId();
    const joinA = track(coordinator.join(joinRequest({ memberId: a })));
    clock += 2000;
    const b = await memberId();
    const joinB = track(coordinator.join(joinRequest({ memberId: b })));
    coordinator.tick(clock);
    await flush();
    expect(joinA.done || joinB.done).toBe(false);
    clock += 3001;
    coordinator.tick(clock);
    await flush();
    expect(joinA.value?.generationId).toBe(1);
    expect(joinB.value?.generationId).toBe(1);
  });

  it('answers parked JoinGroup requests with NOT_COORDINATOR on close', async () => {
    const { ids } = await stableGroup(2);
    const rejoin = track(
      coordinator.join(
        joinRequest({
          memberId: ids[0],
          protocols: [{ name: 'range', metadata: Buffer.from('x') }],
        }),
      ),
    );
    coordinator.close();
    await flush();
    expect(rejoin.value?.errorCode).toBe(E.NOT_COORDINATOR);
  });
});

describe('GroupCoordinator static membership', () => {
  it('lets a restarted static member take over its instance without a rebalance, fencing the old id', async () => {
    const a = await coordinator.join(joinRequest({ groupInstanceId: 'instance-a' }));
    expect(a.errorCode).toBe(E.NONE); // static members skip MEMBER_ID_REQUIRED
    const b = track(coordinator.join(joinRequest({ groupInstanceId: 'instance-b' })));
    await flush();
    const rejoinA = await coordinator.join(
      joinRequest({ memberId: a.memberId, groupInstanceId: 'instance-a' }),
    );
    await flush();
    const bResult = b.value as JoinResult;
    const generationId = rejoinA.generationId;
    const leader = rejoinA.members.length > 0 ? rejoinA : bResult;
    await Promise.all(
      [rejoinA, bResult].map((r) =>
        coordinator.sync({
          groupId: 'g',
          generationId,
          memberId: r.memberId,
          groupInstanceId: r === rejoinA ? 'instance-a' : 'instance-b',
          protocolType: null,
          protocolName: null,
          assignments:
            r === leader
              ? [
                  { memberId: rejoinA.memberId, assignment: Buffer.from('A') },
                  { memberId: bResult.memberId, assignment: Buffer.from('B') },
                ]
              : [],
        }),
      ),
    );
    expect(coordinator.groupState('g')).toBe('Stable');
    const follower =
      leader === rejoinA
        ? { r: bResult, instance: 'instance-b', assignment: 'B' }
        : { r: rejoinA, instance: 'instance-a', assignment: 'A' };

    // The follower's process restarts: new join with an empty member id, same instance id.
    const restarted = await coordinator.join(joinRequest({ groupInstanceId: follower.instance }));
    expect(restarted.errorCode).toBe(E.NONE);
    expect(restarted.memberId).not.toBe(follower.r.memberId);
    expect(restarted.generationId).toBe(generationId);
    expect(coordinator.groupState('g')).toBe('Stable');
    const sync = await coordinator.sync({
      groupId: 'g',
      generationId,
      memberId: restarted.memberId,
      groupInstanceId: follower.instance,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    expect(sync.assignment.toString()).toBe(follower.assignment);
    // The old incarnation is fenced.
    expect(
      coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: follower.r.memberId,
        groupInstanceId: follower.instance,
      }),
    ).toBe(E.FENCED_INSTANCE_ID);
    const commit = coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: follower.r.memberId,
      groupInstanceId: follower.instance,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(commit[0].partitions[0].errorCode).toBe(E.FENCED_INSTANCE_ID);
    // An admin can remove a static member by instance id alone (LeaveGroup v3+).
    const removed = coordinator.leave('g', [{ memberId: '', groupInstanceId: follower.instance }]);
    expect(removed.members[0].errorCode).toBe(E.NONE);
    expect(coordinator.groupState('g')).toBe('PreparingRebalance');
  });
});

describe('GroupCoordinator offsets', () => {
  const commitOf = (offset: number, partitionIndex = 0, topic = 'orders') => [
    {
      name: topic,
      partitions: [
        {
          partitionIndex,
          committedOffset: offset,
          committedLeaderEpoch: 0,
          committedMetadata: 'meta',
        },
      ],
    },
  ];

  it('accepts commits from members of the current generation only', async () => {
    const { ids, generationId } = await stableGroup(2);
    const ok = coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: ids[0],
      groupInstanceId: null,
      topics: commitOf(42),
    });
    expect(ok[0].partitions[0].errorCode).toBe(E.NONE);
    const stale = coordinator.commitOffsets({
      groupId: 'g',
      generationId: generationId - 1,
      memberId: ids[0],
      groupInstanceId: null,
      topics: commitOf(43),
    });
    expect(stale[0].partitions[0].errorCode).toBe(E.ILLEGAL_GENERATION);
    const stranger = coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: 'x',
      groupInstanceId: null,
      topics: commitOf(44),
    });
    expect(stranger[0].partitions[0].errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    const simpleOnLiveGroup = coordinator.commitOffsets({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: commitOf(45),
    });
    expect(simpleOnLiveGroup[0].partitions[0].errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    const unknownTopic = coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: ids[0],
      groupInstanceId: null,
      topics: commitOf(1, 0, 'nope'),
    });
    expect(unknownTopic[0].partitions[0].errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);
    const tooLarge = coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: ids[0],
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: 'x'.repeat(5000),
            },
          ],
        },
      ],
    });
    expect(tooLarge[0].partitions[0].errorCode).toBe(E.OFFSET_METADATA_TOO_LARGE);
    expect(
      coordinator.fetchOffsets('g', [{ name: 'orders', partitionIndexes: [0, 1] }]).topics[0]
        .partitions,
    ).toEqual([
      {
        partitionIndex: 0,
        committedOffset: 42,
        committedLeaderEpoch: 0,
        metadata: 'meta',
        errorCode: E.NONE,
      },
      {
        partitionIndex: 1,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: E.NONE,
      },
    ]);
  });

  it('accepts commits during PreparingRebalance but not during CompletingRebalance', async () => {
    const { ids, generationId } = await stableGroup(2);
    const rejoin = track(coordinator.join(joinRequest({ memberId: ids[0] })));
    expect(coordinator.groupState('g')).toBe('PreparingRebalance');
    const revoking = coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: ids[1],
      groupInstanceId: null,
      topics: commitOf(7),
    });
    expect(revoking[0].partitions[0].errorCode).toBe(E.NONE);
    const joinB = await coordinator.join(joinRequest({ memberId: ids[1] }));
    await flush();
    expect(rejoin.done).toBe(true);
    expect(coordinator.groupState('g')).toBe('CompletingRebalance');
    const inFlux = coordinator.commitOffsets({
      groupId: 'g',
      generationId: joinB.generationId,
      memberId: ids[1],
      groupInstanceId: null,
      topics: commitOf(8),
    });
    expect(inFlux[0].partitions[0].errorCode).toBe(E.REBALANCE_IN_PROGRESS);
  });

  it('takes standalone commits (generation -1) for groups without members and lists every offset when topics is null', () => {
    const res = coordinator.commitOffsets({
      groupId: 'standalone',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...commitOf(5, 3), ...commitOf(9, 1, 'payments')],
    });
    expect(res.flatMap((t) => t.partitions.map((p) => p.errorCode))).toEqual([E.NONE, E.NONE]);
    const all = coordinator.fetchOffsets('standalone', null);
    expect(all.topics).toEqual([
      {
        name: 'orders',
        partitions: [
          {
            partitionIndex: 3,
            committedOffset: 5,
            committedLeaderEpoch: 0,
            metadata: 'meta',
            errorCode: E.NONE,
          },
        ],
      },
      {
        name: 'payments',
        partitions: [
          {
            partitionIndex: 1,
            committedOffset: 9,
            committedLeaderEpoch: 0,
            metadata: 'meta',
            errorCode: E.NONE,
          },
        ],
      },
    ]);
    expect(coordinator.listGroups().map((g) => [g.groupId, g.groupState, g.protocolType])).toEqual([
      ['standalone', 'Empty', ''],
    ]);
    // A member commit to a group that does not exist is refused rather than creating it.
    const ghost = coordinator.commitOffsets({
      groupId: 'ghost',
      generationId: 3,
      memberId: 'm',
      groupInstanceId: null,
      topics: commitOf(1),
    });
    expect(ghost[0].partitions[0].errorCode).toBe(E.ILLEGAL_GENERATION);
  });

  it('restores committed offsets and deletions from __consumer_offsets after a restart', async () => {
    coordinator.commitOffsets({
      groupId: 'kept',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...commitOf(100, 0), ...commitOf(200, 5)],
    });
    coordinator.commitOffsets({
      groupId: 'kept',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: commitOf(150, 0),
    });
    coordinator.commitOffsets({
      groupId: 'dropped',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: commitOf(1),
    });
    expect(coordinator.deleteGroups(['dropped'])).toEqual([
      { groupId: 'dropped', errorCode: E.NONE },
    ]);
    coordinator.deleteOffsets('kept', [{ name: 'orders', partitions: [5] }]);
    const { generationId, ids } = await stableGroup(1);

    coordinator.close();
    await logs.close();
    logs = await LogManager.open({ logDir: dir, defaults: {} });
    expect(logs.getTopic(OFFSETS_TOPIC)?.config.cleanupPolicy).toBe('compact');
    coordinator = open();

    expect(coordinator.fetchOffsets('kept', null).topics).toEqual([
      {
        name: 'orders',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 150,
            committedLeaderEpoch: 0,
            metadata: 'meta',
            errorCode: E.NONE,
          },
        ],
      },
    ]);
    expect(coordinator.fetchOffsets('dropped', null).topics).toEqual([]);
    // The Stable generation survives too: the live member carries on with its id and generation.
    expect(coordinator.groupState('g')).toBe('Stable');
    const ref = { groupId: 'g', generationId, memberId: ids[0], groupInstanceId: null };
    expect(coordinator.heartbeat(ref)).toBe(E.NONE);
    const sync = await coordinator.sync({
      ...ref,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    expect(sync.assignment.toString()).toBe(`for ${ids[0]}`);
    expect(
      coordinator.commitOffsets({ ...ref, topics: commitOf(3) })[0].partitions[0].errorCode,
    ).toBe(E.NONE);
  });

  it('expires restored members that do not come back after a restart', async () => {
    const { generationId } = await stableGroup(2);
    coordinator.close();
    coordinator = open();
    expect(coordinator.groupState('g')).toBe('Stable');
    clock += SESSION + 1;
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Empty');
    coordinator.close();
    coordinator = open();
    expect(coordinator.groupState('g')).toBe('Empty');
    const id = await memberId();
    const joined = await coordinator.join(joinRequest({ memberId: id }));
    expect(joined.generationId).toBe(generationId + 2);
  });
});

describe('GroupCoordinator administration', () => {
  it('lists groups, filtered by state (case-insensitive) and type', async () => {
    await stableGroup(1);
    coordinator.commitOffsets({
      groupId: 'idle',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    expect(
      coordinator
        .listGroups()
        .map((g) => g.groupId)
        .sort(),
    ).toEqual(['g', 'idle']);
    expect(coordinator.listGroups(['stable']).map((g) => g.groupId)).toEqual(['g']);
    expect(coordinator.listGroups(['Empty']).map((g) => g.groupId)).toEqual(['idle']);
    expect(coordinator.listGroups([], ['consumer'])).toEqual([]);
    expect(coordinator.listGroups([], ['classic'])).toHaveLength(2);
  });

  it('describes a stable group with member metadata and assignments, and an unknown group as Dead', async () => {
    const { ids } = await stableGroup(2);
    const d = coordinator.describeGroup('g');
    expect(d).toMatchObject({
      errorCode: E.NONE,
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
    });
    expect(d.members.map((m) => [m.memberId, m.clientHost, m.memberAssignment.toString()])).toEqual(
      ids.map((id) => [id, '/127.0.0.1', `for ${id}`]),
    );
    expect(coordinator.describeGroup('unknown')).toMatchObject({
      errorCode: E.NONE,
      groupState: 'Dead',
      members: [],
    });
  });

  it('deletes only empty groups (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND)', async () => {
    const { ids } = await stableGroup(1);
    expect(coordinator.deleteGroups(['g', 'missing', ''])).toEqual([
      { groupId: 'g', errorCode: E.NON_EMPTY_GROUP },
      { groupId: 'missing', errorCode: E.GROUP_ID_NOT_FOUND },
      { groupId: '', errorCode: E.INVALID_GROUP_ID },
    ]);
    coordinator.leave('g', [{ memberId: ids[0], groupInstanceId: null }]);
    expect(coordinator.deleteGroups(['g'])).toEqual([{ groupId: 'g', errorCode: E.NONE }]);
    expect(coordinator.describeGroup('g').groupState).toBe('Dead');
  });

  it('refuses to delete offsets of topics the live group subscribes to (GROUP_SUBSCRIBED_TO_TOPIC)', async () => {
    const { ids, generationId } = await stableGroup(1); // subscribed to "orders"
    coordinator.commitOffsets({
      groupId: 'g',
      generationId,
      memberId: ids[0],
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 3,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
        {
          name: 'payments',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 4,
              committedLeaderEpoch: -1,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    const res = coordinator.deleteOffsets('g', [
      { name: 'orders', partitions: [0] },
      { name: 'payments', partitions: [0] },
    ]);
    expect(res).toEqual({
      errorCode: E.NONE,
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }],
        },
        { name: 'payments', partitions: [{ partitionIndex: 0, errorCode: E.NONE }] },
      ],
    });
    expect(coordinator.fetchOffsets('g', null).topics.map((t) => t.name)).toEqual(['orders']);
    expect(coordinator.deleteOffsets('missing', []).errorCode).toBe(E.GROUP_ID_NOT_FOUND);
  });
});
