import { ApiKey } from '../protocol/index.ts';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../protocol/index.ts';
import { ErrorCode as E } from '../errors/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { isInternalTopic } from './internal-topics.ts';
import { fencedFor } from './txn-errors.ts';
import { defineApi } from './types.ts';
import type { RequestContext } from './types.ts';

type TopicResult = NonNullable<AddPartitionsToTxnResponse['resultsByTopicV3AndBelow']>[number];
type Topics = NonNullable<AddPartitionsToTxnRequest['v3AndBelowTopics']>;

function resultsWith(topics: Topics, codeOf: (topic: string) => number): TopicResult[] {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((partitionIndex) => ({
      partitionIndex,
      partitionErrorCode: codeOf(t.name),
    })),
  }));
}

/**
 * Partitions that fail the request (not authorized, unknown, internal), or null when every one may
 * be added. The others then answer OPERATION_NOT_ATTEMPTED: the request is all or nothing.
 */
function refusedPartitions(ctx: RequestContext, topics: Topics): Map<string, number> | null {
  const refused = new Map<string, number>();
  for (const t of topics) {
    if (!authorize(ctx, Op.WRITE, Resource.TOPIC, t.name))
      refused.set(t.name, E.TOPIC_AUTHORIZATION_FAILED);
    else if (isInternalTopic(t.name)) refused.set(t.name, E.INVALID_TOPIC_EXCEPTION);
    else {
      const info = ctx.broker.logs.getTopic(t.name);
      if (!info || t.partitions.some((p) => p < 0 || p >= info.partitionCount))
        refused.set(t.name, E.UNKNOWN_TOPIC_OR_PARTITION);
    }
  }
  return refused.size > 0 ? refused : null;
}

/**
 * AddPartitionsToTxn, the client versions (0-3): the partitions a transaction will write. v4+ is
 * Kafka's broker-to-broker verification of KIP-890, which a single node has no use for.
 */
export const addPartitionsToTxnApi = defineApi({
  apiKey: ApiKey.AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request): AddPartitionsToTxnResponse {
    const topics = request.v3AndBelowTopics ?? [];
    const transactionalId = request.v3AndBelowTransactionalId ?? '';
    const answer = (codeOf: (topic: string) => number): AddPartitionsToTxnResponse => ({
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: resultsWith(topics, codeOf),
    });
    if (!authorize(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, transactionalId))
      return answer(() => E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const refused = refusedPartitions(ctx, topics);
    if (refused) return answer((t) => refused.get(t) ?? E.OPERATION_NOT_ATTEMPTED);
    const code = ctx.broker.transactions.addPartitions(
      transactionalId,
      Number(request.v3AndBelowProducerId ?? -1n),
      request.v3AndBelowProducerEpoch ?? -1,
      topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition }))),
    );
    const reported = fencedFor(code, ctx.apiVersion, 2);
    return answer(() => reported);
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: resultsWith(request.v3AndBelowTopics ?? [], () => errorCode),
    };
  },
});
