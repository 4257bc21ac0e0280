import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/index.ts';
import type { TopicResults } from '../group/index.ts';
import { defineApi } from './types.ts';

function toResponse(topics: TopicResults[]): OffsetCommitResponse {
  return { throttleTimeMs: 0, topics };
}

export const offsetCommitApi = defineApi<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request) {
    // v0 carries no generation: it is always a standalone commit. The per-partition commit
    // timestamp (v1) and retention time (v2-4) are accepted and ignored: offsets do not expire here.
    const results = ctx.broker.groups.commitOffsets({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch ?? -1,
      memberId: request.memberId ?? '',
      groupInstanceId: request.groupInstanceId ?? null,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          committedOffset: Number(p.committedOffset),
          committedLeaderEpoch: p.committedLeaderEpoch ?? -1,
          committedMetadata: p.committedMetadata,
        })),
      })),
    });
    return toResponse(results);
  },
  errorResponse(request, _version, errorCode) {
    return toResponse(
      request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    );
  },
});
