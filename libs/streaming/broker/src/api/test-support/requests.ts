// Test support: request bodies for the handler tests, with every field the newest version needs
// (encoders skip what an older version does not carry).
import { ApiKey } from '../../protocol/index.ts';
import { encodeRecordBatch } from '../../storage/record-batch.ts';
import type { RecordInput } from '../../storage/record-batch.ts';

/** The API keys the handler tests use most, by shorter names. */
export const API = {
  PRODUCE: ApiKey.Produce,
  FETCH: ApiKey.Fetch,
  LIST_OFFSETS: ApiKey.ListOffsets,
  METADATA: ApiKey.Metadata,
  API_VERSIONS: ApiKey.ApiVersions,
  CREATE_TOPICS: ApiKey.CreateTopics,
  DELETE_TOPICS: ApiKey.DeleteTopics,
  DELETE_RECORDS: ApiKey.DeleteRecords,
  DESCRIBE_CONFIGS: ApiKey.DescribeConfigs,
  ALTER_CONFIGS: ApiKey.AlterConfigs,
  CREATE_PARTITIONS: ApiKey.CreatePartitions,
  INCREMENTAL_ALTER_CONFIGS: ApiKey.IncrementalAlterConfigs,
} as const;

export function batch(
  values: Array<string | RecordInput>,
  opts: { baseTimestamp?: number } = {},
): Buffer {
  return encodeRecordBatch({
    records: values.map((v) => (typeof v === 'string' ? { key: null, value: v } : v)),
    baseTimestamp: opts.baseTimestamp,
  });
}

export function createTopicsRequest(
  topics: Array<{
    name: string;
    numPartitions?: number;
    replicationFactor?: number;
    configs?: Record<string, string>;
  }>,
  validateOnly = false,
) {
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions ?? 1,
      replicationFactor: t.replicationFactor ?? 1,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs: 5000,
    validateOnly,
  };
}

export function produceRequest(
  topic: string,
  partition: number,
  records: Buffer | null,
  acks = -1,
) {
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

export function fetchRequest(
  partitions: Array<{
    topic: string;
    partition: number;
    offset: number | bigint;
    maxBytes?: number;
  }>,
  opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; isolationLevel?: number } = {},
) {
  const byTopic = new Map<string, Array<{ partition: number; offset: bigint; maxBytes: number }>>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic) ?? [];
    list.push({
      partition: p.partition,
      offset: BigInt(p.offset),
      maxBytes: p.maxBytes ?? 1024 * 1024,
    });
    byTopic.set(p.topic, list);
  }
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1n },
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: opts.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: opts.isolationLevel ?? 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [...byTopic].map(([topic, ps]) => ({
      topic,
      topicId: '00000000-0000-0000-0000-000000000000',
      partitions: ps.map((p) => ({
        partition: p.partition,
        currentLeaderEpoch: -1,
        fetchOffset: p.offset,
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: p.maxBytes,
        replicaDirectoryId: '00000000-0000-0000-0000-000000000000',
      })),
    })),
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** allowAutoTopicCreation defaults to true, the only value v0-3 can carry. */
export function metadataRequest(topics: string[] | null, allowAutoTopicCreation = true) {
  return {
    topics:
      topics === null
        ? null
        : topics.map((name) => ({ topicId: '00000000-0000-0000-0000-000000000000', name })),
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  };
}

export function listOffsetsRequest(topic: string, partition: number, timestamp: number | bigint) {
  return {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      {
        name: topic,
        partitions: [
          {
            partitionIndex: partition,
            currentLeaderEpoch: -1,
            timestamp: BigInt(timestamp),
            maxNumOffsets: 1,
          },
        ],
      },
    ],
    timeoutMs: 5000,
  };
}
