import type { Command } from 'commander';
import { CliError, usageError } from '../errors.ts';
import { collect } from '../util/parse-options.ts';
import { out } from './context.ts';

/** The protocol layer loads only when this command runs: the other commands start faster without it. */
async function protocol() {
  const [{ createAclsV3, deleteAclsV3, describeAclsV3 }, admin] = await Promise.all([
    import('@platformatic/kafka'),
    import('../kafka/admin-connection.ts'),
  ]);
  return { createAclsV3, deleteAclsV3, describeAclsV3, ...admin };
}

interface AclsOptions {
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  principal?: string[];
  allowHost?: string[];
  denyHost?: string[];
  operation?: string[];
  topic?: string[];
  group?: string[];
  cluster?: boolean;
  transactionalId?: string[];
  resourcePatternType: string;
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
  force?: boolean;
}

const EXAMPLES = `
Examples:
  $ streaming acls --add --allow-principal User:sales --operation Write --topic sales.order-placed
  $ streaming acls --add --allow-principal User:sales --consumer --topic inventory.reservation-result --group sales
  $ streaming acls --add --allow-principal User:sales --producer --topic sales. --resource-pattern-type prefixed
  $ streaming acls --add --deny-principal User:mallory --operation All --topic '*'
  $ streaming acls --list                              # every ACL
  $ streaming acls --list --topic orders --resource-pattern-type match
  $ streaming acls --remove --allow-principal User:sales --operation Write --topic sales.order-placed
  $ streaming acls --remove --topic orders             # every ACL of that resource

Operations: Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs,
AlterConfigs, IdempotentWrite, All. --producer = Write, Describe, Create on the topics (and
IdempotentWrite on the cluster with --idempotent, Write and Describe on --transactional-id);
--consumer = Read, Describe on the topics and Read on --group.
`;

const RESOURCE = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5 } as const;
const RESOURCE_NAME = new Map<number, string>([
  [2, 'TOPIC'],
  [3, 'GROUP'],
  [4, 'CLUSTER'],
  [5, 'TRANSACTIONAL_ID'],
]);
const PATTERN: Record<string, number> = { any: 1, match: 2, literal: 3, prefixed: 4 };
const PATTERN_NAME = new Map([
  [3, 'LITERAL'],
  [4, 'PREFIXED'],
]);
const OPERATIONS: Record<string, number> = {
  all: 2,
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  clusteraction: 9,
  describeconfigs: 10,
  alterconfigs: 11,
  idempotentwrite: 12,
};
const OPERATION_NAME = new Map(
  Object.entries({
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
  }).map(([k, v]) => [v, k]),
);
const ALLOW = 3;
const DENY = 2;
const ANY = 1;

interface Resource {
  resourceType: number;
  resourceName: string;
}

interface AclEntry extends Resource {
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export function registerAcls(program: Command): void {
  program
    .command('acls')
    .description('add, list and remove ACLs (like kafka-acls.sh)')
    .option('--add', 'add ACLs')
    .option('--remove', 'remove ACLs')
    .option('--list', 'list ACLs (of the given resources, or all)')
    .option('--allow-principal <principal>', 'User:<name> to allow (repeatable)', collect)
    .option('--deny-principal <principal>', 'User:<name> to deny (repeatable)', collect)
    .option('--principal <principal>', 'with --list: only ACLs of this principal', collect)
    .option('--allow-host <host>', 'host the allow applies to (default *)', collect)
    .option('--deny-host <host>', 'host the deny applies to (default *)', collect)
    .option(
      '--operation <operation>',
      'Read, Write, Describe, ... (repeatable; default All)',
      collect,
    )
    .option('--topic <topic>', "a topic ('*' = every topic) (repeatable)", collect)
    .option('--group <group>', "a consumer group ('*' = every group) (repeatable)", collect)
    .option('--cluster', 'the cluster')
    .option('--transactional-id <id>', 'a transactional id (repeatable)', collect)
    .option(
      '--resource-pattern-type <type>',
      'literal, prefixed; with --list/--remove also any, match',
      'literal',
    )
    .option('--producer', 'the ACLs a producer needs (Write, Describe, Create on the topics)')
    .option(
      '--consumer',
      'the ACLs a consumer needs (Read, Describe on the topics, Read on --group)',
    )
    .option('--idempotent', 'with --producer: IdempotentWrite on the cluster')
    .option('--force', 'accepted for kafka-acls.sh compatibility (nothing is asked anyway)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: AclsOptions, command: Command) => {
      const actions = [options.add, options.remove, options.list].filter(Boolean).length;
      if (actions !== 1) throw usageError('give exactly one of --add, --remove and --list');
      const pattern = PATTERN[options.resourcePatternType.toLowerCase()];
      if (pattern === undefined)
        throw usageError(`--resource-pattern-type must be literal, prefixed, any or match`);
      if (options.add && pattern !== PATTERN.literal && pattern !== PATTERN.prefixed)
        throw usageError('--add needs --resource-pattern-type literal or prefixed');
      if (options.list) return listAcls(command, options, pattern);
      const entries = aclEntries(options, pattern);
      if (options.add) return addAcls(command, entries);
      return removeAcls(command, options, entries, pattern);
    });
}

