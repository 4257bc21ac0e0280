import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';

export const listGroupsApi = defineApi<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    const groups = ctx.broker.groups.listGroups(
      request.statesFilter ?? [],
      request.typesFilter ?? [],
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
