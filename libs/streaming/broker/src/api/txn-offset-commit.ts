import { ApiKey } from '../protocol/index.ts';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../protocol/index.ts';
import { ErrorCode as E } from '../errors/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { defineApi } from './types.ts';
import type { RequestContext } from './types.ts';

type Topics = TxnOffsetCommitRequest['topics'];

function answer(
  topics: Topics,
  codeOf: (topic: string, partition: number) => number,
): TxnOffsetCommitResponse {
  return {
    throttleTimeMs: 0,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: codeOf(t.name, p.partitionIndex),
      })),
    })),
  };
}

/** Per-partition refusals before anything is committed: topics not readable, partitions unknown. */
function partitionChecks(ctx: RequestContext, topics: Topics): Map<string, number> {
  const refused = new Map<string, number>();
  for (const t of topics) {
    const readable = authorize(ctx, Op.READ, Resource.TOPIC, t.name);
    const count = ctx.broker.logs.getTopic(t.name)?.partitionCount;
    for (const p of t.partitions) {
      const key = `${t.name}\0${p.partitionIndex}`;
      if (!readable) refused.set(key, E.TOPIC_AUTHORIZATION_FAILED);
      else if (count === undefined || p.partitionIndex < 0 || p.partitionIndex >= count)
        refused.set(key, E.UNKNOWN_TOPIC_OR_PARTITION);
    }
  }
  return refused;
}

/**
 * TxnOffsetCommit: offsets a transaction commits for a consumer group, held until the transaction
 * ends (see group/txn-offsets.ts). v3+ carries the consumer's generation, checked like a commit's.
 */
export const txnOffsetCommitApi = defineApi({
  apiKey: ApiKey.TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const { topics } = request;
    if (!authorize(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, request.transactionalId))
      return answer(topics, () => E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!authorize(ctx, Op.READ, Resource.GROUP, request.groupId))
      return answer(topics, () => E.GROUP_AUTHORIZATION_FAILED);
    const member = ctx.broker.groups.checkTxnCommitMember(
      request.groupId,
      request.generationId ?? -1,
      request.memberId ?? '',
      request.groupInstanceId ?? null,
    );
    if (member !== E.NONE) return answer(topics, () => member);
    const refused = partitionChecks(ctx, topics);
    const offsets = topics.flatMap((t) =>
      t.partitions
        .filter((p) => !refused.has(`${t.name}\0${p.partitionIndex}`))
        .map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          offset: Number(p.committedOffset),
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata: p.committedMetadata,
        })),
    );
    const code =
      offsets.length === 0
        ? E.NONE
        : ctx.broker.transactions.commitOffsets(
            request.transactionalId,
            Number(request.producerId),
            request.producerEpoch,
            request.groupId,
            offsets,
          );
    return answer(topics, (t, p) => refused.get(`${t}\0${p}`) ?? code);
  },
  errorResponse(request, _version, errorCode) {
    return answer(request.topics, () => errorCode);
  },
});
