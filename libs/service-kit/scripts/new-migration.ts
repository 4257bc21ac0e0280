/**
 * Writes the next migration for a Prisma schema, offline (no Prisma engine download):
 *
 *   node libs/service-kit/scripts/new-migration.ts --schema apps/sales/prisma/schema.prisma --name add_outbox
 *
 * Prisma 7's `migrate dev/diff` need a native schema engine that cannot be downloaded here. Prisma
 * 6.19 can run its schema engine as WebAssembly (`engine: 'js'`) against an in-memory PGlite, so:
 *   1. the existing migrations are applied to a fresh PGlite,
 *   2. `prisma db pull` introspects that state (the schema the migrations produce),
 *   3. `prisma migrate diff` from that state to the schema file prints the SQL,
 * and the SQL goes into `<migrations>/<timestamp>_<name>/migration.sql`, Prisma's own layout.
 * Prisma 6 and PGlite are installed once into a cache outside the repository (~/.cache), since the
 * project itself is on Prisma 7. Review the SQL before committing it.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  cleanDiffSql,
  migrationDirectoryName,
  schemaFromPullOutput,
  withPlaceholderUrl,
} from './migration-authoring.ts';

const TOOLS = {
  prisma: '6.19.3',
  'pglite-prisma-adapter': '0.6.1',
  '@electric-sql/pglite': '0.5.16',
};

const { values } = parseArgs({
  options: {
    schema: { type: 'string' },
    name: { type: 'string' },
    migrations: { type: 'string' },
    print: { type: 'boolean', default: false },
  },
});
if (values.schema === undefined || (values.name === undefined && !values.print)) {
  console.error(
    'usage: new-migration.ts --schema <schema.prisma> --name <what_it_does> [--migrations <dir>] [--print]',
  );
  process.exit(2);
}
const schemaPath = resolve(values.schema);
const migrationsDir = resolve(values.migrations ?? join(dirname(schemaPath), 'migrations'));

const toolsDir = join(
  process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'),
  'retail-streams',
  'prisma6-diff',
);
ensureTools(toolsDir);

const work = mkdtempSync(join(tmpdir(), 'new-migration-'));
try {
  const newSchema = join(work, 'new.prisma');
  writeFileSync(newSchema, withPlaceholderUrl(readFileSync(schemaPath, 'utf8')));
  const hasMigrations =
    existsSync(migrationsDir) &&
    readdirSync(migrationsDir).some((entry) =>
      existsSync(join(migrationsDir, entry, 'migration.sql')),
    );

  let from: string[];
  if (hasMigrations) {
    const pulled = prisma(['db', 'pull', '--print', '--schema', newSchema], {
      MIGRATIONS_DIR: migrationsDir,
    });
    const oldSchema = join(work, 'old.prisma');
    writeFileSync(oldSchema, schemaFromPullOutput(pulled));
    from = ['--from-schema-datamodel', oldSchema];
  } else {
    from = ['--from-empty'];
  }
  const diff = cleanDiffSql(
    prisma(['migrate', 'diff', ...from, '--to-schema-datamodel', newSchema, '--script'], {}),
  );
  if (diff.empty) {
    console.log('The schema matches the migrations: nothing to write.');
  } else if (values.print || values.name === undefined) {
    process.stdout.write(diff.sql);
  } else {
    const directory = join(migrationsDir, migrationDirectoryName(new Date(), values.name));
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'migration.sql'), diff.sql);
    const lock = join(migrationsDir, 'migration_lock.toml');
    if (!existsSync(lock))
      writeFileSync(
        lock,
        '# Read by `prisma migrate`: the provider these migrations are written for.\nprovider = "postgresql"\n',
      );
    console.log(`Wrote ${join(directory, 'migration.sql')}:\n\n${diff.sql}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Runs the cached Prisma 6 CLI from the tools dir, where its prisma.config.ts lives. */
function prisma(args: string[], env: Record<string, string>): string {
  const result = spawnSync(
    process.execPath,
    [join(toolsDir, 'node_modules/prisma/build/index.js'), ...args],
    {
      cwd: toolsDir,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...env,
        // Prisma 6 checks for native engines it does not use with engine 'js'; any file satisfies it.
        PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
        PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`prisma ${args.slice(0, 2).join(' ')} failed`);
  }
  return result.stdout;
}

function ensureTools(dir: string): void {
  const wanted = JSON.stringify(TOOLS);
  const marker = join(dir, 'installed.json');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wanted) {
    console.error(
      `Installing Prisma ${TOOLS.prisma} and PGlite for offline diffing into ${dir} (once)...`,
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'prisma6-diff', private: true, type: 'module' }),
    );
    const specs = Object.entries(TOOLS).map(([name, version]) => `${name}@${version}`);
    const install = spawnSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefix', dir, ...specs],
      {
        stdio: 'inherit',
        env: { ...process.env, PRISMA_SKIP_POSTINSTALL_GENERATE: '1' },
      },
    );
    if (install.status !== 0) throw new Error('could not install the Prisma 6 diff tools');
    writeFileSync(marker, wanted);
  }
  // Applies the existing migrations to the in-memory database the schema engine diffs against.
  writeFileSync(
    join(dir, 'prisma.config.ts'),
    `import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { defineConfig } from 'prisma/config';

// PGlite arms a 10 s interval timer that keeps the CLI alive after it has printed its answer;
// long timers are only timeouts here, so they must not hold the process open.
const nativeSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((callback, ms, ...args) => {
  const timer = nativeSetTimeout(callback, ms, ...args);
  if (typeof ms === 'number' && ms >= 5000) timer.unref?.();
  return timer;
}) as typeof setTimeout;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const db = new PGlite();
    const dir = process.env.MIGRATIONS_DIR;
    if (dir) {
      for (const name of readdirSync(dir).sort()) {
        const file = join(dir, name, 'migration.sql');
        if (existsSync(file)) await db.exec(readFileSync(file, 'utf8'));
      }
    }
    return new PrismaPGlite(db);
  },
});
`,
  );
}
