// Committed offsets (offsets.ts): who may commit when, standalone commits, OffsetFetch.
import { describe, expect, it } from 'vitest';
import { ErrorCode as E } from '../errors/index.ts';
import {
  commitOf,
  coordinator,
  flush,
  joinRequest,
  stableGroup,
  track,
  useCoordinatorFixture,
} from './test-support/coordinator-fixture.ts';

useCoordinatorFixture();

describe('GroupCoordinator offsets', () => {
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
});
