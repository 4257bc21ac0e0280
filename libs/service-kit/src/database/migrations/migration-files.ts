import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationError } from './migration-error.ts';

export interface MigrationFile {
  /** The directory name, `<timestamp>_<name>`: also the `migration_name` Prisma records. */
  name: string;
  sql: string;
  /** sha256 of the file as it is on disk, hex: what `prisma migrate` stores in `checksum`. */
  checksum: string;
}

/**
 * Reads `migrations/<timestamp>_<name>/migration.sql` in Prisma's layout, in name order (which is
 * time order, since names start with the timestamp). `migration_lock.toml` and other plain files
 * are skipped; a migration directory without its `migration.sql` is an error, as it is for Prisma.
 */
export function readMigrationFiles(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) {
    throw new MigrationError(
      'MIGRATIONS_DIR_INVALID',
      `migrations directory ${migrationsDir} does not exist`,
      [],
    );
  }
  const names = readdirSync(migrationsDir)
    .filter((entry) => statSync(join(migrationsDir, entry)).isDirectory())
    .sort();
  return names.map((name) => {
    const file = join(migrationsDir, name, 'migration.sql');
    if (!existsSync(file)) {
      throw new MigrationError(
        'MIGRATIONS_DIR_INVALID',
        `migration ${name} has no migration.sql (${file})`,
        [name],
      );
    }
    const bytes = readFileSync(file);
    return { name, sql: bytes.toString('utf8'), checksum: sha256Hex(bytes) };
  });
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Whether the recorded checksum belongs to this script. Like Prisma, a file whose only change is
 * its line endings (git's autocrlf on Windows checkouts) still matches.
 */
export function checksumMatches(sql: string, recorded: string): boolean {
  const lf = sql.replaceAll('\r\n', '\n');
  const crlf = lf.replaceAll('\n', '\r\n');
  return [sql, lf, crlf].some((variant) => sha256Hex(variant) === recorded);
}
