/** Kafka's ACL vocabulary, with the numeric codes the CreateAcls/DescribeAcls/DeleteAcls wire format uses. */

export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

export const PermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type PermissionType = (typeof PermissionType)[keyof typeof PermissionType];

/** The only name a CLUSTER resource has. */
export const CLUSTER_NAME = 'kafka-cluster';
/** A literal resource named `*` covers every resource of its type; `User:*` every principal; host `*` every host. */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

/** One ACL: who (principal, host) may or may not (permission) do what (operation) to which resources (pattern). */
export interface AclBinding {
  resourceType: ResourceType;
  resourceName: string;
  /** LITERAL or PREFIXED. */
  patternType: PatternType;
  principal: string;
  host: string;
  operation: AclOperation;
  /** ALLOW or DENY. */
  permissionType: PermissionType;
}

/** A DescribeAcls / DeleteAcls filter: ANY (and null names) match everything, MATCH what applies to a name. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** The operations each resource type can have ACLs for (Kafka's AclEntry.supportedOperations). */
export const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly AclOperation[]>> = {
  [ResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

/**
 * An ALLOW on any of these operations also allows the key: READ, WRITE, DELETE and ALTER imply
 * DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS (Kafka's rule; DENY ACLs imply nothing).
 */
export const IMPLIED_BY: Readonly<Partial<Record<AclOperation, readonly AclOperation[]>>> = {
  [AclOperation.DESCRIBE]: [
    AclOperation.DESCRIBE,
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.DELETE,
    AclOperation.ALTER,
  ],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
};

const names = <T extends Record<string, number>>(table: T) =>
  new Map<number, string>(Object.entries(table).map(([k, v]) => [v, k]));
export const RESOURCE_TYPE_NAMES = names(ResourceType);
export const PATTERN_TYPE_NAMES = names(PatternType);
export const OPERATION_NAMES = names(AclOperation);
export const PERMISSION_NAMES = names(PermissionType);

/** "Topic:LITERAL:orders", as Kafka writes a resource pattern in its logs. */
export function describeResource(
  type: number,
  name: string,
  pattern: number = PatternType.LITERAL,
): string {
  const t = RESOURCE_TYPE_NAMES.get(type) ?? String(type);
  return `${t.charAt(0)}${t
    .slice(1)
    .toLowerCase()
    .replace(/_(.)/g, (_, c: string) =>
      c.toUpperCase(),
    )}:${PATTERN_TYPE_NAMES.get(pattern) ?? pattern}:${name}`;
}
