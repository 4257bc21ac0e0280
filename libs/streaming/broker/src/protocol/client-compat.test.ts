import { createRequire } from 'node:module';
import {
  Reader as PlatformaticReader,
  apiVersionsV3,
  fetchV17,
  metadataV12,
  produceV11,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { decodeApiVersionsRequest, encodeApiVersionsResponse } from './generated/api-versions.ts';
import { encodeFetchResponse } from './generated/fetch.ts';
import { decodeMetadataRequest, encodeMetadataResponse } from './generated/metadata.ts';
import { decodeProduceRequest } from './generated/produce.ts';
import { Reader, Writer } from './index.ts';
import type { FetchResponse, MetadataResponse } from './index.ts';

/**
 * The generated codecs against two independent client implementations: what the clients encode we
 * must decode, and what we encode they must parse. (librdkafka and kafka-python are exercised by
 * the broker's end-to-end compatibility tests.)
 */

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  encode(): Promise<{ buffer: Buffer }>;
}
type KafkajsRequestFactory = (args: Record<string, unknown>) => KafkajsRequest;
interface KafkajsResponse {
  decode(raw: Buffer): Promise<Record<string, unknown>>;
}

function kafkajs<T>(path: string): T {
  return require(`kafkajs/src/protocol/requests/${path}`) as T;
}

function encoded(write: (w: Writer) => void): Buffer {
  const w = new Writer();
  write(w);
  return Buffer.from(w.toBuffer());
}

const TOPIC_ID = '5f3c2a1b-0d4e-4f6a-8b7c-9d0e1f2a3b4c';

function metadataResponse(): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
    clusterId: 'retail-streams',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 'orders',
        topicId: TOPIC_ID,
        isInternal: false,
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: 0,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          },
        ],
        topicAuthorizedOperations: -2147483648,
      },
    ],
  };
}

describe('kafkajs 2.2.4 interop', () => {
  it('decodes its Metadata v6 request', async () => {
    const factory = kafkajs<KafkajsRequestFactory>('metadata/v6/request.js');
    const { buffer } = await factory({
      topics: ['orders', 'payments'],
      allowAutoTopicCreation: false,
    }).encode();
    const r = new Reader(buffer);
    expect(decodeMetadataRequest(r, 6)).toMatchObject({
      topics: [{ name: 'orders' }, { name: 'payments' }],
      allowAutoTopicCreation: false,
    });
    expect(r.remaining()).toBe(0);
  });

  it('decodes its Produce v7 request, keeping the record batch bytes intact', async () => {
    const factory = kafkajs<KafkajsRequestFactory>('produce/v7/request.js');
    const { buffer } = await factory({
      acks: -1,
      timeout: 30000,
      topicData: [
        { topic: 'orders', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'v1' }] }] },
      ],
    }).encode();
    const r = new Reader(buffer);
    const req = decodeProduceRequest(r, 7);
    expect(r.remaining()).toBe(0);
    expect(req).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
    const records = req.topicData[0]!.partitionData[0]!.records!;
    expect(req.topicData[0]!.partitionData[0]!.index).toBe(2);
    // A v2 record batch: magic byte at offset 16, batch length at 8 covering the rest.
    expect(records.readInt8(16)).toBe(2);
    expect(records.readInt32BE(8)).toBe(records.length - 12);
  });

  it('parses our ApiVersions v2 and Metadata v6 responses', async () => {
    const apiVersions = kafkajs<KafkajsResponse>('apiVersions/v2/response.js');
    const decodedVersions = await apiVersions.decode(
      encoded((w) =>
        encodeApiVersionsResponse(w, 2, {
          errorCode: 0,
          apiKeys: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }],
          throttleTimeMs: 0,
        }),
      ),
    );
    expect(decodedVersions).toMatchObject({
      errorCode: 0,
      apiVersions: [{ apiKey: 3, minVersion: 0, maxVersion: 12 }],
    });

    const metadata = kafkajs<KafkajsResponse>('metadata/v6/response.js');
    const decoded = await metadata.decode(
      encoded((w) => encodeMetadataResponse(w, 6, metadataResponse())),
    );
    expect(decoded).toMatchObject({
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'retail-streams',
      controllerId: 1,
      topicMetadata: [
        { topicErrorCode: 0, topic: 'orders', partitionMetadata: [{ partitionId: 0, leader: 1 }] },
      ],
    });
  });
});

