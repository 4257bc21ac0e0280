// JoinGroup, SyncGroup, Heartbeat and LeaveGroup through the real server and codecs, at the
// versions each client family speaks (kafka-python v0-2, librdkafka/kafkajs up to v5, the newest).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JoinGroupResponse } from '../protocol/index.ts';
import { encodeSubscription } from '../group/index.ts';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import type { WireClient } from './test-support/wire-client.ts';

const JOIN = 11;
const HEARTBEAT = 12;
const LEAVE = 13;
const SYNC = 14;

let t: TestBroker;

beforeEach(async () => {
  t = await startTestBroker();
  t.broker.logs.createTopic('orders', 4);
});

afterEach(async () => {
  await t.close();
});

interface Versions {
  join: number;
  sync: number;
  heartbeat: number;
  leave: number;
}

const VERSION_SETS: Versions[] = [
  { join: 0, sync: 0, heartbeat: 0, leave: 0 },
  { join: 2, sync: 1, heartbeat: 1, leave: 1 },
  { join: 4, sync: 2, heartbeat: 2, leave: 2 },
  { join: 5, sync: 3, heartbeat: 3, leave: 3 },
  { join: 7, sync: 4, heartbeat: 4, leave: 4 },
  { join: 9, sync: 5, heartbeat: 4, leave: 5 },
];

function joinBody(memberId: string, groupInstanceId: string | null = null, group = 'wire-group') {
  return {
    groupId: group,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['orders']) }],
    reason: null,
  };
}

/** First join, including the MEMBER_ID_REQUIRED round trip of v4+. Resolves with the final response. */
async function join(
  c: WireClient,
  version: number,
  groupInstanceId: string | null = null,
): Promise<JoinGroupResponse> {
  let res = await c.send(JOIN, version, joinBody('', groupInstanceId));
  if (version >= 4 && groupInstanceId === null) {
    expect(res.errorCode).toBe(79);
    expect(res.memberId).not.toBe('');
    res = await c.send(JOIN, version, joinBody(res.memberId, groupInstanceId));
  }
  return res;
}

function syncBody(
  generationId: number,
  memberId: string,
  assignments: Array<{ memberId: string; assignment: Buffer }>,
  groupInstanceId: string | null = null,
) {
  return {
    groupId: 'wire-group',
    generationId,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments,
  };
}

const heartbeatBody = (
  generationId: number,
  memberId: string,
  groupInstanceId: string | null = null,
) => ({
  groupId: 'wire-group',
  generationId,
  memberId,
  groupInstanceId,
});

