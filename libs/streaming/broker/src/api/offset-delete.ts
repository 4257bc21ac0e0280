import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';

export const offsetDeleteApi = defineApi<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const result = ctx.broker.groups.deleteOffsets(
      request.groupId,
      request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => p.partitionIndex),
      })),
    );
    return { errorCode: result.errorCode, throttleTimeMs: 0, topics: result.topics };
  },
  errorResponse(request, _version, errorCode) {
    return {
      errorCode,
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    };
  },
});
