import path from 'node:path';
import { readMetadataFile, writeMetadataFile } from '../storage/metadata-file.ts';
import { AclOperation, PatternType, PermissionType, ResourceType, WILDCARD } from './acl-types.ts';
import type { AclBinding, AclFilter } from './acl-types.ts';

export const ACLS_FILE = '__acls.json';

interface AclsFile {
  version: 1;
  acls: AclBinding[];
}

/** Whether a filter (DescribeAcls, DeleteAcls) selects an ACL: Kafka's AclBindingFilter.matches. */
export function filterMatches(filter: AclFilter, acl: AclBinding): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== acl.resourceType)
    return false;
  const pattern = filter.patternType;
  if (pattern !== PatternType.ANY && pattern !== PatternType.MATCH && pattern !== acl.patternType)
    return false;
  if (filter.resourceName !== null) {
    if (pattern === PatternType.ANY || pattern === acl.patternType) {
      if (filter.resourceName !== acl.resourceName) return false;
    } else if (acl.patternType === PatternType.LITERAL) {
      if (filter.resourceName !== acl.resourceName && acl.resourceName !== WILDCARD) return false;
    } else if (!filter.resourceName.startsWith(acl.resourceName)) {
      return false;
    }
  }
  if (filter.principal !== null && filter.principal !== acl.principal) return false;
  if (filter.host !== null && filter.host !== acl.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== acl.operation) return false;
  if (filter.permissionType !== PermissionType.ANY && filter.permissionType !== acl.permissionType)
    return false;
  return true;
}

const sameAcl = (a: AclBinding, b: AclBinding) =>
  a.resourceType === b.resourceType &&
  a.resourceName === b.resourceName &&
  a.patternType === b.patternType &&
  a.principal === b.principal &&
  a.host === b.host &&
  a.operation === b.operation &&
  a.permissionType === b.permissionType;

/**
 * Every ACL of the broker, in `<logDir>/__acls.json`, replaced atomically on each change so ACLs
 * survive restarts. Listeners (the authorizer's cache) hear about every change.
 */
export class AclStore {
  readonly #file: string;
  #acls: AclBinding[];
  readonly #listeners = new Set<() => void>();

  private constructor(file: string, acls: AclBinding[]) {
    this.#file = file;
    this.#acls = acls;
  }

  static open(logDir: string): AclStore {
    const file = path.join(logDir, ACLS_FILE);
    return new AclStore(file, readMetadataFile(file, parseAclsFile, { version: 1, acls: [] }).acls);
  }

  all(): readonly AclBinding[] {
    return this.#acls;
  }

  matching(filter: AclFilter): AclBinding[] {
    return this.#acls.filter((acl) => filterMatches(filter, acl));
  }

  /** Adds the ACLs that are not there yet (adding an existing ACL is not an error, as in Kafka). */
  add(acls: readonly AclBinding[]): void {
    const next = [...this.#acls];
    for (const acl of acls) if (!next.some((a) => sameAcl(a, acl))) next.push(acl);
    this.#replace(next);
  }

  /** Removes every ACL any filter selects; returns, per filter, the ACLs it removed (each ACL once). */
  remove(filters: readonly AclFilter[]): AclBinding[][] {
    const removed: AclBinding[][] = filters.map(() => []);
    const next = this.#acls.filter((acl) => {
      const i = filters.findIndex((f) => filterMatches(f, acl));
      if (i < 0) return true;
      removed[i].push(acl);
      return false;
    });
    if (next.length !== this.#acls.length) this.#replace(next);
    return removed;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #replace(next: AclBinding[]): void {
    writeMetadataFile(this.#file, { version: 1, acls: next } satisfies AclsFile);
    this.#acls = next;
    for (const l of this.#listeners) l();
  }
}

function parseAclsFile(data: unknown): AclsFile {
  const d = data as Partial<AclsFile> | null;
  if (!d || d.version !== 1 || !Array.isArray(d.acls)) throw new Error('unknown format');
  for (const a of d.acls) {
    if (
      typeof a?.resourceName !== 'string' ||
      typeof a.principal !== 'string' ||
      typeof a.host !== 'string' ||
      ![a.resourceType, a.patternType, a.operation, a.permissionType].every(Number.isInteger)
    )
      throw new Error('malformed ACL entry');
  }
  return d as AclsFile;
}
