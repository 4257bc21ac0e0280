import { ApiKey } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import type { OffsetDeleteRequest } from '../protocol/index.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

export const offsetDeleteApi = defineApi({
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    // DELETE on the group, READ on each topic.
    if (!authorize(ctx, Op.DELETE, Resource.GROUP, request.groupId))
      return offsetDeleteError(request, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const readable = request.topics.filter((t) => authorize(ctx, Op.READ, Resource.TOPIC, t.name));
    const result = ctx.broker.groups.deleteOffsets(
      request.groupId,
      readable.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => p.partitionIndex),
      })),
    );
    const denied = offsetDeleteError(
      { ...request, topics: request.topics.filter((t) => !readable.includes(t)) },
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    ).topics;
    return {
      errorCode: result.errorCode,
      throttleTimeMs: 0,
      topics: [...result.topics, ...denied],
    };
  },
  errorResponse(request, _version, errorCode) {
    return offsetDeleteError(request, errorCode);
  },
});

function offsetDeleteError(request: OffsetDeleteRequest, errorCode: number) {
  return {
    errorCode,
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}