function principals(flag: string, values: string[] | undefined): string[] {
  for (const p of values ?? [])
    if (!/^[A-Za-z]+:.+$/.test(p)) throw usageError(`${flag} ${p}: expected User:<name>`);
  return values ?? [];
}

function resourcesOf(o: AclsOptions): Resource[] {
  return [
    ...(o.topic ?? []).map((n) => ({ resourceType: RESOURCE.TOPIC, resourceName: n })),
    ...(o.group ?? []).map((n) => ({ resourceType: RESOURCE.GROUP, resourceName: n })),
    ...(o.transactionalId ?? []).map((n) => ({
      resourceType: RESOURCE.TRANSACTIONAL_ID,
      resourceName: n,
    })),
    ...(o.cluster ? [{ resourceType: RESOURCE.CLUSTER, resourceName: 'kafka-cluster' }] : []),
  ];
}

/** Operations per resource: the --operation list, or what --producer / --consumer stand for. */
function operationsFor(o: AclsOptions, r: Resource): number[] {
  if (o.producer || o.consumer) {
    const ops: number[] = [];
    if (r.resourceType === RESOURCE.TOPIC) {
      if (o.producer) ops.push(OPERATIONS.write, OPERATIONS.describe, OPERATIONS.create);
      if (o.consumer) ops.push(OPERATIONS.read, OPERATIONS.describe);
    }
    if (r.resourceType === RESOURCE.GROUP && o.consumer) ops.push(OPERATIONS.read);
    if (r.resourceType === RESOURCE.TRANSACTIONAL_ID && o.producer)
      ops.push(OPERATIONS.write, OPERATIONS.describe);
    if (r.resourceType === RESOURCE.CLUSTER && o.producer && o.idempotent)
      ops.push(OPERATIONS.idempotentwrite);
    return [...new Set(ops)];
  }
  return (o.operation ?? ['All']).map((name) => {
    const op = OPERATIONS[name.toLowerCase().replace(/[_-]/g, '')];
    if (op === undefined) throw usageError(`--operation ${name} is not a Kafka ACL operation`);
    return op;
  });
}

function aclEntries(o: AclsOptions, pattern: number): AclEntry[] {
  const allow = principals('--allow-principal', o.allowPrincipal);
  const deny = principals('--deny-principal', o.denyPrincipal);
  const resources = resourcesOf(o);
  if (o.producer && o.idempotent && !resources.some((r) => r.resourceType === RESOURCE.CLUSTER))
    resources.push({ resourceType: RESOURCE.CLUSTER, resourceName: 'kafka-cluster' });
  if (o.add && resources.length === 0)
    throw usageError('name a resource: --topic, --group, --cluster or --transactional-id');
  if (o.add && allow.length + deny.length === 0)
    throw usageError('--add needs --allow-principal or --deny-principal');
  if ((o.producer || o.consumer) && deny.length > 0)
    throw usageError('--producer and --consumer add ALLOW ACLs only');
  if (o.consumer && !(o.group?.length ?? 0) && o.add) throw usageError('--consumer needs --group');
  const entries: AclEntry[] = [];
  for (const r of resources) {
    const ops = operationsFor(o, r);
    for (const [who, hosts, permissionType] of [
      [allow, o.allowHost ?? ['*'], ALLOW],
      [deny, o.denyHost ?? ['*'], DENY],
    ] as const)
      for (const principal of who)
        for (const host of hosts)
          for (const operation of ops)
            entries.push({
              ...r,
              resourcePatternType: pattern,
              principal,
              host,
              operation,
              permissionType,
            });
  }
  return entries;
}

const describeResource = (r: Resource, pattern: number) =>
  `ResourcePattern(resourceType=${RESOURCE_NAME.get(r.resourceType) ?? r.resourceType}, name=${r.resourceName}, patternType=${PATTERN_NAME.get(pattern) ?? pattern})`;
const describeEntry = (a: {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}) =>
  `\t(principal=${a.principal}, host=${a.host}, operation=${OPERATION_NAME.get(a.operation) ?? a.operation}, permissionType=${a.permissionType === ALLOW ? 'ALLOW' : 'DENY'})`;

