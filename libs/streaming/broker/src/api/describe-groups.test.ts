// ListGroups, DescribeGroups, DeleteGroups and OffsetDelete through the real server and codecs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSubscription } from '../group/index.ts';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import type { WireClient } from './test-support/wire-client.ts';

const COMMIT = 8;
const JOIN = 11;
const LEAVE = 13;
const SYNC = 14;
const DESCRIBE = 15;
const LIST = 16;
const DELETE_GROUPS = 42;
const OFFSET_DELETE = 47;

let t: TestBroker;
let c: WireClient;
let memberId: string;

beforeEach(async () => {
  t = await startTestBroker();
  t.broker.logs.createTopic('orders', 2);
  t.broker.logs.createTopic('refunds', 1);
  c = await t.connect();
  // A stable one-member group "live" subscribed to orders, and an offsets-only group "idle".
  const body = {
    groupId: 'live',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['orders']) }],
  };
  const first = await c.send(JOIN, 5, body);
  const joined = await c.send(JOIN, 5, { ...body, memberId: first.memberId });
  memberId = joined.memberId;
  await c.send(SYNC, 3, {
    groupId: 'live',
    generationId: joined.generationId,
    memberId,
    groupInstanceId: null,
    assignments: [{ memberId, assignment: Buffer.from('assigned') }],
  });
  const commit = (topic: string) => ({
    name: topic,
    partitions: [
      { partitionIndex: 0, committedOffset: 4n, committedLeaderEpoch: -1, committedMetadata: null },
    ],
  });
  await c.send(COMMIT, 7, {
    groupId: 'live',
    generationIdOrMemberEpoch: joined.generationId,
    memberId,
    groupInstanceId: null,
    topics: [commit('orders'), commit('refunds')],
  });
  await c.send(COMMIT, 2, {
    groupId: 'idle',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    retentionTimeMs: -1n,
    topics: [commit('orders')],
  });
});

afterEach(async () => {
  await t.close();
});

describe('ListGroups', () => {
  it.each([0, 1, 2, 3])('lists every group with its protocol type (v%i)', async (version) => {
    const res = await c.send(LIST, version, {});
    const groups = res.groups.map((g) => [g.groupId, g.protocolType]).sort();
    expect(groups).toEqual([
      ['idle', ''],
      ['live', 'consumer'],
    ]);
  });

  it('filters by state (v4) and by type (v5)', async () => {
    const stable = await c.send(LIST, 4, { statesFilter: ['Stable'] });
    expect(stable.groups).toEqual([
      expect.objectContaining({ groupId: 'live', protocolType: 'consumer', groupState: 'Stable' }),
    ]);
    const empty = await c.send(LIST, 4, { statesFilter: ['empty'] });
    expect(empty.groups.map((g) => g.groupId)).toEqual(['idle']);
    const classic = await c.send(LIST, 5, { statesFilter: [], typesFilter: ['classic'] });
    expect(classic.groups.map((g) => [g.groupId, g.groupType]).sort()).toEqual([
      ['idle', 'classic'],
      ['live', 'classic'],
    ]);
    const modern = await c.send(LIST, 5, { statesFilter: [], typesFilter: ['consumer'] });
    expect(modern.groups).toEqual([]);
  });
});

describe('DescribeGroups', () => {
  it.each([0, 1, 3, 4, 5])(
    'describes members, metadata and assignments of a stable group (v%i)',
    async (version) => {
      const res = await c.send(DESCRIBE, version, {
        groups: ['live', 'nobody'],
        includeAuthorizedOperations: version >= 3,
      });
      const [live, nobody] = res.groups;
      expect(live).toMatchObject({
        errorCode: 0,
        groupId: 'live',
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'range',
      });
      expect(live.members).toEqual([
        expect.objectContaining({
          memberId,
          clientId: 'wire-client',
          clientHost: '/127.0.0.1',
          memberMetadata: encodeSubscription(['orders']),
          memberAssignment: Buffer.from('assigned'),
        }),
      ]);
      if (version >= 3) expect(live.authorizedOperations).toBeGreaterThan(0);
      expect(nobody).toMatchObject({
        errorCode: 0,
        groupId: 'nobody',
        groupState: 'Dead',
        members: [],
      });
    },
  );
});

describe('DeleteGroups', () => {
  it.each([0, 1, 2])('deletes empty groups only (v%i)', async (version) => {
    const res = await c.send(DELETE_GROUPS, version, { groupsNames: ['live', 'idle', 'nobody'] });
    expect(res.results).toEqual([
      { groupId: 'live', errorCode: 68 },
      { groupId: 'idle', errorCode: 0 },
      { groupId: 'nobody', errorCode: 69 },
    ]);
    await c.send(LEAVE, 3, { groupId: 'live', members: [{ memberId, groupInstanceId: null }] });
    const again = await c.send(DELETE_GROUPS, version, { groupsNames: ['live'] });
    expect(again.results).toEqual([{ groupId: 'live', errorCode: 0 }]);
    const listed = await c.send(LIST, 0, {});
    expect(listed.groups).toEqual([]);
  });
});

describe('OffsetDelete', () => {
  it('deletes offsets of topics the group does not subscribe to, refusing subscribed ones', async () => {
    const res = await c.send(OFFSET_DELETE, 0, {
      groupId: 'live',
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0 }] },
        { name: 'refunds', partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(res).toEqual({
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 86 }] },
        { name: 'refunds', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
      ],
    });
    const missing = await c.send(OFFSET_DELETE, 0, { groupId: 'nobody', topics: [] });
    expect(missing.errorCode).toBe(69);
  });
});
