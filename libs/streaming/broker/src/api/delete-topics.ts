import { ApiKey } from '../protocol/index.ts';
import type { DeleteTopicsRequest, DeleteTopicsResponse } from '../protocol/index.ts';
import { ErrorCode, toKafkaError } from '../errors/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
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
  return { name, topicId, errorCode, errorMessage };
}

function deleteOne(broker: BrokerContext, target: Target): ResultOut {
  const byId = target.name === null || target.name === '';
  const topic = byId
    ? broker.logs.getTopicById(target.topicId)
    : broker.logs.getTopic(target.name!);
  if (!topic) {
    return byId
      ? out(null, target.topicId, ErrorCode.UNKNOWN_TOPIC_ID, `unknown topic id ${target.topicId}`)
      : out(
          target.name,
          target.topicId,
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `unknown topic ${target.name}`,
        );
  }
  try {
    broker.logs.deleteTopic(topic.name);
    broker.logger.info({ topic: topic.name }, 'deleted topic');
    return out(topic.name, topic.topicId, 0, null);
  } catch (err) {
    const { code, message } = toKafkaError(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, topic: topic.name }, 'deleting topic failed');
    return out(topic.name, topic.topicId, code, message);
  }
}

export const deleteTopicsApi = defineApi({
  apiKey: ApiKey.DeleteTopics,
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, request) {
    // DELETE on each topic; one named by id must also be DESCRIBE-able to be found at all.
    const responses = targets(request).map((t) => {
      const name = t.name || ctx.broker.logs.getTopicById(t.topicId)?.name;
      if (name === undefined || authorize(ctx, Op.DELETE, Resource.TOPIC, name))
        return deleteOne(ctx.broker, t);
      return out(t.name, t.topicId, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      responses: targets(request).map((t) => out(t.name, t.topicId, errorCode, message)),
    };
  },
});
