import { ApiKey } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize, authorizeCluster } from '../acl/authorize.ts';

export const listGroupsApi = defineApi({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    // DESCRIBE on the cluster lists every group; otherwise only the groups one may DESCRIBE.
    const all = authorizeCluster(ctx, Op.DESCRIBE, { logIfDenied: false });
    const groups = ctx.broker.groups
      .listGroups(request.statesFilter ?? [], request.typesFilter ?? [])
      .filter(
        (g) =>
          all || authorize(ctx, Op.DESCRIBE, Resource.GROUP, g.groupId, { logIfDenied: false }),
      );
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.groupState,
        groupType: g.groupType,
      })),
    };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
});
