import type { MetadataRequest, MetadataResponse } from '../protocol/index.ts';
import type { TopicInfo } from '../storage/index.ts';
import { lookupTopic } from './auto-create.ts';
import { Err } from './error-codes.ts';
import { isInternalTopic } from './internal-topics.ts';
import { defineApi } from './types.ts';
import type { BrokerContext } from './types.ts';

type TopicOut = MetadataResponse['topics'][number];

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** "Authorized operations not requested": Kafka's INT32_MIN sentinel. */
const OPS_NOT_REQUESTED = -2147483648;

function topicOut(broker: BrokerContext, topic: TopicInfo): TopicOut {
  const nodeId = broker.nodeId;
  const partitions = [];
  for (let p = 0; p < topic.partitionCount; p++) {
    partitions.push({
      errorCode: 0,
      partitionIndex: p,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    });
  }
  return {
    errorCode: 0,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    partitions,
    topicAuthorizedOperations: OPS_NOT_REQUESTED,
  } as TopicOut;
}

function errorTopic(name: string | null, topicId: string, errorCode: number): TopicOut {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPS_NOT_REQUESTED,
  } as TopicOut;
}

function body(broker: BrokerContext, topics: TopicOut[]): MetadataResponse {
  const { host, port } = broker.advertised();
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: broker.nodeId, host, port, rack: null }],
    clusterId: broker.clusterId,
    controllerId: broker.nodeId,
    topics,
    clusterAuthorizedOperations: OPS_NOT_REQUESTED,
  } as MetadataResponse;
}

export const metadataApi = defineApi<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 12,
  handle(ctx, request) {
    const broker = ctx.broker;
    const version = ctx.apiVersion;
    const requested = request.topics;
    // v0: an empty list means "all topics"; v1+: null means all, empty means none.
    if (requested === null || (version === 0 && requested.length === 0)) {
      const all = broker.logs
        .listTopics()
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((t) => topicOut(broker, t));
      return body(broker, all);
    }
    // Before v4 there is no flag and Kafka auto-creates whenever the broker allows it.
    const allowAutoCreate = request.allowAutoTopicCreation ?? true;
    const seen = new Set<string>();
    const topics: TopicOut[] = [];
    for (const wanted of requested) {
      const name = wanted.name ?? null;
      const topicId = wanted.topicId ?? ZERO_UUID;
      if (name === null || name === '') {
        if (topicId === ZERO_UUID) {
          topics.push(errorTopic(name, topicId, Err.INVALID_REQUEST));
          continue;
        }
        const byId = broker.logs.getTopicById(topicId);
        topics.push(
          byId ? topicOut(broker, byId) : errorTopic(null, topicId, Err.UNKNOWN_TOPIC_ID),
        );
        continue;
      }
      if (seen.has(name)) continue;
      seen.add(name);
      const found = lookupTopic(broker, name, allowAutoCreate);
      topics.push(
        found.topic ? topicOut(broker, found.topic) : errorTopic(name, ZERO_UUID, found.errorCode),
      );
    }
    return body(broker, topics);
  },
  errorResponse(request, _version, errorCode) {
    const topics = (request.topics ?? []).map((t) =>
      errorTopic(t.name ?? null, t.topicId ?? ZERO_UUID, errorCode),
    );
    return {
      throttleTimeMs: 0,
      brokers: [],
      clusterId: null,
      controllerId: -1,
      topics,
      clusterAuthorizedOperations: OPS_NOT_REQUESTED,
    } as MetadataResponse;
  },
});
