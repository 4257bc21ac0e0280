import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataResponse } from '../protocol/index.ts';
import { startTestBroker } from './test-support/broker-fixture.ts';
import type { TestBroker } from './test-support/broker-fixture.ts';
import { API, createTopicsRequest, metadataRequest } from './test-support/requests.ts';
import type { WireClient } from './test-support/wire-client.ts';

let t: TestBroker;
let c: WireClient;

beforeEach(async () => {
  t = await startTestBroker({ nodeId: 3, numPartitions: 2 });
  c = await t.connect();
  await c.send(
    API.CREATE_TOPICS,
    4,
    createTopicsRequest([{ name: 'b-topic', numPartitions: 3 }, { name: 'a-topic' }]),
  );
});

afterEach(async () => {
  await t.close();
});

describe('Metadata', () => {
  it.each([0, 1, 4, 9, 10, 12])(
    'describes this node as the only broker, controller and leader (v%i)',
    async (version) => {
      const res = await c.send(API.METADATA, version, metadataRequest(['b-topic']));
      expect(res.brokers).toEqual([
        expect.objectContaining({ nodeId: 3, host: '127.0.0.1', port: t.broker.port }),
      ]);
      if (version >= 1) expect(res.controllerId).toBe(3);
      if (version >= 2) expect(res.clusterId).toBe(t.broker.clusterId);
      const topic = res.topics[0];
      expect(topic).toMatchObject({ errorCode: 0, name: 'b-topic' });
      expect(
        topic.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]),
      ).toEqual([
        [0, 3, [3], [3]],
        [1, 3, [3], [3]],
        [2, 3, [3], [3]],
      ]);
      if (version >= 10) expect(topic.topicId).toBe(t.broker.logs.getTopic('b-topic')!.topicId);
    },
  );

  it('lists every topic for a null list (v1+) and for an empty list in v0', async () => {
    const all = await c.send(API.METADATA, 1, metadataRequest(null));
    const visible = (res: MetadataResponse) =>
      res.topics.filter((x) => !x.isInternal && !x.name?.startsWith('__')).map((x) => x.name);
    expect(visible(all)).toEqual(['a-topic', 'b-topic']);
    const v0 = await c.send(API.METADATA, 0, metadataRequest([]));
    expect(visible(v0)).toEqual(['a-topic', 'b-topic']);
    const none = await c.send(API.METADATA, 1, metadataRequest([]));
    expect(none.topics).toEqual([]);
  });

  it('auto-creates requested topics with num.partitions when allowed', async () => {
    const res = await c.send(API.METADATA, 9, metadataRequest(['auto'], true));
    expect(res.topics[0]).toMatchObject({ errorCode: 0, name: 'auto' });
    expect(res.topics[0].partitions).toHaveLength(2);
  });

  it('reports UNKNOWN_TOPIC_OR_PARTITION (3) without creating when the request disallows it', async () => {
    const res = await c.send(API.METADATA, 9, metadataRequest(['ghost'], false));
    expect(res.topics[0]).toMatchObject({ errorCode: 3, name: 'ghost', partitions: [] });
    expect(t.broker.logs.getTopic('ghost')).toBeUndefined();
  });

  it('reports INVALID_TOPIC_EXCEPTION (17) for illegal names', async () => {
    const res = await c.send(API.METADATA, 9, metadataRequest(['no spaces'], true));
    expect(res.topics[0].errorCode).toBe(17);
  });

  it('looks topics up by id in v10+', async () => {
    const id = t.broker.logs.getTopic('a-topic')!.topicId;
    const res = await c.send(API.METADATA, 12, {
      topics: [
        { topicId: id, name: null },
        { topicId: '11111111-1111-1111-1111-111111111111', name: null },
      ],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    expect(res.topics[0]).toMatchObject({ errorCode: 0, name: 'a-topic', topicId: id });
    expect(res.topics[1].errorCode).toBe(100);
  });

  it('advertises the configured host and port', async () => {
    const other = await startTestBroker({ advertisedHost: 'kafka.example', advertisedPort: 19092 });
    try {
      const oc = await other.connect();
      const res = await oc.send(API.METADATA, 1, metadataRequest([]));
      expect(res.brokers[0]).toMatchObject({ host: 'kafka.example', port: 19092 });
    } finally {
      await other.close();
    }
  });
});

describe('ApiVersions', () => {
  it.each([0, 1, 2, 3])(
    'lists every implemented API with low minimum versions (v%i)',
    async (version) => {
      const res = await c.send(API.API_VERSIONS, version, {
        clientSoftwareName: 'x',
        clientSoftwareVersion: '1',
      });
      expect(res.errorCode).toBe(0);
      const byKey = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
      expect(byKey.get(0)).toEqual([0, 11]);
      expect(byKey.get(1)).toEqual([0, 12]);
      expect(byKey.get(3)).toEqual([0, 12]);
      expect(byKey.get(18)).toEqual([0, 3]);
    },
  );
});
