import { describe, expect, it } from 'vitest';
import { decodeGroupRecord, encodeGroupRecord } from './group-records.ts';
import type { GroupRecord } from './group-records.ts';
import { encodeSubscription, subscribedTopics } from './consumer-protocol.ts';

describe('group records of __consumer_offsets', () => {
  const offset: GroupRecord = {
    kind: 'offset',
    groupId: 'g',
    topic: 'orders',
    partition: 3,
    value: { offset: 42, leaderEpoch: 0, metadata: null, commitTimestampMs: 1_700_000_000_000 },
  };
  const group: GroupRecord = {
    kind: 'group',
    groupId: 'g',
    value: {
      protocolType: 'consumer',
      generationId: 7,
      protocolName: 'range',
      leader: 'm-1',
      stateTimestampMs: 5,
      members: [
        {
          memberId: 'm-1',
          groupInstanceId: 'pod-1',
          clientId: 'c',
          clientHost: '/127.0.0.1',
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 30_000,
          protocols: [{ name: 'range', metadata: Buffer.from([0, 1, 2, 255]) }],
          assignment: Buffer.from('assigned'),
        },
      ],
    },
  };

  it('round-trips offsets, group metadata and tombstones', () => {
    for (const record of [
      offset,
      group,
      { ...offset, value: null },
      { ...group, value: null },
    ] as GroupRecord[]) {
      const raw = encodeGroupRecord(record);
      expect(decodeGroupRecord(raw.key, raw.value)).toEqual(record);
    }
  });

  it('encodes the same logical key to the same bytes, so the last record per key wins', () => {
    const a = encodeGroupRecord(offset);
    const b = encodeGroupRecord({
      ...offset,
      value: { offset: 99, leaderEpoch: 0, metadata: null, commitTimestampMs: 1 },
    });
    expect(a.key.equals(b.key)).toBe(true);
    expect(encodeGroupRecord(group).key.equals(a.key)).toBe(false);
  });

  it('skips records of another schema version or not written by the coordinator', () => {
    const future = Buffer.from(
      JSON.stringify({ v: 2, k: 'offset', group: 'g', topic: 't', partition: 0 }),
    );
    expect(decodeGroupRecord(future, null)).toBeNull();
    expect(decodeGroupRecord(Buffer.from('not json'), Buffer.from('{}'))).toBeNull();
    expect(decodeGroupRecord(null, null)).toBeNull();
    const key = encodeGroupRecord(offset).key;
    expect(decodeGroupRecord(key, Buffer.from(JSON.stringify({ v: 9, offset: 1 })))).toBeNull();
  });
});

describe('consumer protocol subscription', () => {
  it('reads the subscribed topics of any subscription version', () => {
    expect(subscribedTopics(encodeSubscription(['orders', 'päyments'], Buffer.from('ud')))).toEqual(
      ['orders', 'päyments'],
    );
    // A v1+ subscription only appends fields after the topics and user data.
    const v1 = Buffer.concat([encodeSubscription(['a']), Buffer.from([0, 0, 0, 0])]);
    v1.writeInt16BE(1, 0);
    expect(subscribedTopics(v1)).toEqual(['a']);
  });

  it('returns null for metadata that is not a consumer subscription', () => {
    expect(subscribedTopics(Buffer.from([0, 0, 0, 0, 0, 5, 0]))).toBeNull();
    expect(subscribedTopics(Buffer.alloc(1))).toBeNull();
  });
});
