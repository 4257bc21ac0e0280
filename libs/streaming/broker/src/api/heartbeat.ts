import { ApiKey } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

export const heartbeatApi = defineApi({
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    if (!authorize(ctx, Op.READ, Resource.GROUP, request.groupId))
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    const errorCode = ctx.broker.groups.heartbeat({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId ?? null,
    });
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
