export { applyMigrations, MIGRATION_ADVISORY_LOCK_KEY } from './migrations/apply-migrations.ts';
export type { ApplyMigrationsOptions, MigrationReport } from './migrations/apply-migrations.ts';
export { MigrationError } from './migrations/migration-error.ts';
export type { MigrationErrorCode } from './migrations/migration-error.ts';
export { checksumMatches, readMigrationFiles, sha256Hex } from './migrations/migration-files.ts';
export type { MigrationFile } from './migrations/migration-files.ts';
export { ensureDatabase, quoteIdentifier } from './ensure-database.ts';
export { createPrismaClient, prismaReadinessCheck } from './prisma-client.ts';
export type { PrismaClientOptions } from './prisma-client.ts';
