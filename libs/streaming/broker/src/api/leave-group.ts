import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';

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

export const leaveGroupApi = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    const result = ctx.broker.groups.leave(request.groupId, membersOf(request, ctx.apiVersion));
    if (ctx.apiVersion >= 3)
      return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    // A single-member request reports that member's outcome as the response error.
    const errorCode =
      result.errorCode !== 0 ? result.errorCode : (result.members[0]?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(request, version, errorCode) {
    const members =
      version >= 3 ? membersOf(request, version).map((m) => ({ ...m, errorCode })) : undefined;
    return { throttleTimeMs: 0, errorCode, members };
  },
});
