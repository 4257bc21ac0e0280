import type { ConnectionContext, RequestContext } from '../api/types.ts';
import { principalOf } from '../sasl/session.ts';
import {
  AclOperation,
  CLUSTER_NAME,
  OPERATION_NAMES,
  ResourceType,
  SUPPORTED_OPERATIONS,
  describeResource,
} from './acl-types.ts';

/** The client's address as ACL hosts name it: "127.0.0.1" (IPv4-mapped IPv6 addresses unwrapped). */
export function hostOf(conn: ConnectionContext): string {
  return conn.clientHost.replace(/^\//, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

/**
 * May this request's principal do `operation` on the resource? Always yes without an authorizer
 * (authorizer.class.name unset). A refusal is logged (rate-limited) the way Kafka's authorizer
 * log says it: principal, operation, host, resource.
 */
export function authorize(
  ctx: RequestContext,
  operation: AclOperation,
  resourceType: number,
  name: string,
  options: { logIfDenied?: boolean } = {},
): boolean {
  const authorizer = ctx.broker.authorizer;
  if (authorizer === null) return true;
  const principal = principalOf(ctx.connection);
  const host = hostOf(ctx.connection);
  const allowed = authorizer.authorize(principal, host, operation, resourceType, name);
  if (!allowed && options.logIfDenied !== false)
    ctx.broker.deniedRequests.warn(
      {
        principal,
        operation: OPERATION_NAMES.get(operation),
        host,
        resource: describeResource(resourceType, name),
        api: ctx.apiName,
        listener: ctx.connection.listener.name,
      },
      'authorization denied',
    );
  return allowed;
}

export const authorizeCluster = (
  ctx: RequestContext,
  operation: AclOperation,
  options: { logIfDenied?: boolean } = {},
): boolean => authorize(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME, options);

/**
 * Auto-creating a topic needs CREATE on the cluster or on the topic (Kafka's rule for Metadata's
 * auto-creation; here Produce auto-creates too).
 */
export function mayCreateTopic(ctx: RequestContext, name: string): boolean {
  return (
    authorize(ctx, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME, {
      logIfDenied: false,
    }) || authorize(ctx, AclOperation.CREATE, ResourceType.TOPIC, name)
  );
}

/**
 * The operations the principal may do on a resource, as Metadata's authorized-operations bit field
 * (bit n = operation code n). Without an authorizer, every operation the resource type supports.
 */
export function authorizedOperations(
  ctx: RequestContext,
  resourceType: number,
  name: string,
): number {
  let bits = 0;
  for (const op of SUPPORTED_OPERATIONS[resourceType] ?? [])
    if (authorize(ctx, op, resourceType, name, { logIfDenied: false })) bits |= 1 << op;
  return bits;
}

/** authorizeByResourceType: may the principal do `operation` on some resource of the type? */
export function authorizeAny(
  ctx: RequestContext,
  operation: AclOperation,
  resourceType: number,
): boolean {
  const authorizer = ctx.broker.authorizer;
  if (authorizer === null) return true;
  return authorizer.authorizeByResourceType(
    principalOf(ctx.connection),
    hostOf(ctx.connection),
    operation,
    resourceType,
  );
}

export { AclOperation as Op, ResourceType as Resource };
