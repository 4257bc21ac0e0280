import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/index.ts';
import type { OffsetFetchResult } from '../group/index.ts';
import { defineApi } from './types.ts';
import type { RequestContext } from './types.ts';

type GroupOut = NonNullable<OffsetFetchResponse['groups']>[number];
type TopicsIn = ReadonlyArray<{ name: string; partitionIndexes: number[] }> | null;

function topicsOut(result: OffsetFetchResult) {
  return result.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: BigInt(p.committedOffset),
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: p.errorCode,
    })),
  }));
}

/** v0-1 have no top-level error: a group-level error goes on every requested partition. */
function withPartitionErrors(result: OffsetFetchResult, topics: TopicsIn): OffsetFetchResult {
  if (result.errorCode === 0 || !topics) return result;
  return {
    errorCode: result.errorCode,
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: result.errorCode,
      })),
    })),
  };
}

function single(version: number, result: OffsetFetchResult, topics: TopicsIn): OffsetFetchResponse {
  const shaped = version < 2 ? withPartitionErrors(result, topics) : result;
  return { throttleTimeMs: 0, topics: topicsOut(shaped), errorCode: result.errorCode };
}

function fetchGroup(ctx: RequestContext, groupId: string, topics: TopicsIn): OffsetFetchResult {
  // requireStable (v7+) is ignored: without transactions there are never pending offsets.
  return ctx.broker.groups.fetchOffsets(groupId, topics);
}

export const offsetFetchApi = defineApi<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request) {
    if (ctx.apiVersion >= 8) {
      const groups: GroupOut[] = (request.groups ?? []).map((g) => {
        const result = fetchGroup(ctx, g.groupId, g.topics);
        return { groupId: g.groupId, topics: topicsOut(result), errorCode: result.errorCode };
      });
      return { throttleTimeMs: 0, groups };
    }
    // v0-1 cannot ask for "all topics" (null arrives only from v2).
    const topics = request.topics ?? null;
    return single(ctx.apiVersion, fetchGroup(ctx, request.groupId ?? '', topics), topics);
  },
  errorResponse(request, version, errorCode) {
    const failed: OffsetFetchResult = { errorCode, topics: [] };
    if (version >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (request.groups ?? []).map((g) => ({
          groupId: g.groupId,
          topics: topicsOut(withPartitionErrors(failed, g.topics)),
          errorCode,
        })),
      };
    }
    return single(version, failed, request.topics ?? null);
  },
});
