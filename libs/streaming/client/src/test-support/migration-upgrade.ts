import { applyMigrations, createLogger } from '@retail-streams/service-kit';
import { schemaSnapshot, type TestPostgres } from '@retail-streams/service-kit/testing';
import { streamingClientMigrationsDir } from '../outbox/outbox-schema.ts';

export interface ServiceMigrations {
  /** The service's `prisma/migrations` as it is now. */
  migrationsDir: string;
  /** The service's migrations as released while it created the streaming client's tables itself. */
  previousMigrationsDir: string;
}

/**
 * Migrates one database as the previous release did (the service's own migrations, outbox tables
 * included), then upgrades it as the service does now (its migrations with this library's), and
 * migrates a second, empty database the new way: a service's test expects the upgrade to go through
 * and both schemas to be the same.
 */
export async function upgradeFromServiceOwnedTables(
  postgres: TestPostgres,
  name: string,
  migrations: ServiceMigrations,
) {
  const logger = createLogger('migration-upgrade', { level: 'silent' });
  const current = {
    migrationsDir: migrations.migrationsDir,
    libraryMigrationsDirs: [streamingClientMigrationsDir],
    logger,
  };
  const upgradedUrl = await postgres.createDatabase(`${name}_upgraded`);
  await applyMigrations({
    databaseUrl: upgradedUrl,
    migrationsDir: migrations.previousMigrationsDir,
    logger,
  });
  const upgrade = await applyMigrations({ databaseUrl: upgradedUrl, ...current });
  const freshUrl = await postgres.createDatabase(`${name}_fresh`);
  await applyMigrations({ databaseUrl: freshUrl, ...current });
  return {
    upgrade,
    upgradedUrl,
    upgraded: await schemaSnapshot(upgradedUrl),
    fresh: await schemaSnapshot(freshUrl),
  };
}
