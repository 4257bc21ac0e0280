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
  /**
   * Checksums of earlier versions of this file that databases may have recorded, declared in the file
   * itself (`-- replaces checksum <sha256 hex>: why`). See `replacedChecksums`.
   */
  replacedChecksums: string[];
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
    const sql = bytes.toString('utf8');
    return { name, sql, checksum: sha256Hex(bytes), replacedChecksums: replacedChecksums(sql) };
  });
}

/**
 * Reads several migrations directories as one history: a service's own and those of the libraries
 * whose tables it holds (the streaming client's outbox and inbox). Names are timestamps, so the
 * merged list is still in time order; a name found in two directories is an error, since
 * `_prisma_migrations` tells migrations apart by name alone.
 */
export function readMigrationDirs(migrationsDirs: readonly string[]): MigrationFile[] {
  const byName = new Map<string, { file: MigrationFile; dir: string }>();
  for (const dir of migrationsDirs) {
    for (const file of readMigrationFiles(dir)) {
      const clash = byName.get(file.name);
      if (clash) {
        throw new MigrationError(
          'MIGRATIONS_DIR_INVALID',
          `migration ${file.name} is in both ${clash.dir} and ${dir}; rename one (names must be unique ` +
            `across a database's migrations)`,
          [file.name],
        );
      }
      byName.set(file.name, { file, dir });
    }
  }
  return [...byName.values()]
    .map((entry) => entry.file)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const REPLACED_CHECKSUM = /^-- replaces checksum ([0-9a-f]{64})\b/gm;

/**
 * The checksums a migration declares it replaces. A migration is immutable once applied, with one
 * sanctioned exception: moving statements out into a migration that recreates them idempotently
 * (as the outbox tables moved from each service's first migration into the streaming client's own).
 * Databases that applied the old file recorded its checksum; the new file names that checksum in a
 * comment line, so the change is explicit, reviewed with the file, and accepted nowhere else.
 */
export function replacedChecksums(sql: string): string[] {
  return [...sql.matchAll(REPLACED_CHECKSUM)].map((match) => match[1] ?? '');
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
