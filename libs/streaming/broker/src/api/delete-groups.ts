import { ApiKey } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

export const deleteGroupsApi = defineApi({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    // DELETE on each group.
    const allowed = request.groupsNames.filter((g) => authorize(ctx, Op.DELETE, Resource.GROUP, g));
    const deleted = new Map(ctx.broker.groups.deleteGroups(allowed).map((r) => [r.groupId, r]));
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map(
        (groupId) =>
          deleted.get(groupId) ?? { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED },
      ),
    };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
    };
  },
});
