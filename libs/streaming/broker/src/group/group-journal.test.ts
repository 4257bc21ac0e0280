// Persistence (group-journal.ts): what survives a restart of the coordinator.
import { describe, expect, it } from 'vitest';
import { ErrorCode as E } from '../errors/index.ts';
import { OFFSETS_TOPIC } from './offsets-topic.ts';
import {
  SESSION,
  advanceClock,
  clock,
  commitOf,
  coordinator,
  joinRequest,
  logs,
  memberId,
  reopen,
  restartLogs,
  stableGroup,
  useCoordinatorFixture,
} from './test-support/coordinator-fixture.ts';

useCoordinatorFixture();

describe('GroupCoordinator after a restart', () => {
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
    await restartLogs();
    expect(logs.getTopic(OFFSETS_TOPIC)?.config.cleanupPolicy).toBe('compact');
    reopen();

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
    reopen();
    expect(coordinator.groupState('g')).toBe('Stable');
    advanceClock(SESSION + 1);
    coordinator.tick(clock);
    expect(coordinator.groupState('g')).toBe('Empty');
    coordinator.close();
    reopen();
    expect(coordinator.groupState('g')).toBe('Empty');
    const id = await memberId();
    const joined = await coordinator.join(joinRequest({ memberId: id }));
    expect(joined.generationId).toBe(generationId + 2);
  });
});
