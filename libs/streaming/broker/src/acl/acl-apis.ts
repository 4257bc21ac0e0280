import { defineApi } from '../api/types.ts';
import type { AnyApiHandler, RequestContext } from '../api/types.ts';
import { ErrorCode, toKafkaError } from '../errors/index.ts';
import { ApiKey } from '../protocol/index.ts';
import type {
  CreateAclsRequest,
  DeleteAclsRequest,
  DescribeAclsRequest,
  DescribeAclsResponse,
} from '../protocol/index.ts';
import {
  AclOperation,
  CLUSTER_NAME,
  OPERATION_NAMES,
  PatternType,
  PermissionType,
  RESOURCE_TYPE_NAMES,
  ResourceType,
  SUPPORTED_OPERATIONS,
  describeResource,
} from './acl-types.ts';
import type { AclBinding, AclFilter } from './acl-types.ts';
import { authorizeCluster } from './authorize.ts';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker';

/** Why Kafka would refuse to store this ACL, or null. */
function aclProblem(acl: AclBinding): string | null {
  if (
    acl.resourceType === ResourceType.UNKNOWN ||
    acl.resourceType === ResourceType.ANY ||
    !RESOURCE_TYPE_NAMES.has(acl.resourceType)
  )
    return `Invalid resourceType ${acl.resourceType}`;
  if (acl.patternType !== PatternType.LITERAL && acl.patternType !== PatternType.PREFIXED)
    return `Invalid patternType ${acl.patternType}`;
  if (acl.permissionType !== PermissionType.ALLOW && acl.permissionType !== PermissionType.DENY)
    return `Invalid permissionType ${acl.permissionType}`;
  if (acl.resourceName === '') return 'Resource name should not be empty';
  if (!/^[A-Za-z]+:.+$/.test(acl.principal))
    return `Could not parse principal from \`${acl.principal}\` (no colon is present separating the principal type from the principal name)`;
  if (acl.host === '') return 'Invalid host: the host must not be empty (use * for any host)';
  if (acl.resourceType === ResourceType.CLUSTER && acl.resourceName !== CLUSTER_NAME)
    return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  const supported = SUPPORTED_OPERATIONS[acl.resourceType] ?? [];
  if (acl.operation !== AclOperation.ALL && !supported.includes(acl.operation))
    return `ACL operation ${OPERATION_NAMES.get(acl.operation) ?? acl.operation} not valid for resource type ${RESOURCE_TYPE_NAMES.get(acl.resourceType)}`;
  return null;
}

/** Why a filter can match nothing meaningful (Kafka: INVALID_REQUEST), or null. */
function filterProblem(f: AclFilter): string | null {
  if (f.resourceType === ResourceType.UNKNOWN) return 'Invalid resource type filter UNKNOWN';
  if (f.patternType === PatternType.UNKNOWN) return 'Invalid pattern type filter UNKNOWN';
  if (f.operation === AclOperation.UNKNOWN) return 'Invalid operation filter UNKNOWN';
  if (f.permissionType === PermissionType.UNKNOWN) return 'Invalid permission type filter UNKNOWN';
  return null;
}

/** SECURITY_DISABLED without an authorizer; CLUSTER_AUTHORIZATION_FAILED without ALTER (DESCRIBE to read) on the cluster. */
function refusal(
  ctx: RequestContext,
  write: boolean,
): { code: number; message: string | null } | null {
  if (ctx.broker.authorizer === null)
    return { code: ErrorCode.SECURITY_DISABLED, message: NO_AUTHORIZER };
  if (!authorizeCluster(ctx, write ? AclOperation.ALTER : AclOperation.DESCRIBE))
    return { code: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, message: null };
  return null;
}

const creationOf = (c: CreateAclsRequest['creations'][number]): AclBinding => ({
  resourceType: c.resourceType as AclBinding['resourceType'],
  resourceName: c.resourceName,
  // v0 has no pattern type: LITERAL.
  patternType: (c.resourcePatternType ?? PatternType.LITERAL) as AclBinding['patternType'],
  principal: c.principal,
  host: c.host,
  operation: c.operation as AclBinding['operation'],
  permissionType: c.permissionType as AclBinding['permissionType'],
});

/** CreateAcls: ALTER on the cluster; each ACL validated as Kafka validates it (INVALID_REQUEST otherwise). */
export const createAclsApi = defineApi({
  apiKey: ApiKey.CreateAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request) {
    const refused = refusal(ctx, true);
    if (refused) return createError(request, refused.code, refused.message);
    const acls = request.creations.map(creationOf);
    const problems = acls.map(aclProblem);
    const valid = acls.filter((_, i) => problems[i] === null);
    let stored: { code: number; message: string } | null = null;
    try {
      ctx.broker.acls.add(valid);
    } catch (err) {
      const { code, message } = toKafkaError(err);
      ctx.broker.logger.error({ err }, 'saving ACLs failed');
      stored = { code, message };
    }
    if (valid.length > 0 && !stored)
      ctx.broker.logger.info({ acls: valid.map(formatAcl) }, `ACLs added (${valid.length})`);
    return {
      throttleTimeMs: 0,
      results: problems.map((p) =>
        p !== null
          ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: p }
          : { errorCode: stored?.code ?? ErrorCode.NONE, errorMessage: stored?.message ?? null },
      ),
    };
  },
  errorResponse(request, _version, errorCode, errorMessage) {
    return createError(request, errorCode, errorMessage);
  },
});

