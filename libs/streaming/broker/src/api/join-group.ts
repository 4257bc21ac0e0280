import { ApiKey } from '../protocol/index.ts';
import type { JoinGroupResponse } from '../protocol/index.ts';
import type { JoinResult } from '../group/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

function toResponse(version: number, r: JoinResult): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: r.protocolType,
    // Nullable only from v7: older clients get '' when no protocol was selected (errors).
    protocolName: r.protocolName ?? (version >= 7 ? null : ''),
    leader: r.leader,
    skipAssignment: r.skipAssignment,
    memberId: r.memberId,
    members: r.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata,
    })),
  };
}

export const joinGroupApi = defineApi({
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    if (!authorize(ctx, Op.READ, Resource.GROUP, request.groupId))
      return joinError(request.memberId, ctx.apiVersion, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const result = await ctx.broker.groups.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId ?? null,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs ?? -1,
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      clientId: ctx.clientId ?? '',
      clientHost: ctx.connection.clientHost ?? '',
      // KIP-394: from v4 a first join only gets a member id and must come back with it.
      requireKnownMemberId: ctx.apiVersion >= 4,
    });
    return toResponse(ctx.apiVersion, result);
  },
  errorResponse(request, version, errorCode) {
    return joinError(request.memberId, version, errorCode);
  },
});

function joinError(memberId: string, version: number, errorCode: number): JoinGroupResponse {
  return toResponse(version, {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    members: [],
    skipAssignment: false,
  });
}
