import { validateTopicOverrides } from '../storage/index.ts';
import { ApiError, Err, errorOf } from './error-codes.ts';
import { ResourceType } from './resource-types.ts';
import type { BrokerContext } from './types.ts';

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
      throw new ApiError(
        Err.INVALID_REQUEST,
        'dynamic broker configuration is not supported: edit server.properties and restart',
      );
    }
    if (resourceType !== ResourceType.TOPIC)
      throw new ApiError(Err.INVALID_REQUEST, `unsupported resource type ${resourceType}`);
    const topic = broker.logs.getTopic(resourceName);
    if (!topic) throw new ApiError(Err.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${resourceName}`);
    const next = validateTopicOverrides(build(topic.overrides));
    if (!validateOnly) {
      broker.logs.alterTopicConfigs(resourceName, next, 'replace');
      broker.logger.info({ topic: resourceName, overrides: next }, 'topic configuration changed');
    }
    return { errorCode: 0, errorMessage: null };
  } catch (err) {
    const { code, message } = errorOf(err);
    if (code === Err.UNKNOWN_SERVER_ERROR)
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
  broker: BrokerContext,
  resources: readonly Resource[],
  validateOnly: boolean,
  build: (resource: Resource, current: Readonly<Record<string, string>>) => Record<string, string>,
): ConfigResourceResult[] {
  const dups = duplicateResources(resources);
  return resources.map((resource) => {
    const { resourceType, resourceName } = resource;
    if (dups.has(`${resourceType}:${resourceName}`)) {
      return failResource(resource, Err.INVALID_REQUEST, 'resource listed more than once');
    }
    const result = alterResource(broker, resourceType, resourceName, validateOnly, (current) =>
      build(resource, current),
    );
    return { resourceType, resourceName, ...result };
  });
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
