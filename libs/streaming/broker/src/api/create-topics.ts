import { ApiKey } from '../protocol/index.ts';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../protocol/index.ts';
import { resolveTopicConfig } from '../storage/index.ts';
import { topicConfigEntries } from './config-view.ts';
import { ErrorCode, KafkaError, toKafkaError } from '../errors/index.ts';
import { topicNameProblem } from './topic-name.ts';
import { defineApi } from './types.ts';
import type { BrokerContext, RequestContext } from './types.ts';
import { Op, Resource, authorize, mayCreateTopic } from '../acl/authorize.ts';

type TopicOut = CreateTopicsResponse['topics'][number];
type TopicIn = CreateTopicsRequest['topics'][number];

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

function failed(name: string, errorCode: number, errorMessage: string | null): TopicOut {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: 0,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
}

/** Partition count from numPartitions or, when given, from a (single-node) manual assignment. */
function partitionCount(broker: BrokerContext, t: TopicIn): number {
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'numPartitions and replicationFactor must be -1 when assignments are given',
      );
    }
    const ok = t.assignments.every(
      (a, i) =>
        a.partitionIndex === i && a.brokerIds.length === 1 && a.brokerIds[0] === broker.nodeId,
    );
    if (!ok)
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        `manual replica assignments other than [${broker.nodeId}] are not supported on a single node`,
      );
    return t.assignments.length;
  }
  if (t.numPartitions === -1) return broker.config.numPartitions;
  if (t.numPartitions <= 0)
    throw new KafkaError(
      ErrorCode.INVALID_PARTITIONS,
      `number of partitions must be positive, got ${t.numPartitions}`,
    );
  return t.numPartitions;
}

function createOne(ctx: RequestContext, t: TopicIn, validateOnly: boolean): TopicOut {
  const broker = ctx.broker;
  const version = ctx.apiVersion;
  // CREATE on the cluster or on the topic; the configs in the answer (v5+) need DESCRIBE_CONFIGS.
  if (!mayCreateTopic(ctx, t.name))
    return failed(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
  const showConfigs =
    version >= 5 &&
    authorize(ctx, Op.DESCRIBE_CONFIGS, Resource.TOPIC, t.name, { logIfDenied: false });
  try {
    const problem = topicNameProblem(t.name);
    if (problem) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
    if (broker.logs.getTopic(t.name))
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
    const partitions = partitionCount(broker, t);
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Replication factor ${t.replicationFactor} is larger than the 1 available broker`,
      );
    }
    const raw: Record<string, string> = {};
    for (const c of t.configs) if (c.value !== null) raw[c.name] = c.value;
    // Same checks as creation (name collisions, partitions, configs), without creating anything.
    const overrides = broker.logs.validateNewTopic(t.name, partitions, raw);
    let topicId = ZERO_UUID;
    let view: { overrides: Record<string, string>; config: ReturnType<typeof resolveTopicConfig> };
    if (validateOnly) {
      view = { overrides, config: resolveTopicConfig(broker.config.topicDefaults, overrides) };
    } else {
      const info = broker.logs.createTopic(t.name, partitions, overrides);
      broker.logger.info({ topic: t.name, partitions, overrides }, 'created topic');
      topicId = info.topicId;
      view = info;
    }
    return {
      name: t.name,
      topicId,
      errorCode: 0,
      errorMessage: null,
      topicConfigErrorCode: version >= 5 && !showConfigs ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : 0,
      numPartitions: partitions,
      replicationFactor: 1,
      configs: showConfigs
        ? topicConfigEntries(broker, view, null).map((e) => ({
            name: e.name,
            value: e.value,
            readOnly: e.readOnly,
            configSource: e.source,
            isSensitive: e.isSensitive,
          }))
        : null,
    };
  } catch (err) {
    const { code, message } = toKafkaError(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, topic: t.name }, 'creating topic failed');
    return failed(t.name, code, message);
  }
}

export const createTopicsApi = defineApi({
  apiKey: ApiKey.CreateTopics,
  minVersion: 0,
  maxVersion: 7,
  handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const validateOnly = request.validateOnly ?? false;
    const topics = request.topics.map((t) =>
      (counts.get(t.name) ?? 0) > 1
        ? failed(t.name, ErrorCode.INVALID_REQUEST, 'topic listed more than once in the request')
        : createOne(ctx, t, validateOnly),
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => failed(t.name, errorCode, message)),
    };
  },
});
