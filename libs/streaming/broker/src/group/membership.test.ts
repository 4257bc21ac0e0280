// Membership and rebalances (membership.ts, rebalance.ts, expiry.ts), static membership included.
import { describe, expect, it } from 'vitest';
import { ErrorCode as E } from '../errors/index.ts';
import type { JoinResult, SyncResult } from './consumer-group.ts';
import {
  REBALANCE,
  SESSION,
  advanceClock,
  clock,
  coordinator,
  flush,
  joinRequest,
  memberId,
  reopen,
  stableGroup,
  track,
  useCoordinatorFixture,
} from './test-support/coordinator-fixture.ts';

useCoordinatorFixture();

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
    advanceClock(SESSION - 1);
    for (const id of ids.slice(0, 2)) {
      expect(
        coordinator.heartbeat({ groupId: 'g', generationId, memberId: id, groupInstanceId: null }),
      ).toBe(E.NONE);
    }
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Stable');
    advanceClock(2);
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
      advanceClock(SESSION / 2);
      coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: ids[1],
        groupInstanceId: null,
      });
      coordinator.tick(clock);
    }
    advanceClock(1);
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
    advanceClock(59_000);
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Empty');
    advanceClock(1_000);
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Dead');
    expect(coordinator.listGroups().map((g) => g.groupId)).toEqual(['kept']);
    coordinator.close();
    reopen();
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
    advanceClock(REBALANCE + 1);
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
    reopen({ initialRebalanceDelayMs: 3000 });
    const a = await memberId();
    const joinA = track(coordinator.join(joinRequest({ memberId: a })));
    advanceClock(2000);
    const b = await memberId();
    const joinB = track(coordinator.join(joinRequest({ memberId: b })));
    coordinator.tick(clock);
    await flush();
    expect(joinA.done || joinB.done).toBe(false);
    advanceClock(3001);
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
