// The coordinator as a whole: ListGroups, DescribeGroups, DeleteGroups, OffsetDelete.
import { describe, expect, it } from 'vitest';
import { ErrorCode as E } from '../errors/index.ts';
import {
  SESSION,
  advanceClock,
  commitOf,
  coordinator,
  stableGroup,
  useCoordinatorFixture,
} from './test-support/coordinator-fixture.ts';

useCoordinatorFixture();

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

describe('GroupCoordinator session expiry is exact', () => {
  // No tick runs in these tests (the fixture's coordinator has no timer): every answer must already
  // account for a session that ran out, as librdkafka's admin test expects of DeleteGroups.
  it('lets DeleteGroups through 8 ms after the last member session ran out', async () => {
    const { ids, generationId } = await stableGroup(1);
    const ref = { groupId: 'g', generationId, memberId: ids[0], groupInstanceId: null };
    expect(
      coordinator.commitOffsets({ ...ref, topics: commitOf(5) })[0].partitions[0].errorCode,
    ).toBe(E.NONE);
    advanceClock(SESSION - 1);
    expect(coordinator.deleteGroups(['g'])).toEqual([
      { groupId: 'g', errorCode: E.NON_EMPTY_GROUP },
    ]);
    advanceClock(1 + 8);
    expect(coordinator.deleteGroups(['g'])).toEqual([{ groupId: 'g', errorCode: E.NONE }]);
  });

  it('answers Heartbeat, DescribeGroups and ListGroups as of the expiry, without a tick', async () => {
    const { ids, generationId } = await stableGroup(2);
    advanceClock(SESSION / 2);
    // The second member keeps its session alive; the first stays silent.
    expect(
      coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: ids[1],
        groupInstanceId: null,
      }),
    ).toBe(E.NONE);
    advanceClock(SESSION / 2);
    expect(coordinator.describeGroup('g').members.map((m) => m.memberId)).toEqual([ids[1]]);
    expect(coordinator.listGroups().find((g) => g.groupId === 'g')?.groupState).toBe(
      'PreparingRebalance',
    );
    expect(
      coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: ids[0],
        groupInstanceId: null,
      }),
    ).toBe(E.UNKNOWN_MEMBER_ID);
  });
});