function createError(request: CreateAclsRequest, errorCode: number, errorMessage: string | null) {
  return {
    throttleTimeMs: 0,
    results: request.creations.map(() => ({ errorCode, errorMessage })),
  };
}

function describeFilterOf(r: DescribeAclsRequest): AclFilter {
  return {
    resourceType: r.resourceTypeFilter,
    resourceName: r.resourceNameFilter,
    patternType: r.patternTypeFilter ?? PatternType.LITERAL,
    principal: r.principalFilter,
    host: r.hostFilter,
    operation: r.operation,
    permissionType: r.permissionType,
  };
}

/** DescribeAcls: DESCRIBE on the cluster; the matching ACLs grouped by resource pattern. */
export const describeAclsApi = defineApi({
  apiKey: ApiKey.DescribeAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request): DescribeAclsResponse {
    const refused = refusal(ctx, false);
    if (refused) return describeError(refused.code, refused.message);
    const filter = describeFilterOf(request);
    const problem = filterProblem(filter);
    if (problem) return describeError(ErrorCode.INVALID_REQUEST, problem);
    const groups = new Map<string, DescribeAclsResponse['resources'][number]>();
    for (const acl of ctx.broker.acls.matching(filter)) {
      const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          resourceType: acl.resourceType,
          resourceName: acl.resourceName,
          patternType: acl.patternType,
          acls: [],
        };
        groups.set(key, group);
      }
      group.acls.push({
        principal: acl.principal,
        host: acl.host,
        operation: acl.operation,
        permissionType: acl.permissionType,
      });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resources: [...groups.values()],
    };
  },
  errorResponse(_request, _version, errorCode, errorMessage) {
    return describeError(errorCode, errorMessage);
  },
});

function describeError(errorCode: number, errorMessage: string | null): DescribeAclsResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, resources: [] };
}

/** DeleteAcls: ALTER on the cluster; every ACL any filter matches goes, reported under the first filter that matched it. */
export const deleteAclsApi = defineApi({
  apiKey: ApiKey.DeleteAcls,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx, request) {
    const refused = refusal(ctx, true);
    if (refused) return deleteError(request, refused.code, refused.message);
    const filters: AclFilter[] = request.filters.map((f) => ({
      resourceType: f.resourceTypeFilter,
      resourceName: f.resourceNameFilter,
      patternType: f.patternTypeFilter ?? PatternType.LITERAL,
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    }));
    const problems = filters.map(filterProblem);
    // An invalid filter matches nothing.
    const usable = filters.map((f, i) => (problems[i] === null ? f : { ...f, resourceType: -1 }));
    let removed: AclBinding[][];
    try {
      removed = ctx.broker.acls.remove(usable);
    } catch (err) {
      const { code, message } = toKafkaError(err);
      ctx.broker.logger.error({ err }, 'saving ACLs failed');
      return deleteError(request, code, message);
    }
    const count = removed.reduce((n, r) => n + r.length, 0);
    if (count > 0)
      ctx.broker.logger.info({ acls: removed.flat().map(formatAcl) }, `ACLs removed (${count})`);
    return {
      throttleTimeMs: 0,
      filterResults: removed.map((acls, i) => ({
        errorCode: problems[i] === null ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
        errorMessage: problems[i],
        matchingAcls: acls.map((a) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: a.resourceType,
          resourceName: a.resourceName,
          patternType: a.patternType,
          principal: a.principal,
          host: a.host,
          operation: a.operation,
          permissionType: a.permissionType,
        })),
      })),
    };
  },
  errorResponse(request, _version, errorCode, errorMessage) {
    return deleteError(request, errorCode, errorMessage);
  },
});

function deleteError(request: DeleteAclsRequest, errorCode: number, errorMessage: string | null) {
  return {
    throttleTimeMs: 0,
    filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
  };
}

/** "User:alice has ALLOW on READ from host * on Topic:PREFIXED:sales." (for logs). */
export function formatAcl(acl: AclBinding): string {
  return `${acl.principal} has ${acl.permissionType === PermissionType.ALLOW ? 'ALLOW' : 'DENY'} on ${OPERATION_NAMES.get(acl.operation)} from host ${acl.host} on ${describeResource(acl.resourceType, acl.resourceName, acl.patternType)}`;
}

export const ACL_APIS: readonly AnyApiHandler[] = [describeAclsApi, createAclsApi, deleteAclsApi];
