import { ApiKey } from '../protocol/index.ts';
import type { OffsetCommitResponse } from '../protocol/index.ts';
import type { TopicResults } from '../group/index.ts';
import { defineApi } from './types.ts';
import type { OffsetCommitRequest } from '../protocol/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

function toResponse(topics: TopicResults[]): OffsetCommitResponse {
  return { throttleTimeMs: 0, topics };
}

export const offsetCommitApi = defineApi({
  apiKey: ApiKey.OffsetCommit,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request) {
    // READ on the group (else every partition fails), then READ on each topic.
    if (!authorize(ctx, Op.READ, Resource.GROUP, request.groupId))
      return commitError(request, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const readable = request.topics.filter((t) => authorize(ctx, Op.READ, Resource.TOPIC, t.name));
    // v0 carries no generation: it is always a standalone commit. The per-partition commit
    // timestamp (v1) and retention time (v2-4) are accepted and ignored: offsets do not expire here.
    const results = ctx.broker.groups.commitOffsets({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch ?? -1,
      memberId: request.memberId ?? '',
      groupInstanceId: request.groupInstanceId ?? null,
      topics: readable.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: Number(p.committedOffset),
          committedLeaderEpoch: p.committedLeaderEpoch ?? -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    });
    if (readable.length === request.topics.length) return toResponse(results);
    const denied = request.topics.filter((t) => !readable.includes(t));
    return toResponse([
      ...results,
      ...commitError({ ...request, topics: denied }, ErrorCode.TOPIC_AUTHORIZATION_FAILED).topics,
    ]);
  },
  errorResponse(request, _version, errorCode) {
    return commitError(request, errorCode);
  },
});

function commitError(request: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return toResponse(
    request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  );
}
