/** The consumer-group APIs, for the broker's API registry (`new ApiRegistry(CORE_APIS, GROUP_APIS)`). */
import { deleteGroupsApi } from '../api/delete-groups.ts';
import { describeGroupsApi } from '../api/describe-groups.ts';
import { findCoordinatorApi } from '../api/find-coordinator.ts';
import { heartbeatApi } from '../api/heartbeat.ts';
import { joinGroupApi } from '../api/join-group.ts';
import { leaveGroupApi } from '../api/leave-group.ts';
import { listGroupsApi } from '../api/list-groups.ts';
import { offsetCommitApi } from '../api/offset-commit.ts';
import { offsetDeleteApi } from '../api/offset-delete.ts';
import { offsetFetchApi } from '../api/offset-fetch.ts';
import { syncGroupApi } from '../api/sync-group.ts';
import type { AnyApiHandler } from '../api/types.ts';

export const GROUP_APIS: readonly AnyApiHandler[] = [
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  deleteGroupsApi,
  offsetDeleteApi,
];
