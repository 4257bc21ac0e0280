import { validateTopicOverrides } from '../storage/index.ts';
import { ErrorCode, KafkaError, toKafkaError } from '../errors/index.ts';
import { ResourceType } from './resource-types.ts';
import type { BrokerContext, RequestContext } from './types.ts';
import { CLUSTER_NAME, ResourceType as AclResource } from '../acl/acl-types.ts';
import { Op, authorize } from '../acl/authorize.ts';

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
}

/**
 * The part AlterConfigs and IncrementalAlterConfigs share: check the resource, compute the complete
 * new override set with `build`, validate it, and (unless validateOnly) replace the topic's overrides.
 */
export function alterResource(
  broker: BrokerContext,
  resourceType: number,
  resourceName: string,
  validateOnly: boolean,
  build: (current: Readonly<Record<string, string>>) => Record<string, string>,
): AlterResult {
  try {
    if (resourceType === ResourceType.BROKER) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        'dynamic broker configuration is not supported: edit server.properties and restart',
      );
    }
    if (resourceType !== ResourceType.TOPIC)
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `unsupported resource type ${resourceType}`);
    const topic = broker.logs.getTopic(resourceName);
    if (!topic)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${resourceName}`);
    const next = validateTopicOverrides(build(topic.overrides));
    if (!validateOnly) {
      broker.logs.alterTopicConfigs(resourceName, next, 'replace');
      broker.logger.info({ topic: resourceName, overrides: next }, 'topic configuration changed');
    }
    return { errorCode: 0, errorMessage: null };
  } catch (err) {
    const { code, message } = toKafkaError(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
      broker.logger.error({ err, resourceName }, 'altering configs failed');
    return { errorCode: code, errorMessage: message };
  }
}

/** A resource as both AlterConfigs requests name it, and its answer in both responses. */
export interface ConfigResource {
  resourceType: number;
  resourceName: string;
}
export type ConfigResourceResult = ConfigResource & AlterResult;

/**
 * Alters each resource of an AlterConfigs or IncrementalAlterConfigs request with `build` (which
 * turns the request's entries for that resource and the current overrides into the new set) and
 * answers each one: a resource named twice is refused in all its copies, the others independently.
 */
export function alterResources<Resource extends ConfigResource>(
  ctx: RequestContext,
  resources: readonly Resource[],
  validateOnly: boolean,
  build: (resource: Resource, current: Readonly<Record<string, string>>) => Record<string, string>,
): ConfigResourceResult[] {
  const dups = duplicateResources(resources);
  return resources.map((resource) => {
    const { resourceType, resourceName } = resource;
    if (dups.has(`${resourceType}:${resourceName}`)) {
      return failResource(resource, ErrorCode.INVALID_REQUEST, 'resource listed more than once');
    }
    const denied = configAccessDenied(ctx, Op.ALTER_CONFIGS, resource);
    if (denied !== null) return failResource(resource, denied, null);
    const result = alterResource(ctx.broker, resourceType, resourceName, validateOnly, (current) =>
      build(resource, current),
    );
    return { resourceType, resourceName, ...result };
  });
}

/**
 * ALTER_CONFIGS / DESCRIBE_CONFIGS on a config resource: a topic's ACLs for a topic, the cluster's
 * for a broker. Returns the error code of a refusal, or null.
 */
export function configAccessDenied(
  ctx: RequestContext,
  operation: typeof Op.ALTER_CONFIGS | typeof Op.DESCRIBE_CONFIGS,
  { resourceType, resourceName }: ConfigResource,
): number | null {
  if (resourceType === ResourceType.TOPIC)
    return authorize(ctx, operation, AclResource.TOPIC, resourceName)
      ? null
      : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  if (resourceType === ResourceType.BROKER || resourceType === ResourceType.BROKER_LOGGER)
    return authorize(ctx, operation, AclResource.CLUSTER, CLUSTER_NAME)
      ? null
      : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  return null;
}

/** The same error for every resource of a request (a request-level failure). */
export function failResources(
  resources: readonly ConfigResource[],
  errorCode: number,
  errorMessage: string | null,
): ConfigResourceResult[] {
  return resources.map((resource) => failResource(resource, errorCode, errorMessage));
}

function failResource(
  { resourceType, resourceName }: ConfigResource,
  errorCode: number,
  errorMessage: string | null,
): ConfigResourceResult {
  return { resourceType, resourceName, errorCode, errorMessage };
}

/** Rejects a request naming the same resource twice (Kafka: INVALID_REQUEST for all copies). */
export function duplicateResources(
  resources: ReadonlyArray<{ resourceType: number; resourceName: string }>,
): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`;
    if (seen.has(key)) dup.add(key);
    seen.add(key);
  }
  return dup;
}