describe('JoinGroup / SyncGroup / Heartbeat / LeaveGroup', () => {
  it.each(VERSION_SETS)(
    'runs a group through two generations (join v$join, sync v$sync, heartbeat v$heartbeat, leave v$leave)',
    async (v) => {
      const a = await t.connect();
      const b = await t.connect();
      const ctl = await t.connect();

      const first = await join(a, v.join);
      expect(first).toMatchObject({
        errorCode: 0,
        generationId: 1,
        protocolName: 'range',
        leader: first.memberId,
      });
      expect(first.members).toEqual([
        expect.objectContaining({
          memberId: first.memberId,
          metadata: encodeSubscription(['orders']),
        }),
      ]);
      const synced = await a.send(
        SYNC,
        v.sync,
        syncBody(1, first.memberId, [
          { memberId: first.memberId, assignment: Buffer.from('all of it') },
        ]),
      );
      expect(synced).toMatchObject({ errorCode: 0, assignment: Buffer.from('all of it') });
      expect(
        (await a.send(HEARTBEAT, v.heartbeat, heartbeatBody(1, first.memberId))).errorCode,
      ).toBe(0);
      expect(
        (await ctl.send(HEARTBEAT, v.heartbeat, heartbeatBody(0, first.memberId))).errorCode,
      ).toBe(22);
      expect((await ctl.send(HEARTBEAT, v.heartbeat, heartbeatBody(1, 'stranger'))).errorCode).toBe(
        25,
      );

      // A second member joins: its JoinGroup waits while the first learns of the rebalance.
      let bMemberId = '';
      if (v.join >= 4) {
        const required = await b.send(JOIN, v.join, joinBody(''));
        expect(required.errorCode).toBe(79);
        bMemberId = required.memberId;
      }
      const bJoin = b.send(JOIN, v.join, joinBody(bMemberId));
      await expect
        .poll(
          async () =>
            (await ctl.send(HEARTBEAT, v.heartbeat, heartbeatBody(1, first.memberId))).errorCode,
        )
        .toBe(27);
      const aJoin = await a.send(JOIN, v.join, joinBody(first.memberId));
      const bJoined = await bJoin;
      expect(aJoin).toMatchObject({ errorCode: 0, generationId: 2, leader: first.memberId });
      expect(aJoin.members.map((m) => m.memberId)).toEqual([first.memberId, bJoined.memberId]);
      expect(bJoined).toMatchObject({
        errorCode: 0,
        generationId: 2,
        leader: first.memberId,
        members: [],
      });

      const bSync = b.send(SYNC, v.sync, syncBody(2, bJoined.memberId, []));
      await a.send(
        SYNC,
        v.sync,
        syncBody(2, first.memberId, [
          { memberId: first.memberId, assignment: Buffer.from('A') },
          { memberId: bJoined.memberId, assignment: Buffer.from('B') },
        ]),
      );
      expect((await bSync).assignment).toEqual(Buffer.from('B'));

      // LeaveGroup removes the member at once and the survivor is told to rejoin.
      const leaveBody =
        v.leave >= 3
          ? {
              groupId: 'wire-group',
              members: [{ memberId: bJoined.memberId, groupInstanceId: null, reason: 'test' }],
            }
          : { groupId: 'wire-group', memberId: bJoined.memberId };
      const left = await b.send(LEAVE, v.leave, leaveBody);
      expect(left.errorCode).toBe(0);
      if (v.leave >= 3)
        expect(left.members).toEqual([
          { memberId: bJoined.memberId, groupInstanceId: null, errorCode: 0 },
        ]);
      expect(
        (await a.send(HEARTBEAT, v.heartbeat, heartbeatBody(2, first.memberId))).errorCode,
      ).toBe(27);
      const unknownLeave = await b.send(LEAVE, v.leave, leaveBody);
      if (v.leave >= 3) expect(unknownLeave.members?.[0].errorCode).toBe(25);
      else expect(unknownLeave.errorCode).toBe(25);
    },
  );

  it('answers SyncGroup with a mismatched protocol name with INCONSISTENT_GROUP_PROTOCOL (v5)', async () => {
    const a = await t.connect();
    const joined = await join(a, 9);
    const res = await a.send(SYNC, 5, {
      ...syncBody(joined.generationId, joined.memberId, []),
      protocolName: 'roundrobin',
    });
    expect(res.errorCode).toBe(23);
  });

  it('returns a null protocol name on errors from v7 and an empty one before', async () => {
    const c = await t.connect();
    const v7 = await c.send(JOIN, 7, joinBody('nobody'));
    expect(v7).toMatchObject({ errorCode: 25, protocolName: null, generationId: -1 });
    const v5 = await c.send(JOIN, 5, joinBody('nobody'));
    expect(v5).toMatchObject({ errorCode: 25, protocolName: '' });
  });

  it('lets a static member rejoin from a new process under its instance id and fences the old id (FENCED_INSTANCE_ID)', async () => {
    const a = await t.connect();
    const first = await join(a, 5, 'instance-1');
    expect(first.errorCode).toBe(0);
    await a.send(
      SYNC,
      3,
      syncBody(
        first.generationId,
        first.memberId,
        [{ memberId: first.memberId, assignment: Buffer.from('mine') }],
        'instance-1',
      ),
    );

    // The same instance comes back from a fresh process: same instance id, no member id.
    const restarted = await (await t.connect()).send(JOIN, 5, joinBody('', 'instance-1'));
    expect(restarted.errorCode).toBe(0);
    expect(restarted.memberId).not.toBe(first.memberId);
    expect(
      (await a.send(HEARTBEAT, 3, heartbeatBody(first.generationId, first.memberId, 'instance-1')))
        .errorCode,
    ).toBe(82);
    const oldJoin = await a.send(JOIN, 5, joinBody(first.memberId, 'instance-1'));
    expect(oldJoin.errorCode).toBe(82);
  });
});
