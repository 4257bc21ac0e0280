import { join } from 'node:path';
import type { ProcessSpec } from './managed-process.ts';
import type { PortMap } from './ports.ts';
import { NODE_MEMORY_FLAGS, serviceEnv } from './services.ts';
import type { ServiceEnvInput, ServiceName } from './services.ts';

/** The process that ships every service's access log to `logs.access`. */
export const ACCESS_LOG_CONNECTOR = 'connect-access-logs';

/** What every Node child of one stack shares. */
export interface NodeChildContext {
  /** Where the apps live. */
  root: string;
  ports: PortMap;
  /** The environment every Node child starts from (`childEnv`). */
  env: NodeJS.ProcessEnv;
  readyTimeoutMs: number;
}

/**
 * The environment every Node child starts from. Node's compile cache keeps the type-stripped sources
 * between runs (a large part of a cold start); test-runner variables are not passed on.
 */
export function childEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  }
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  // Shared by every stack (the demo, scenario runs, tests): the sources are the same.
  env.NODE_COMPILE_CACHE ??= join(root, 'node_modules', '.cache', 'node-compile');
  // Children never get a TTY (pipes): keep colour codes out of their JSON lines.
  env.FORCE_COLOR = '0';
  return env;
}

/**
 * The broker on 127.0.0.1, its log dir in the data folder; ready when it says so on stdout. With
 * `security` (the files of broker-security.ts) it serves the operator and SASL listeners with ACLs.
 */
export function brokerSpec(
  context: NodeChildContext,
  logDir: string,
  logLevel: string,
  security?: { properties: string; scramUsers: string },
): ProcessSpec {
  const { root, ports, env, readyTimeoutMs } = context;
  const listen = security
    ? ['--config', security.properties, '--add-scram-file', security.scramUsers]
    : ['--port', String(ports.broker), '--host', '127.0.0.1'];
  return {
    name: 'broker',
    command: process.execPath,
    args: [
      join(root, 'apps', 'broker', 'src', 'main.ts'),
      ...listen,
      '--log-dir',
      logDir,
      '--log-level',
      logLevel,
    ],
    cwd: root,
    env,
    readiness: { kind: 'output', pattern: /^broker ready on /, timeoutMs: readyTimeoutMs },
  };
}

/** One service from its entry file, with the conventional environment; ready on /health/ready. */
export function serviceSpec(
  context: NodeChildContext,
  name: ServiceName,
  entry: string,
  envInput: Omit<ServiceEnvInput, 'ports'>,
): ProcessSpec {
  const { root, ports, env, readyTimeoutMs } = context;
  return {
    name,
    command: process.execPath,
    args: [...NODE_MEMORY_FLAGS, entry],
    cwd: join(root, 'apps', name),
    env: { ...env, ...serviceEnv(name, { ...envInput, ports }) },
    readiness: {
      kind: 'http',
      url: `http://127.0.0.1:${ports[name]}/health/ready`,
      timeoutMs: readyTimeoutMs,
    },
  };
}

/**
 * One `streaming connect file-source` process tailing every given access log into `logs.access`
 * (a connector per file inside it, each with its own stored position): the same guarantees as a
 * process per file, one Node runtime.
 */
export function accessLogConnectorSpec(
  context: NodeChildContext,
  files: readonly string[],
  /** Client properties logging in as `connect` on the SASL listener (writeClientProperties). */
  commandConfig?: string,
): ProcessSpec {
  const { root, ports, env } = context;
  const connection = commandConfig
    ? ['--bootstrap-server', `127.0.0.1:${ports.brokerSasl}`, '--command-config', commandConfig]
    : ['--bootstrap-server', `127.0.0.1:${ports.broker}`];
  return {
    name: ACCESS_LOG_CONNECTOR,
    command: process.execPath,
    args: [
      ...NODE_MEMORY_FLAGS,
      join(root, 'apps', 'cli', 'src', 'main.ts'),
      ...connection,
      'connect',
      'file-source',
      ...files.flatMap((file) => ['--file', file]),
      '--topic',
      'logs.access',
    ],
    cwd: root,
    env,
    readiness: { kind: 'none' },
  };
}
