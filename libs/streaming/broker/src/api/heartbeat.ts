import type { HeartbeatRequest, HeartbeatResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';

export const heartbeatApi = defineApi<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
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
