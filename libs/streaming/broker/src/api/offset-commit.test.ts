// OffsetCommit and OffsetFetch through the real server and codecs, every version family: v0
// (standalone), v1 (commit timestamp), v2-4 (retention), v7 (instance id), v8+ flexible and
// multi-group fetches.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSubscription } from '../group/index.ts';
import type { OffsetCommitRequest } from '../protocol/index.ts';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import type { WireClient } from './test-support/wire-client.ts';

const COMMIT = 8;
const FETCH = 9;
const JOIN = 11;

let t: TestBroker;
let c: WireClient;

beforeEach(async () => {
  t = await startTestBroker();
  t.broker.logs.createTopic('orders', 3);
  c = await t.connect();
});

afterEach(async () => {
  await t.close();
});

function commitBody(
  group: string,
  offsets: Array<[number, number]>,
  member = { generation: -1, memberId: '' },
) {
  return {
    groupId: group,
    generationIdOrMemberEpoch: member.generation,
    memberId: member.memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: 'orders',
        partitions: offsets.map(([partitionIndex, offset]) => ({
          partitionIndex,
          committedOffset: BigInt(offset),
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: `m${offset}`,
        })),
      },
    ],
  };
}

const fetchTopics = (partitions: number[]) => [{ name: 'orders', partitionIndexes: partitions }];

describe('OffsetCommit / OffsetFetch', () => {
  it.each([0, 1, 2, 3, 5, 6, 7, 8, 9])(
    'commits standalone offsets (v%i) and fetches them back at every version',
    async (version) => {
      const group = `standalone-v${version}`;
      const res = await c.send(
        COMMIT,
        version,
        commitBody(group, [
          [0, 10],
          [2, 30],
        ]),
      );
      expect(res.topics).toEqual([
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 2, errorCode: 0 },
          ],
        },
      ]);
      for (const fetchVersion of [0, 1, 3, 5, 7]) {
        const fetched = await c.send(FETCH, fetchVersion, {
          groupId: group,
          topics: fetchTopics([0, 1, 2]),
          requireStable: false,
        });
        expect(
          fetched.topics?.[0].partitions.map((p) => [
            p.partitionIndex,
            p.committedOffset,
            p.metadata,
            p.errorCode,
          ]),
        ).toEqual([
          [0, 10n, 'm10', 0],
          [1, -1n, '', 0],
          [2, 30n, 'm30', 0],
        ]);
      }
    },
  );

  it('fetches every committed partition when topics is null (v2+) and several groups at once (v8+)', async () => {
    await c.send(COMMIT, 2, commitBody('g1', [[1, 5]]));
    await c.send(
      COMMIT,
      8,
      commitBody('g2', [
        [0, 7],
        [2, 9],
      ]),
    );
    const all = await c.send(FETCH, 2, { groupId: 'g1', topics: null });
    expect(all).toMatchObject({
      errorCode: 0,
      topics: [
        {
          name: 'orders',
          partitions: [expect.objectContaining({ partitionIndex: 1, committedOffset: 5n })],
        },
      ],
    });

    const multi = await c.send(FETCH, 8, {
      groups: [
        { groupId: 'g1', topics: fetchTopics([1]) },
        { groupId: 'g2', topics: null },
        { groupId: 'nobody', topics: fetchTopics([0]) },
      ],
      requireStable: true,
    });
    const summary = multi.groups?.map((g) => [
      g.groupId,
      g.errorCode,
      g.topics.flatMap((tp) => tp.partitions.map((p) => [p.partitionIndex, p.committedOffset])),
    ]);
    expect(summary).toEqual([
      ['g1', 0, [[1, 5n]]],
      [
        'g2',
        0,
        [
          [0, 7n],
          [2, 9n],
        ],
      ],
      ['nobody', 0, [[0, -1n]]],
    ]);
  });

  it('checks generation and member of a live group, and rejects unknown partitions', async () => {
    let joined = await c.send(JOIN, 5, {
      groupId: 'live',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscription(['orders']) }],
    });
    joined = await c.send(JOIN, 5, {
      groupId: 'live',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: joined.memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: encodeSubscription(['orders']) }],
    });
    await c.send(14, 3, {
      groupId: 'live',
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      assignments: [],
    });
    const member = { generation: joined.generationId, memberId: joined.memberId };
    const codes = async (version: number, body: OffsetCommitRequest) =>
      (await c.send(COMMIT, version, body)).topics.flatMap((tp) =>
        tp.partitions.map((p) => p.errorCode),
      );

    expect(await codes(7, commitBody('live', [[0, 1]], member))).toEqual([0]);
    expect(
      await codes(
        7,
        commitBody('live', [[0, 1]], { ...member, generation: member.generation + 1 }),
      ),
    ).toEqual([22]);
    expect(
      await codes(7, commitBody('live', [[0, 1]], { ...member, memberId: 'stranger' })),
    ).toEqual([25]);
    expect(await codes(9, commitBody('live', [[7, 1]], member))).toEqual([3]);
    // A standalone commit cannot write into a group that has members.
    expect(await codes(2, commitBody('live', [[0, 1]]))).toEqual([25]);
  });
});
