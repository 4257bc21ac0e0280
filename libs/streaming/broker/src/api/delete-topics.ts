import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/index.ts';
import { Err, errorOf } from './error-codes.ts';
import { defineApi } from './types.ts';
import type { BrokerContext } from './types.ts';

type ResultOut = DeleteTopicsResponse['responses'][number];

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

interface Target {
  name: string | null;
  topicId: string;
}

/** v0-5 name topics in `topicNames`; v6 in `topics` by name or by id. */
function targets(request: DeleteTopicsRequest): Target[] {
  if (request.topics && request.topics.length > 0) {
    return request.topics.map((t) => ({ name: t.name ?? null, topicId: t.topicId ?? ZERO_UUID }));
  }
  return (request.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
}

function out(
  name: string | null,
  topicId: string,
  errorCode: number,
  errorMessage: string | null,
): ResultOut {
  return { name, topicId, errorCode, errorMessage } as ResultOut;
}

function deleteOne(broker: BrokerContext, target: Target): ResultOut {
  const byId = target.name === null || target.name === '';
  const topic = byId
    ? broker.logs.getTopicById(target.topicId)
    : broker.logs.getTopic(target.name!);
  if (!topic) {
    return byId
      ? out(null, target.topicId, Err.UNKNOWN_TOPIC_ID, `unknown topic id ${target.topicId}`)
      : out(
          target.name,
          target.topicId,
          Err.UNKNOWN_TOPIC_OR_PARTITION,
          `unknown topic ${target.name}`,
        );
  }
  try {
    broker.logs.deleteTopic(topic.name);
    broker.logger.info({ topic: topic.name }, 'deleted topic');
    return out(topic.name, topic.topicId, 0, null);
  } catch (err) {
    const { code, message } = errorOf(err);
    if (code === Err.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, topic: topic.name }, 'deleting topic failed');
    return out(topic.name, topic.topicId, code, message);
  }
}

export const deleteTopicsApi = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, request) {
    const responses = targets(request).map((t) => deleteOne(ctx.broker, t));
    return { throttleTimeMs: 0, responses } as DeleteTopicsResponse;
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      responses: targets(request).map((t) => out(t.name, t.topicId, errorCode, message)),
    } as DeleteTopicsResponse;
  },
});
