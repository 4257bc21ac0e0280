import { ApiKey } from '../protocol/index.ts';
import type { LeaveGroupRequest } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

type Identity = { memberId: string; groupInstanceId: string | null };

/** v0-2 name one member; v3+ (KIP-345) a batch, possibly static members by instance id only. */
function membersOf(request: LeaveGroupRequest, version: number): Identity[] {
  if (version >= 3) {
    return (request.members ?? []).map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
    }));
  }
  return [{ memberId: request.memberId ?? '', groupInstanceId: null }];
}

export const leaveGroupApi = defineApi({
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    if (!authorize(ctx, Op.READ, Resource.GROUP, request.groupId))
      return leaveError(request, ctx.apiVersion, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const result = ctx.broker.groups.leave(request.groupId, membersOf(request, ctx.apiVersion));
    if (ctx.apiVersion >= 3)
      return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    // A single-member request reports that member's outcome as the response error.
    const errorCode =
      result.errorCode !== 0 ? result.errorCode : (result.members[0]?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(request, version, errorCode) {
    return leaveError(request, version, errorCode);
  },
});

function leaveError(request: LeaveGroupRequest, version: number, errorCode: number) {
  const members =
    version >= 3 ? membersOf(request, version).map((m) => ({ ...m, errorCode })) : undefined;
  return { throttleTimeMs: 0, errorCode, members };
}
