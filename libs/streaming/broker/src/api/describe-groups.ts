import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';

/** "Not requested" sentinel of authorizedOperations. */
const OPERATIONS_NOT_REQUESTED = -2147483648;
/**
 * Without ACLs every client may do everything a group supports: READ (3), DELETE (6) and
 * DESCRIBE (8), as a bit set of Kafka's AclOperation codes.
 */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export const describeGroupsApi = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    const operations = request.includeAuthorizedOperations
      ? GROUP_OPERATIONS
      : OPERATIONS_NOT_REQUESTED;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
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
      groups: request.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: OPERATIONS_NOT_REQUESTED,
      })),
    };
  },
});