function printGrouped(title: string, acls: AclEntry[]): void {
  const groups = new Map<string, AclEntry[]>();
  for (const a of acls) {
    const key = describeResource(a, a.resourcePatternType);
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  for (const [resource, list] of groups)
    out(`${title} \`${resource}\`:\n${list.map(describeEntry).join('\n')}\n\n`);
}

function failure(code: number, message: string | null | undefined, what: string): CliError {
  const hint =
    code === 31
      ? ' (CLUSTER_AUTHORIZATION_FAILED: ACLs are managed by super users or principals with ALTER on the cluster)'
      : code === 54
        ? ' (SECURITY_DISABLED: the broker has no authorizer.class.name)'
        : '';
  return new CliError(
    code === 31 ? 'NOT_AUTHORIZED' : 'KAFKA_ERROR',
    `${what}: ${message ?? `error ${code}`}${hint}`,
  );
}

async function addAcls(command: Command, entries: AclEntry[]): Promise<void> {
  const { withAdminConnection, responseOf, createAclsV3 } = await protocol();
  const response = await withAdminConnection(command, (c) =>
    createAclsV3.api
      .async(c, entries as never)
      .catch((err: unknown) => responseOf<Awaited<ReturnType<typeof createAclsV3.api.async>>>(err)),
  );
  const failed = response.results.findIndex((r) => r.errorCode !== 0);
  if (failed >= 0) {
    const r = response.results[failed];
    throw failure(
      r.errorCode,
      r.errorMessage,
      `cannot add ${describeEntry(entries[failed]).trim()}`,
    );
  }
  printGrouped('Adding ACLs for resource', entries);
}

function filterOf(r: Resource | null, pattern: number, principal: string | null) {
  return {
    resourceType: r?.resourceType ?? RESOURCE.ANY,
    resourceName: r?.resourceName ?? null,
    resourcePatternType: r ? pattern : ANY,
    principal,
    host: null,
    operation: ANY,
    permissionType: ANY,
  };
}

async function listAcls(command: Command, o: AclsOptions, pattern: number): Promise<void> {
  const { withAdminConnection, responseOf, describeAclsV3 } = await protocol();
  const resources = resourcesOf(o);
  const who = principals('--principal', o.principal);
  const filters = (resources.length > 0 ? resources : [null]).flatMap((r) =>
    (who.length > 0 ? who : [null]).map((p) => filterOf(r, pattern, p)),
  );
  const found: AclEntry[] = [];
  await withAdminConnection(command, async (c) => {
    for (const f of filters) {
      const res = await describeAclsV3.api
        .async(c, f as never)
        .catch((err: unknown) =>
          responseOf<Awaited<ReturnType<typeof describeAclsV3.api.async>>>(err),
        );
      if (res.errorCode !== 0) throw failure(res.errorCode, res.errorMessage, 'cannot list ACLs');
      for (const r of res.resources)
        for (const a of r.acls)
          found.push({
            resourceType: r.resourceType,
            resourceName: r.resourceName,
            resourcePatternType: r.resourcePatternType,
            ...a,
          });
    }
  });
  printGrouped('Current ACLs for resource', found);
}

async function removeAcls(
  command: Command,
  o: AclsOptions,
  entries: AclEntry[],
  pattern: number,
): Promise<void> {
  const { withAdminConnection, responseOf, deleteAclsV3 } = await protocol();
  const resources = resourcesOf(o);
  if (resources.length === 0)
    throw usageError('name a resource: --topic, --group, --cluster or --transactional-id');
  // With principals: exactly those ACLs. Without: every ACL of the resources.
  const filters =
    entries.length > 0
      ? entries.map((e) => ({ ...e, resourcePatternType: pattern }))
      : resources.map((r) => filterOf(r, pattern, null));
  const response = await withAdminConnection(command, (c) =>
    deleteAclsV3.api
      .async(c, filters as never)
      .catch((err: unknown) => responseOf<Awaited<ReturnType<typeof deleteAclsV3.api.async>>>(err)),
  );
  const failed = response.filterResults.find((r) => r.errorCode !== 0);
  if (failed) throw failure(failed.errorCode, failed.errorMessage, 'cannot remove ACLs');
  const removed = response.filterResults.flatMap((r) =>
    r.matchingAcls.map((a) => ({ ...a, resourcePatternType: a.resourcePatternType })),
  ) as AclEntry[];
  if (removed.length === 0) out('No ACL matched: nothing removed.\n');
  else printGrouped('Removed ACLs for resource', removed);
}
