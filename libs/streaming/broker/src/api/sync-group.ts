import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';

const EMPTY = Buffer.alloc(0);

export const syncGroupApi = defineApi<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const result = await ctx.broker.groups.sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId ?? null,
      protocolType: request.protocolType ?? null,
      protocolName: request.protocolName ?? null,
      assignments: request.assignments.map((a) => ({
        memberId: a.memberId,
        assignment: a.assignment,
      })),
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: result.protocolType,
      protocolName: result.protocolName,
      assignment: result.assignment,
    };
  },
  errorResponse(_request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      protocolType: null,
      protocolName: null,
      assignment: EMPTY,
    };
  },
});
