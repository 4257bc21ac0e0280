import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ComposeFile } from '../compose-file.ts';
import { environmentOf, repoRoot } from '../compose-file.ts';

/** Where the postgres image runs scripts from, once, on an empty data directory. */
const INIT_DIR = '/docker-entrypoint-initdb.d';
/** The port the postgres image's server listens on inside its container. */
export const POSTGRES_PORT = 5432;

/** What the postgres image sets up on first start, read from the compose service. */
export interface PostgresSetup {
  service: string;
  /** POSTGRES_USER: the superuser initdb creates (default `postgres`). */
  user: string;
  password: string;
  /** POSTGRES_DB: created after initdb (default: the user's name); the init scripts run in it. */
  database: string;
  /** The mounted init scripts, as files of this repository, in the order the image runs them. */
  initScripts: string[];
}

/** The service running the official postgres image, and what its entrypoint would set up. */
export function readPostgresService(compose: ComposeFile): {
  setup?: PostgresSetup;
  problems: string[];
} {
  const service = Object.keys(compose.services).find((name) =>
    /^postgres(:|$)/.test(compose.services[name]?.image ?? ''),
  );
  if (!service) return { problems: ['no service runs the postgres image'] };
  const env = environmentOf(compose, service);
  const problems: string[] = [];
  if (!env['POSTGRES_PASSWORD'] && env['POSTGRES_HOST_AUTH_METHOD'] !== 'trust')
    problems.push(
      `${service}: POSTGRES_PASSWORD is not set: the image refuses to initialise ("superuser password is not specified")`,
    );
  if (env['PGPORT'] && Number(env['PGPORT']) !== POSTGRES_PORT)
    problems.push(
      `${service}: PGPORT moves the server off ${POSTGRES_PORT}; this check assumes it`,
    );
  const user = env['POSTGRES_USER'] || 'postgres';
  const initScripts = mountedInitScripts(compose, service);
  if (initScripts.length === 0)
    problems.push(`${service}: nothing is mounted into ${INIT_DIR}, so no service database exists`);
  return {
    setup: {
      service,
      user,
      password: env['POSTGRES_PASSWORD'] ?? '',
      database: env['POSTGRES_DB'] || user,
      initScripts,
    },
    problems,
  };
}

/** The .sql files bind-mounted into the init directory (a file, or a directory of them), sorted. */
function mountedInitScripts(compose: ComposeFile, service: string): string[] {
  const scripts: string[] = [];
  for (const volume of compose.services[service]?.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!source?.startsWith('.') || !target?.startsWith(INIT_DIR)) continue;
    const path = join(repoRoot, source);
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory())
      scripts.push(
        ...readdirSync(path)
          .filter((file) => file.endsWith('.sql'))
          .map((file) => join(path, file)),
      );
    else if (path.endsWith('.sql')) scripts.push(path);
  }
  return scripts.sort();
}

/**
 * Each service's DATABASE_URL against what the image creates: the postgres service's name and port,
 * the superuser and password it was given. (Whether the database exists is for the real server to
 * say: see postgres-image.test.ts, which runs the init scripts.)
 */
export function databaseUrlProblems(compose: ComposeFile, setup: PostgresSetup): string[] {
  const problems: string[] = [];
  for (const service of Object.keys(compose.services)) {
    const value = environmentOf(compose, service)['DATABASE_URL'];
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      problems.push(`${service}: DATABASE_URL is not a URL`);
      continue;
    }
    const say = (what: string) => problems.push(`${service}: DATABASE_URL ${what}`);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
      say(`has scheme ${url.protocol}, expected postgres: or postgresql:`);
    if (
      url.hostname !== setup.service &&
      compose.services[setup.service]?.hostname !== url.hostname
    )
      say(`points at ${url.hostname}, but PostgreSQL is the ${setup.service} service`);
    if (Number(url.port || POSTGRES_PORT) !== POSTGRES_PORT)
      say(
        `uses port ${url.port}; inside the network PostgreSQL listens on ${POSTGRES_PORT} (the published port is for the host)`,
      );
    if (decodeURIComponent(url.username) !== setup.user)
      say(
        `logs in as ${decodeURIComponent(url.username) || '(nobody)'}, but the only role is ${setup.user} (POSTGRES_USER)`,
      );
    if (decodeURIComponent(url.password) !== setup.password)
      say(`has a password other than ${setup.service}'s POSTGRES_PASSWORD`);
    if (url.pathname.length <= 1) say('names no database');
  }
  return problems;
}

/**
 * The postgres healthcheck must probe over TCP. While the init scripts run, the image's temporary
 * server listens on the Unix socket only, so a socket probe turns healthy before the service
 * databases exist, and services that wait for `service_healthy` start too early.
 */
export function healthcheckProblems(compose: ComposeFile, setup: PostgresSetup): string[] {
  const test = compose.services[setup.service]?.healthcheck?.test;
  const command = Array.isArray(test) ? test.slice(1).join(' ') : (test ?? '');
  if (!/pg_isready/.test(command))
    return [`${setup.service}: the healthcheck does not run pg_isready`];
  if (!/(^|\s)(-h|--host)(\s+|=)[^\s/]/.test(command))
    return [
      `${setup.service}: the healthcheck runs pg_isready without a TCP host (-h), so it probes the Unix socket, where the image's temporary init server already answers: give it -h 127.0.0.1`,
    ];
  return [];
}
