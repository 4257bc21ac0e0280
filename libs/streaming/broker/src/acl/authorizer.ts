import type { ResolvedAuthorizer } from '../config/broker-options.ts';
import type { AclStore } from './acl-store.ts';
import {
  AclOperation,
  IMPLIED_BY,
  PatternType,
  PermissionType,
  WILDCARD,
  WILDCARD_PRINCIPAL,
} from './acl-types.ts';
import type { AclBinding } from './acl-types.ts';

/** Largest number of cached decisions before the cache starts over. */
const CACHE_LIMIT = 50_000;

/**
 * Kafka's ACL decision (AclAuthorizer / StandardAuthorizer):
 * - a super user (`super.users`) may do everything;
 * - the ACLs that apply to a resource are the literal ones for its name, the literal `*` ones and
 *   the prefixed ones whose prefix starts its name;
 * - none at all: allowed only with `allow.everyone.if.no.acl.found=true`;
 * - a DENY for the principal (or `User:*`), the host (or `*`) and the operation (or ALL) wins;
 * - else an ALLOW for the same, where READ, WRITE, DELETE and ALTER imply DESCRIBE and
 *   ALTER_CONFIGS implies DESCRIBE_CONFIGS.
 * Decisions are cached until the ACLs change: Produce and Fetch ask on every request.
 */
export class Authorizer {
  readonly #store: AclStore;
  readonly #superUsers: Set<string>;
  readonly #allowIfNoAcl: boolean;
  readonly #cache = new Map<string, boolean>();

  constructor(store: AclStore, options: ResolvedAuthorizer) {
    this.#store = store;
    this.#superUsers = new Set(options.superUsers);
    this.#allowIfNoAcl = options.allowEveryoneIfNoAclFound;
    store.onChange(() => this.#cache.clear());
  }

  isSuperUser(principal: string): boolean {
    return this.#superUsers.has(principal);
  }

  authorize(
    principal: string,
    host: string,
    operation: AclOperation,
    resourceType: number,
    name: string,
  ): boolean {
    if (this.#superUsers.has(principal)) return true;
    const key = `${operation}\u0000${resourceType}\u0000${principal}\u0000${host}\u0000${name}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const decision = this.#decide(principal, host, operation, resourceType, name);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, decision);
    return decision;
  }

  /**
   * Whether the principal may do `operation` on at least one resource of the type (Kafka's
   * authorizeByResourceType: an idempotent producer needs WRITE on some topic). An ALLOW counts
   * unless a DENY covers everything it covers: a DENY on `*`, on the same literal name, or a
   * prefixed DENY that is a prefix of it.
   */
  authorizeByResourceType(
    principal: string,
    host: string,
    operation: AclOperation,
    resourceType: number,
  ): boolean {
    if (this.#superUsers.has(principal)) return true;
    const applies = (acl: AclBinding) =>
      acl.resourceType === resourceType && this.#matchesWho(acl, principal, host);
    const acls = this.#store.all().filter(applies);
    const denies = acls.filter(
      (a) =>
        a.permissionType === PermissionType.DENY &&
        (a.operation === operation || a.operation === AclOperation.ALL),
    );
    if (denies.some((d) => d.patternType === PatternType.LITERAL && d.resourceName === WILDCARD))
      return false;
    const allowedOps = [operation, AclOperation.ALL, ...(IMPLIED_BY[operation] ?? [])];
    const allowed = acls.some(
      (a) =>
        a.permissionType === PermissionType.ALLOW &&
        allowedOps.includes(a.operation) &&
        !denies.some(
          (d) =>
            (d.patternType === PatternType.PREFIXED && a.resourceName.startsWith(d.resourceName)) ||
            (a.patternType === PatternType.LITERAL &&
              d.patternType === PatternType.LITERAL &&
              d.resourceName === a.resourceName),
        ),
    );
    if (allowed) return true;
    return this.#allowIfNoAcl && !this.#store.all().some((a) => a.resourceType === resourceType);
  }

  #decide(
    principal: string,
    host: string,
    operation: AclOperation,
    resourceType: number,
    name: string,
  ): boolean {
    const acls = this.#store
      .all()
      .filter(
        (a) =>
          a.resourceType === resourceType &&
          (a.patternType === PatternType.LITERAL
            ? a.resourceName === name || a.resourceName === WILDCARD
            : a.patternType === PatternType.PREFIXED && name.startsWith(a.resourceName)),
      );
    if (acls.length === 0) return this.#allowIfNoAcl;
    const mine = acls.filter((a) => this.#matchesWho(a, principal, host));
    const denied = mine.some(
      (a) =>
        a.permissionType === PermissionType.DENY &&
        (a.operation === operation || a.operation === AclOperation.ALL),
    );
    if (denied) return false;
    const allowedOps = IMPLIED_BY[operation] ?? [operation];
    return mine.some(
      (a) =>
        a.permissionType === PermissionType.ALLOW &&
        (a.operation === AclOperation.ALL || allowedOps.includes(a.operation)),
    );
  }

  #matchesWho(acl: AclBinding, principal: string, host: string): boolean {
    return (
      (acl.principal === principal || acl.principal === WILDCARD_PRINCIPAL) &&
      (acl.host === host || acl.host === WILDCARD)
    );
  }
}
