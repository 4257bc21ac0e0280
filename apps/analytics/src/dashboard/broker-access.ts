import kafkajs, { Kafka, logLevel, type Admin, type DescribeAclResource } from 'kafkajs';
import { kafkajsSecurity } from '@retail-streams/streaming-client';
import type { MonitorConnection } from './monitor-connection.ts';

// kafkajs's ACL enums exist on its CommonJS export only (not as ESM named exports).
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** What one principal may (or may not) do, per operation, as the broker's ACLs say. */
export interface PrincipalAccessView {
  /** `User:sales`. */
  principal: string;
  rules: Array<{
    operation: string;
    permission: 'ALLOW' | 'DENY';
    /** `topic sales.order-placed`, `group sales*` (a prefix), `cluster`; `@host` when not any host. */
    resources: string[];
  }>;
}

export interface BrokerAccessSnapshot {
  generatedAt: string;
  /** False when the broker runs without an authorizer: then everyone may touch everything. */
  authorizer: boolean;
  principals: PrincipalAccessView[];
}

/**
 * Who may touch what, read from the broker's own ACLs (DescribeAcls, through the dashboard's
 * monitor connection): the truth the broker enforces, not what the registry intended.
 */
export class BrokerAccessMonitor {
  readonly #kafka: Kafka;
  readonly #maxAgeMs: number;
  #cached: { at: number; snapshot: BrokerAccessSnapshot } | undefined;
  #inFlight: Promise<BrokerAccessSnapshot> | undefined;
  #admin: Promise<Admin> | undefined;

  constructor(connection: MonitorConnection & { maxAgeMs?: number }) {
    this.#kafka = new Kafka({
      brokers: [...connection.brokers],
      ...kafkajsSecurity(connection.security),
      clientId: 'analytics-dashboard',
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
    });
    this.#maxAgeMs = connection.maxAgeMs ?? 5_000;
  }

  async snapshot(): Promise<BrokerAccessSnapshot> {
    if (this.#cached && Date.now() - this.#cached.at < this.#maxAgeMs) return this.#cached.snapshot;
    this.#inFlight ??= this.#read().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect().catch(() => undefined);
  }

  async #read(): Promise<BrokerAccessSnapshot> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      return admin;
    })();
    try {
      const admin = await this.#admin;
      const snapshot = await readAccess(admin);
      this.#cached = { at: Date.now(), snapshot };
      return snapshot;
    } catch (error) {
      // A broken connection (broker restarted) is replaced on the next round.
      await this.close();
      throw error;
    }
  }
}

async function readAccess(admin: Admin): Promise<BrokerAccessSnapshot> {
  const generatedAt = new Date().toISOString();
  let resources: DescribeAclResource[];
  try {
    ({ resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    }));
  } catch (error) {
    // Kafka's answer when no authorizer is configured: there is nothing to enforce.
    if ((error as { type?: string }).type === 'SECURITY_DISABLED')
      return { generatedAt, authorizer: false, principals: [] };
    throw error;
  }
  return { generatedAt, authorizer: true, principals: principalViews(resources) };
}

/** The ACLs regrouped by principal, then by operation and permission. */
export function principalViews(resources: readonly DescribeAclResource[]): PrincipalAccessView[] {
  const byPrincipal = new Map<string, Map<string, Set<string>>>();
  for (const resource of resources) {
    const label = resourceLabel(resource);
    for (const acl of resource.acls) {
      const rules = byPrincipal.get(acl.principal) ?? new Map<string, Set<string>>();
      byPrincipal.set(acl.principal, rules);
      const key = `${nameOf(AclPermissionTypes, acl.permissionType)} ${nameOf(AclOperationTypes, acl.operation)}`;
      const set = rules.get(key) ?? new Set<string>();
      rules.set(key, set);
      set.add(acl.host === '*' ? label : `${label} @${acl.host}`);
    }
  }
  return [...byPrincipal]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([principal, rules]) => ({
      principal,
      rules: [...rules]
        .map(([key, set]) => {
          const [permission, operation] = key.split(' ') as ['ALLOW' | 'DENY', string];
          return { operation, permission, resources: [...set].sort() };
        })
        .sort((a, b) => OPERATION_ORDER(a.operation) - OPERATION_ORDER(b.operation)),
    }));
}

const ORDER = ['WRITE', 'READ', 'CREATE', 'DESCRIBE'];
const OPERATION_ORDER = (operation: string) =>
  ORDER.includes(operation) ? ORDER.indexOf(operation) : ORDER.length;

function resourceLabel(resource: DescribeAclResource): string {
  const type = (nameOf(AclResourceTypes, resource.resourceType) ?? 'unknown').toLowerCase();
  if (type === 'cluster') return 'cluster';
  const prefixed = resource.resourcePatternType === ResourcePatternTypes.PREFIXED;
  return `${type.replace('_', ' ')} ${resource.resourceName}${prefixed ? '*' : ''}`;
}

/** kafkajs's enums are plain objects without reverse mappings. */
function nameOf(values: object, code: number): string | undefined {
  return Object.entries(values).find(([, value]) => value === code)?.[0];
}
