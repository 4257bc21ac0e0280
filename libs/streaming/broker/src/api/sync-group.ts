import { ApiKey } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

const EMPTY = Buffer.alloc(0);

export const syncGroupApi = defineApi({
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    if (!authorize(ctx, Op.READ, Resource.GROUP, request.groupId))
      return syncError(ErrorCode.GROUP_AUTHORIZATION_FAILED);
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
    return syncError(errorCode);
  },
});

function syncError(errorCode: number) {
  return {
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: EMPTY,
  };
}
