import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';

export const deleteGroupsApi = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    return { throttleTimeMs: 0, results: ctx.broker.groups.deleteGroups(request.groupsNames) };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
    };
  },
});
