import { ApiKey } from '../protocol/index.ts';
import type { MetadataResponse } from '../protocol/index.ts';
import type { TopicInfo } from '../storage/index.ts';
import { lookupTopic } from './auto-create.ts';
import { ErrorCode } from '../errors/index.ts';
import { isInternalTopic } from './internal-topics.ts';
import { defineApi } from './types.ts';
import type { BrokerContext } from './types.ts';
import { Op, Resource, authorize, authorizedOperations, mayCreateTopic } from '../acl/authorize.ts';
import { CLUSTER_NAME } from '../acl/acl-types.ts';

type TopicOut = MetadataResponse['topics'][number];

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** "Authorized operations not requested": Kafka's INT32_MIN sentinel. */
const OPS_NOT_REQUESTED = -2147483648;

function topicOut(broker: BrokerContext, topic: TopicInfo, authorizedOps: number): TopicOut {
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
    topicAuthorizedOperations: authorizedOps,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): TopicOut {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: OPS_NOT_REQUESTED,
  };
}

function body(
  broker: BrokerContext,
  listener: string,
  topics: TopicOut[],
  clusterAuthorizedOperations: number,
): MetadataResponse {
  const { host, port } = broker.advertised(listener);
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: broker.nodeId, host, port, rack: null }],
    clusterId: broker.clusterId,
    controllerId: broker.nodeId,
    topics,
    clusterAuthorizedOperations,
  };
}

/**
 * Metadata shows a principal only the topics it may DESCRIBE: asked for all topics, the others are
 * left out; asked by name (or id), they are TOPIC_AUTHORIZATION_FAILED, whether they exist or not.
 * Auto-creating a missing topic needs CREATE on the cluster or the topic, else the same error.
 */
export const metadataApi = defineApi({
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 12,
  handle(ctx, request) {
    const broker = ctx.broker;
    const version = ctx.apiVersion;
    const requested = request.topics;
    const listener = ctx.connection.listener.name;
    const describable = (name: string, log = true) =>
      authorize(ctx, Op.DESCRIBE, Resource.TOPIC, name, { logIfDenied: log });
    const topicOps = (name: string) =>
      request.includeTopicAuthorizedOperations
        ? authorizedOperations(ctx, Resource.TOPIC, name)
        : OPS_NOT_REQUESTED;
    const clusterOps = request.includeClusterAuthorizedOperations
      ? authorizedOperations(ctx, Resource.CLUSTER, CLUSTER_NAME)
      : OPS_NOT_REQUESTED;
    const out = (t: TopicInfo) => topicOut(broker, t, topicOps(t.name));
    // v0: an empty list means "all topics"; v1+: null means all, empty means none.
    if (requested === null || (version === 0 && requested.length === 0)) {
      const all = broker.logs
        .listTopics()
        .filter((t) => describable(t.name, false))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(out);
      return body(broker, listener, all, clusterOps);
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
          topics.push(errorTopic(name, topicId, ErrorCode.INVALID_REQUEST));
          continue;
        }
        const byId = broker.logs.getTopicById(topicId);
        topics.push(
          !byId
            ? errorTopic(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID)
            : describable(byId.name)
              ? out(byId)
              : errorTopic(null, topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
        );
        continue;
      }
      if (seen.has(name)) continue;
      seen.add(name);
      if (!describable(name)) {
        topics.push(errorTopic(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const creating =
        allowAutoCreate && broker.config.autoCreateTopics && !broker.logs.getTopic(name);
      if (creating && !mayCreateTopic(ctx, name)) {
        topics.push(errorTopic(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const found = lookupTopic(broker, name, allowAutoCreate);
      topics.push(found.topic ? out(found.topic) : errorTopic(name, ZERO_UUID, found.errorCode));
    }
    return body(broker, listener, topics, clusterOps);
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
    };
  },
});
