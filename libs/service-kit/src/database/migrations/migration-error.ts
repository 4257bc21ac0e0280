export type MigrationErrorCode =
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_FAILED'
  | 'MIGRATION_PREVIOUSLY_FAILED'
  | 'MIGRATIONS_DIR_INVALID';

export class MigrationError extends Error {
  readonly code: MigrationErrorCode;
  /** The migrations the error is about (directory names). */
  readonly migrations: readonly string[];

  constructor(
    code: MigrationErrorCode,
    message: string,
    migrations: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
    this.code = code;
    this.migrations = migrations;
  }
}