describe('@platformatic/kafka interop (flexible versions)', () => {
  it('decodes its ApiVersions v3 request and parses our v3 response', () => {
    const req = apiVersionsV3.createRequest('platformatic-kafka', '2.0.0');
    const r = new Reader(Buffer.from(req.buffer));
    expect(decodeApiVersionsRequest(r, 3)).toEqual({
      clientSoftwareName: 'platformatic-kafka',
      clientSoftwareVersion: '2.0.0',
    });
    expect(r.remaining()).toBe(0);

    const body = encoded((w) =>
      encodeApiVersionsResponse(w, 3, {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 0, maxVersion: 11 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
        throttleTimeMs: 0,
        finalizedFeaturesEpoch: 3n,
      }),
    );
    const parsed = apiVersionsV3.parseResponse(1, 18, 3, PlatformaticReader.from(body));
    expect(parsed).toMatchObject({
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 0, maxVersion: 11 },
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
      ],
    });
  });

  it('decodes its Metadata v12 request and parses our v12 response', () => {
    const req = metadataV12.createRequest(
      ['orders', { topicId: TOPIC_ID, name: 'payments' }],
      true,
      false,
    );
    const r = new Reader(Buffer.from(req.buffer));
    expect(decodeMetadataRequest(r, 12)).toEqual({
      topics: [
        { topicId: '00000000-0000-0000-0000-000000000000', name: 'orders' },
        { topicId: TOPIC_ID, name: 'payments' },
      ],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });

    const body = encoded((w) => encodeMetadataResponse(w, 12, metadataResponse()));
    const parsed = metadataV12.parseResponse(1, 3, 12, PlatformaticReader.from(body));
    expect(parsed).toMatchObject({
      clusterId: 'retail-streams',
      controllerId: 1,
      topics: [
        { name: 'orders', topicId: TOPIC_ID, partitions: [{ partitionIndex: 0, leaderId: 1 }] },
      ],
    });
  });

  it('decodes its Produce v11 request, and parses the same batch back in our Fetch v17 response', () => {
    const req = produceV11.createRequest(-1, 5000, [
      {
        topic: 'orders',
        partition: 0,
        key: Buffer.from('k1'),
        value: Buffer.from('hello'),
        timestamp: 1700000000000n,
      },
      {
        topic: 'orders',
        partition: 0,
        key: Buffer.from('k2'),
        value: Buffer.from('world'),
        timestamp: 1700000000001n,
      },
    ]);
    const r = new Reader(Buffer.from(req.buffer));
    const produce = decodeProduceRequest(r, 11);
    expect(r.remaining()).toBe(0);
    expect(produce).toMatchObject({ acks: -1, timeoutMs: 5000, topicData: [{ name: 'orders' }] });
    const batch = produce.topicData[0]!.partitionData[0]!.records!;

    const response: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: '',
          topicId: TOPIC_ID,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 2n,
              lastStableOffset: 2n,
              logStartOffset: 0n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: batch,
            },
          ],
        },
      ],
    };
    const parsed = fetchV17.parseResponse(
      1,
      1,
      17,
      PlatformaticReader.from(encoded((w) => encodeFetchResponse(w, 17, response))),
    );
    const partition = parsed.responses[0]!.partitions[0]!;
    expect(parsed.responses[0]!.topicId).toBe(TOPIC_ID);
    expect(partition).toMatchObject({ partitionIndex: 0, highWatermark: 2n, logStartOffset: 0n });
    const values = partition.records!.flatMap((b) => b.records.map((rec) => String(rec.value)));
    expect(values).toEqual(['hello', 'world']);
  });
});
