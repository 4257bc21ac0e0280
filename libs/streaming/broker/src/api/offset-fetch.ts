import { ApiKey } from '../protocol/index.ts';
import type { OffsetFetchResponse } from '../protocol/index.ts';
import type { OffsetFetchResult } from '../group/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';
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

/**
 * DESCRIBE on the group, else GROUP_AUTHORIZATION_FAILED; topics the principal may not DESCRIBE
 * are TOPIC_AUTHORIZATION_FAILED when named, and left out of an "all topics" answer.
 */
function fetchGroup(
  ctx: RequestContext,
  groupId: string,
  topics: TopicsIn,
  requireStable: boolean,
): OffsetFetchResult {
  if (!authorize(ctx, Op.DESCRIBE, Resource.GROUP, groupId))
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  const describable = (name: string, log = true) =>
    authorize(ctx, Op.DESCRIBE, Resource.TOPIC, name, { logIfDenied: log });
  const allowed = topics?.filter((t) => describable(t.name)) ?? null;
  const fetched = ctx.broker.groups.fetchOffsets(groupId, allowed);
  // requireStable (v7+): a partition whose offset an open transaction is committing answers
  // UNSTABLE_OFFSET_COMMIT (retriable) until that transaction ends.
  const result = requireStable ? markUnstable(ctx, groupId, fetched) : fetched;
  if (topics === null)
    return { ...result, topics: result.topics.filter((t) => describable(t.name, false)) };
  if (allowed!.length === topics.length) return result;
  const denied = topics
    .filter((t) => !allowed!.includes(t))
    .map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      })),
    }));
  return { ...result, topics: [...result.topics, ...denied] };
}

function markUnstable(
  ctx: RequestContext,
  groupId: string,
  result: OffsetFetchResult,
): OffsetFetchResult {
  const txns = ctx.broker.transactions;
  return {
    ...result,
    topics: result.topics.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) =>
        p.errorCode === ErrorCode.NONE && txns.hasPendingOffset(groupId, t.name, p.partitionIndex)
          ? { ...p, committedOffset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
          : p,
      ),
    })),
  };
}

export const offsetFetchApi = defineApi({
  apiKey: ApiKey.OffsetFetch,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request) {
    if (ctx.apiVersion >= 8) {
      const groups: GroupOut[] = (request.groups ?? []).map((g) => {
        const result = fetchGroup(ctx, g.groupId, g.topics, request.requireStable ?? false);
        return { groupId: g.groupId, topics: topicsOut(result), errorCode: result.errorCode };
      });
      return { throttleTimeMs: 0, groups };
    }
    // v0-1 cannot ask for "all topics" (null arrives only from v2).
    const topics = request.topics ?? null;
    const requireStable = request.requireStable ?? false;
    return single(
      ctx.apiVersion,
      fetchGroup(ctx, request.groupId ?? '', topics, requireStable),
      topics,
    );
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
