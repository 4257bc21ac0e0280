import { ApiKey } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize, authorizedOperations } from '../acl/authorize.ts';
import { ErrorCode } from '../errors/index.ts';

/** "Not requested" sentinel of authorizedOperations. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

export const describeGroupsApi = defineApi({
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        // DESCRIBE on each group; the authorized operations (READ, DELETE, DESCRIBE) as a bit set.
        if (!authorize(ctx, Op.DESCRIBE, Resource.GROUP, groupId))
          return failedGroup(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED);
        const operations = request.includeAuthorizedOperations
          ? authorizedOperations(ctx, Resource.GROUP, groupId)
          : OPERATIONS_NOT_REQUESTED;
        const g = ctx.broker.groups.describeGroup(groupId);
        return {
          errorCode: g.errorCode,
          groupId: g.groupId,
          groupState: g.groupState,
          protocolType: g.protocolType,
          protocolData: g.protocolData,
          members: g.members,
          authorizedOperations: operations,
        };
      }),
    };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => failedGroup(groupId, errorCode)),
    };
  },
});

function failedGroup(groupId: string, errorCode: number) {
  return {
    errorCode,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: OPERATIONS_NOT_REQUESTED,
  };
}
