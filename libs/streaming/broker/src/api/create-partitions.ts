import { ApiKey } from '../protocol/index.ts';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../protocol/index.ts';
import { ErrorCode, KafkaError, toKafkaError } from '../errors/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import type { BrokerContext } from './types.ts';

type ResultOut = CreatePartitionsResponse['results'][number];
type TopicIn = CreatePartitionsRequest['topics'][number];

function out(name: string, errorCode: number, errorMessage: string | null): ResultOut {
  return { name, errorCode, errorMessage };
}

/**
 * Explicit assignments of the new partitions, checked as Kafka does: one per new partition, on
 * brokers that exist (only this node), with one replica each (the topic's replication factor).
 * Any violation is INVALID_REPLICA_ASSIGNMENT (39).
 */
function checkAssignments(
  broker: BrokerContext,
  assignments: NonNullable<TopicIn['assignments']>,
  added: number,
): void {
  const invalid = (message: string) =>
    new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message);
  if (assignments.length !== added) {
    throw invalid(
      `Increasing the number of partitions by ${added} needs ${added} assignments, got ${assignments.length}.`,
    );
  }
  const unknown = [
    ...new Set(assignments.flatMap((a) => a.brokerIds).filter((id) => id !== broker.nodeId)),
  ];
  if (unknown.length > 0) {
    throw invalid(
      `Unknown broker(s) in replica assignment: ${unknown.join(', ')} (this cluster has only broker ${broker.nodeId}).`,
    );
  }
  if (assignments.some((a) => a.brokerIds.length !== 1)) {
    throw invalid("Every new partition needs exactly one replica, the topic's replication factor.");
  }
}

function growOne(broker: BrokerContext, t: TopicIn, validateOnly: boolean): ResultOut {
  try {
    const topic = broker.logs.getTopic(t.name);
    if (!topic)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${t.name}`);
    if (t.count <= topic.partitionCount) {
      throw new KafkaError(
        ErrorCode.INVALID_PARTITIONS,
        `Topic currently has ${topic.partitionCount} partitions, which is higher than or equal to the requested ${t.count}.`,
      );
    }
    if (t.assignments) checkAssignments(broker, t.assignments, t.count - topic.partitionCount);
    if (!validateOnly) {
      broker.logs.createPartitions(t.name, t.count);
      broker.logger.info({ topic: t.name, partitions: t.count }, 'added partitions');
    }
    return out(t.name, 0, null);
  } catch (err) {
    const { code, message } = toKafkaError(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, topic: t.name }, 'adding partitions failed');
    return out(t.name, code, message);
  }
}

export const createPartitionsApi = defineApi({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results = request.topics.map((t) =>
      (counts.get(t.name) ?? 0) > 1
        ? out(t.name, ErrorCode.INVALID_REQUEST, 'topic listed more than once in the request')
        : // ALTER on each topic.
          !authorize(ctx, Op.ALTER, Resource.TOPIC, t.name)
          ? out(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, null)
          : growOne(ctx.broker, t, request.validateOnly),
    );
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      results: request.topics.map((t) => out(t.name, errorCode, message)),
    };
  },
});
