export { applyMigrations, MIGRATION_ADVISORY_LOCK_KEY } from './migrations/apply-migrations.ts';
export type { ApplyMigrationsOptions, MigrationReport } from './migrations/apply-migrations.ts';
export { MigrationError } from './migrations/migration-error.ts';
export type { MigrationErrorCode } from './migrations/migration-error.ts';
export {
  checksumMatches,
  readMigrationDirs,
  readMigrationFiles,
  replacedChecksums,
  sha256Hex,
} from './migrations/migration-files.ts';
export type { MigrationFile } from './migrations/migration-files.ts';
export { ensureDatabase, quoteIdentifier } from './ensure-database.ts';
export { createPrismaClient, prismaReadinessCheck, sqlClientOf } from './prisma-client.ts';
export { SqlClient } from './sql-client.ts';
export type { SqlClientOptions } from './sql-client.ts';
export type { PrismaClientOptions } from './prisma-client.ts';
