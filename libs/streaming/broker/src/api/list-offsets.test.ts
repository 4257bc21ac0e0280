import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import {
  API,
  batch,
  createTopicsRequest,
  listOffsetsRequest,
  produceRequest,
} from './test-support/requests.ts';
import type { WireClient } from './test-support/wire-client.ts';

let t: TestBroker;
let c: WireClient;

beforeEach(async () => {
  t = await startTestBroker();
  c = await t.connect();
  await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'ticks' }]));
  // Offsets 0-1 at t=1000/1001, 2 at t=5000, 3-4 at t=3000/9000.
  for (const b of [
    batch([
      { value: 'a', timestamp: 1000 },
      { value: 'b', timestamp: 1001 },
    ]),
    batch([{ value: 'c', timestamp: 5000 }]),
    batch([
      { value: 'd', timestamp: 3000 },
      { value: 'e', timestamp: 9000 },
    ]),
  ]) {
    await c.send(API.PRODUCE, 7, produceRequest('ticks', 0, b));
  }
});

afterEach(async () => {
  await t.close();
});

async function lookup(timestamp: number, version = 5) {
  const res = await c.send(API.LIST_OFFSETS, version, listOffsetsRequest('ticks', 0, timestamp));
  return res.topics[0].partitions[0];
}

describe('ListOffsets', () => {
  it('answers earliest (-2) and latest (-1)', async () => {
    expect(await lookup(-2)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n });
    expect(await lookup(-1)).toMatchObject({ errorCode: 0, offset: 5n });
  });

  it('finds the first offset whose timestamp is at or after the requested time', async () => {
    expect(await lookup(1001)).toMatchObject({ offset: 1n, timestamp: 1001n });
    expect(await lookup(4000)).toMatchObject({ offset: 2n, timestamp: 5000n });
  });

  it('answers -1/-1 when no record is that recent', async () => {
    expect(await lookup(10_000)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
  });

  it('answers max timestamp (-3) from v7 with the offset of the newest record', async () => {
    expect(await lookup(-3, 7)).toMatchObject({ errorCode: 0, offset: 4n, timestamp: 9000n });
    expect((await lookup(-3, 6)).errorCode).toBe(35);
  });

  it('uses the old offsets list in v0', async () => {
    const p = await lookup(-1, 0);
    expect(p.oldStyleOffsets).toEqual([5n]);
  });

  it('reports UNKNOWN_TOPIC_OR_PARTITION (3)', async () => {
    const res = await c.send(API.LIST_OFFSETS, 5, listOffsetsRequest('ticks', 4, -1));
    expect(res.topics[0].partitions[0].errorCode).toBe(3);
  });
});
