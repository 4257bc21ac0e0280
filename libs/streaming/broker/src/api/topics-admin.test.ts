import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import {
  API,
  batch,
  createTopicsRequest,
  fetchRequest,
  produceRequest,
} from './test-support/requests.ts';
import type { WireClient } from './test-support/wire-client.ts';

let t: TestBroker;
let c: WireClient;

beforeEach(async () => {
  t = await startTestBroker({ numPartitions: 4 });
  c = await t.connect();
});

afterEach(async () => {
  await t.close();
});

describe('CreateTopics', () => {
  it('creates topics with their partitions and configs (v7 returns id, partitions and effective configs)', async () => {
    const res = await c.send(
      API.CREATE_TOPICS,
      7,
      createTopicsRequest([
        { name: 'orders', numPartitions: 3, configs: { 'retention.ms': '1000' } },
      ]),
    );
    const topic = res.topics[0];
    expect(topic).toMatchObject({
      name: 'orders',
      errorCode: 0,
      numPartitions: 3,
      replicationFactor: 1,
    });
    expect(topic.topicId).toBe(t.broker.logs.getTopic('orders')!.topicId);
    expect(topic.configs?.find((x) => x.name === 'retention.ms')).toMatchObject({
      value: '1000',
      configSource: 1,
    });
    expect(t.broker.logs.getTopic('orders')!.overrides).toEqual({ 'retention.ms': '1000' });
  });

  it('uses num.partitions for -1 and accepts replication factor -1', async () => {
    const res = await c.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([{ name: 'dflt', numPartitions: -1, replicationFactor: -1 }]),
    );
    expect(res.topics[0].errorCode).toBe(0);
    expect(t.broker.logs.getTopic('dflt')!.partitionCount).toBe(4);
  });

  it('refuses what a single node cannot do or what is wrong, per topic', async () => {
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'taken' }]));
    const res = await c.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([
        { name: 'taken' },
        { name: 'rf3', replicationFactor: 3 },
        { name: 'zero', numPartitions: 0 },
        { name: 'bad name' },
        { name: 'badcfg', configs: { 'retention.ms': 'soon' } },
        { name: 'unknowncfg', configs: { 'no.such.key': '1' } },
        { name: 'fine' },
      ]),
    );
    expect(res.topics.map((x) => [x.name, x.errorCode])).toEqual([
      ['taken', 36],
      ['rf3', 38],
      ['zero', 37],
      ['bad name', 17],
      ['badcfg', 40],
      ['unknowncfg', 40],
      ['fine', 0],
    ]);
    expect(res.topics[1].errorMessage).toMatch(/Replication factor/);
  });

  it('only validates with validateOnly', async () => {
    const res = await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'dry' }], true));
    expect(res.topics[0].errorCode).toBe(0);
    expect(t.broker.logs.getTopic('dry')).toBeUndefined();
  });

  it('rejects a topic listed twice with INVALID_REQUEST (42)', async () => {
    const res = await c.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([{ name: 'twice' }, { name: 'twice' }]),
    );
    expect(res.topics.map((x) => x.errorCode)).toEqual([42, 42]);
  });
});

describe('DeleteTopics', () => {
  it('deletes by name (v0-5) and reports unknown topics', async () => {
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'gone' }]));
    const res = await c.send(API.DELETE_TOPICS, 4, {
      topicNames: ['gone', 'never'],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['gone', 0],
      ['never', 3],
    ]);
    expect(t.broker.logs.getTopic('gone')).toBeUndefined();
  });

  it('deletes by topic id in v6', async () => {
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'by-id' }]));
    const id = t.broker.logs.getTopic('by-id')!.topicId;
    const res = await c.send(API.DELETE_TOPICS, 6, {
      topics: [
        { name: null, topicId: id },
        { name: null, topicId: '22222222-2222-2222-2222-222222222222' },
      ],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['by-id', 0],
      [null, 100],
    ]);
  });
});

describe('CreatePartitions', () => {
  it('grows a topic and refuses to shrink it', async () => {
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'grow', numPartitions: 2 }]));
    const req = (count: number, name = 'grow') => ({
      topics: [{ name, count, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect((await c.send(API.CREATE_PARTITIONS, 1, req(5))).results[0].errorCode).toBe(0);
    expect(t.broker.logs.getTopic('grow')!.partitionCount).toBe(5);
    expect(t.broker.logs.partition('grow', 4)).toBeDefined();
    expect((await c.send(API.CREATE_PARTITIONS, 3, req(3))).results[0].errorCode).toBe(37);
    expect((await c.send(API.CREATE_PARTITIONS, 3, req(3, 'nope'))).results[0].errorCode).toBe(3);
  });
});

describe('DeleteRecords', () => {
  it('moves the log start offset, -1 meaning the high watermark, and fetches below it fail', async () => {
    await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'trim' }]));
    for (let i = 0; i < 5; i++)
      await c.send(API.PRODUCE, 7, produceRequest('trim', 0, batch([`r${i}`])));
    const req = (offset: number) => ({
      topics: [{ name: 'trim', partitions: [{ partitionIndex: 0, offset: BigInt(offset) }] }],
      timeoutMs: 1000,
    });
    const first = await c.send(API.DELETE_RECORDS, 1, req(2));
    expect(first.topics[0].partitions[0]).toMatchObject({ errorCode: 0, lowWatermark: 2n });
    const fetched = await c.send(
      API.FETCH,
      11,
      fetchRequest([{ topic: 'trim', partition: 0, offset: 1 }]),
    );
    expect(fetched.responses[0].partitions[0]).toMatchObject({ errorCode: 1, logStartOffset: 2n });
    expect((await c.send(API.DELETE_RECORDS, 2, req(99))).topics[0].partitions[0].errorCode).toBe(
      1,
    );
    expect((await c.send(API.DELETE_RECORDS, 2, req(-1))).topics[0].partitions[0]).toMatchObject({
      errorCode: 0,
      lowWatermark: 5n,
    });
  });
});
