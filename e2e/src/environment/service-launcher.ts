import { join } from 'node:path';
import { ManagedProcess, repoRoot, serviceEntry, serviceEnv } from '@retail-streams/demo-stack';
import type { KafkaPasswords, PortMap } from '@retail-streams/demo-stack';
import type { ServiceName } from './environment.ts';

export interface ServiceLaunch {
  name: ServiceName;
  /** The process name (`inventory`, `inventory-2`, ...). */
  processName: string;
  ports: PortMap;
  logDir: string;
  logLevel: string;
  /** The broker users' passwords: the service then logs in as its own user (a secured stack). */
  passwords?: KafkaPasswords;
  /** Applied last: the scenario's knobs, then the infrastructure a backend points the service at. */
  overrides: Record<string, string>;
  onLine?: (name: string, line: string) => void;
  onUnexpectedExit?: (name: string) => void;
  readyTimeoutMs?: number;
}

/**
 * A service process exactly as the demo orchestrator runs it: its entry point, its working
 * directory, and the environment `serviceEnv` derives for `npm start`; only the variables in
 * `overrides` differ (another port for a replica, container addresses for the containers backend).
 * Readiness is the service's own `/health/ready`.
 */
export function serviceProcess(launch: ServiceLaunch): ManagedProcess {
  const env: Record<string, string> = {
    ...serviceEnv(launch.name, {
      ports: launch.ports,
      accessLogDir: launch.logDir,
      logLevel: launch.logLevel,
      passwords: launch.passwords,
    }),
    ACCESS_LOG_FILE: join(launch.logDir, `${launch.processName}.access.log`),
    ...launch.overrides,
  };
  const port = env.PORT;
  return new ManagedProcess(
    {
      name: launch.processName,
      command: process.execPath,
      args: [serviceEntry(launch.name)],
      cwd: join(repoRoot, 'apps', launch.name),
      env: { ...childEnv(), ...env },
      readiness: {
        kind: 'http',
        url: `http://127.0.0.1:${port}/health/ready`,
        timeoutMs: launch.readyTimeoutMs ?? 60_000,
      },
    },
    {
      onLine: launch.onLine,
      onUnexpectedExit: () => launch.onUnexpectedExit?.(launch.processName),
    },
  );
}

/**
 * What a child inherits: the runner's environment without Vitest's own variables (a service must not
 * believe it runs under a test runner) and with Node's compile cache shared with the demo.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VITEST') || key === 'NODE_OPTIONS' || key === 'TEST') delete env[key];
  }
  if (env.NODE_ENV === 'test') delete env.NODE_ENV;
  env.NODE_COMPILE_CACHE ??= join(repoRoot, 'node_modules', '.cache', 'node-compile');
  env.FORCE_COLOR = '0';
  return env;
}
