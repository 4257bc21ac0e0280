import kafkajs, { type Admin } from 'kafkajs';
import type { AclEntry } from './participant-acls.ts';

// kafkajs's ACL enums exist on its CommonJS export only (not as ESM named exports).
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * Makes `entries` the whole of the given principals' ACLs: whatever else they had is deleted first,
 * so a topic dropped from the registry loses its ACLs on the next start. Meant for a stack's start,
 * before the principals' clients connect (between the two steps they hold no ACL at all).
 */
export async function replaceAcls(
  admin: Admin,
  principals: readonly string[],
  entries: readonly AclEntry[],
): Promise<void> {
  if (principals.length > 0) {
    const deleted = await admin.deleteAcls({
      filters: principals.map((principal) => ({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        principal,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      })),
    });
    const failed = deleted.filterResponses.find((response) => response.errorCode !== 0);
    if (failed)
      throw new Error(
        `DeleteAcls failed (error ${failed.errorCode}): ${failed.errorMessage ?? 'no message'}`,
      );
  }
  if (entries.length === 0) return;
  await admin.createAcls({
    acl: entries.map((entry) => ({
      principal: entry.principal,
      host: '*',
      resourceType: AclResourceTypes[entry.resourceType],
      resourceName: entry.resourceName,
      resourcePatternType: ResourcePatternTypes[entry.patternType],
      operation: AclOperationTypes[entry.operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  });
}
