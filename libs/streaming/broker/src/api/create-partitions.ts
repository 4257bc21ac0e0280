import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../protocol/index.ts';
import { ApiError, Err, errorOf } from './error-codes.ts';
import { defineApi } from './types.ts';
import type { BrokerContext } from './types.ts';

type ResultOut = CreatePartitionsResponse['results'][number];
type TopicIn = CreatePartitionsRequest['topics'][number];

function out(name: string, errorCode: number, errorMessage: string | null): ResultOut {
  return { name, errorCode, errorMessage } as ResultOut;
}

function growOne(broker: BrokerContext, t: TopicIn, validateOnly: boolean): ResultOut {
  try {
    const topic = broker.logs.getTopic(t.name);
    if (!topic) throw new ApiError(Err.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${t.name}`);
    if (t.count <= topic.partitionCount) {
      throw new ApiError(
        Err.INVALID_PARTITIONS,
        `Topic currently has ${topic.partitionCount} partitions, which is higher than or equal to the requested ${t.count}.`,
      );
    }
    if (t.assignments) {
      const added = t.count - topic.partitionCount;
      const ok =
        t.assignments.length === added &&
        t.assignments.every((a) => a.brokerIds.length === 1 && a.brokerIds[0] === broker.nodeId);
      if (!ok)
        throw new ApiError(
          Err.INVALID_REQUEST,
          `assignments other than [${broker.nodeId}] per new partition are not supported`,
        );
    }
    if (!validateOnly) {
      broker.logs.createPartitions(t.name, t.count);
      broker.logger.info({ topic: t.name, partitions: t.count }, 'added partitions');
    }
    return out(t.name, 0, null);
  } catch (err) {
    const { code, message } = errorOf(err);
    if (code === Err.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, topic: t.name }, 'adding partitions failed');
    return out(t.name, code, message);
  }
}

export const createPartitionsApi = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results = request.topics.map((t) =>
      (counts.get(t.name) ?? 0) > 1
        ? out(t.name, Err.INVALID_REQUEST, 'topic listed more than once in the request')
        : growOne(ctx.broker, t, request.validateOnly),
    );
    return { throttleTimeMs: 0, results } as CreatePartitionsResponse;
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      results: request.topics.map((t) => out(t.name, errorCode, message)),
    } as CreatePartitionsResponse;
  },
});
