import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoError } from '../demo-error.ts';
import { repoRoot } from '../paths.ts';
import { ManagedProcess } from './managed-process.ts';
import type { ProcessExit, ProcessSpec, ProcessState } from './managed-process.ts';
import { PidFile, stopLeftovers } from './pid-file.ts';
import { adminUrl, createDatabases, preparePostgresCluster } from './postgres-cluster.ts';
import type { PortMap } from './ports.ts';
import { SERVICE_NAMES, isServiceName, serviceEntry, serviceEnv } from './services.ts';
import type { ServiceName } from './services.ts';

export type StackEvent =
  | { type: 'starting'; name: string }
  | { type: 'ready'; name: string; ms: number; url?: string }
  | { type: 'skipped'; name: string; reason: string }
  | { type: 'died'; exit: ProcessExit }
  | { type: 'stopped'; name: string }
  | { type: 'note'; message: string };

export interface StackOptions {
  /** Everything that persists: PostgreSQL's cluster, the broker's log dir, access logs. */
  dataDir: string;
  ports: PortMap;
  /** Which services to run; all four by default. `[]` runs only PostgreSQL and the broker. */
  services?: readonly ServiceName[];
  /** fsync on for the persistent demo, off for throwaway stacks (tests, scenarios). */
  durable?: boolean;
  logLevel?: string;
  /** Per process: how long it may take to become ready (default 90 s). */
  readyTimeoutMs?: number;
  /** Start `streaming connect file-source` for the access logs when the CLI is there. */
  connectors?: boolean;
  control?: { url: string; token: string };
  serviceOverrides?: Partial<Record<ServiceName, Record<string, string>>>;
  onLine?: (name: string, line: string) => void;
  onEvent?: (event: StackEvent) => void;
  /** Where the apps live; the repository by default. */
  root?: string;
  /** Entry files replacing `apps/<service>/src/main.ts` (tests run stand-ins). */
  serviceEntries?: Partial<Record<ServiceName, string>>;
}

export interface ProcessStatus {
  name: string;
  state: ProcessState;
  pid: number | null;
  url: string | null;
  restarts: number;
  startedAt: string | null;
}

export interface StackUrls {
  dashboard: string;
  analytics: string;
  sales: string;
  inventory: string;
  reordering: string;
  broker: string;
  postgres: string;
}

export interface RunningStack {
  readonly ports: PortMap;
  readonly urls: StackUrls;
  /** The services that were started (missing ones are skipped). */
  readonly services: readonly ServiceName[];
  status(): ProcessStatus[];
  /** pids of every process the stack started (for orphan checks). */
  pids(): number[];
  startProcess(name: string): Promise<void>;
  stopProcess(name: string): Promise<void>;
  restartProcess(name: string): Promise<void>;
  /** Changes inventory's artificial latency through its admin endpoint. */
  setInventoryLatency(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the local stack: PostgreSQL (one database per service) and the broker in parallel, then
 * the services in parallel, then the access-log connectors. Any process that fails to become ready
 * stops everything already started and fails the whole start with a message that names it and shows
 * its last lines; a process that dies later is reported through `onEvent` at once.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const root = options.root ?? repoRoot;
  const { ports, dataDir } = options;
  const emit = options.onEvent ?? (() => undefined);
  // Generous: on a busy 2-core machine a service's cold start (migrations, topic set-up, group
  // join) has been seen to take 30 s. A process that exits early fails at once regardless.
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  // Children of an orchestrator that was killed outright are still running: stop them first.
  const pidFilePath = join(dataDir, 'run', 'pids.json');
  const leftovers = await stopLeftovers(pidFilePath);
  if (leftovers.length > 0) {
    emit({
      type: 'note',
      message: `stopped ${leftovers.sort().join(', ')} left running by an earlier run`,
    });
  }
  const pidFile = new PidFile(pidFilePath);
  const processes = new Map<string, ManagedProcess>();
  const urls: Record<string, string> = {};
  const manage = (spec: ProcessSpec) => {
    const managed = new ManagedProcess(spec, {
      onLine: options.onLine,
      onUnexpectedExit: (exit) => emit({ type: 'died', exit }),
    });
    processes.set(spec.name, managed);
    return managed;
  };
  const startOne = async (managed: ManagedProcess) => {
    emit({ type: 'starting', name: managed.name });
    const began = Date.now();
    await managed.start((pid) => pidFile.record(managed.name, pid));
    emit({ type: 'ready', name: managed.name, ms: Date.now() - began, url: urls[managed.name] });
  };
  const stopAll = async () => {
    const stopGroup = (names: string[]) =>
      Promise.all(
        names.map(async (name) => {
          const managed = processes.get(name);
          if (!managed) return;
          const wasUp = managed.state === 'running' || managed.state === 'starting';
          await managed.stop();
          if (wasUp) emit({ type: 'stopped', name });
        }),
      );
    const all = [...processes.keys()];
    // Connectors and services first (they flush to the broker and the database), then the broker,
    // then PostgreSQL.
    await stopGroup(all.filter((name) => name.startsWith('connect-')));
    await stopGroup(all.filter((name) => isServiceName(name)));
    await stopGroup(['broker']);
    await stopGroup(['postgres']);
  };

  const nodeEnv = childEnv(root);
  urls.postgres = adminUrl(ports.postgres).replace(/:[^:@/]+@/, ':***@');
  urls.broker = `127.0.0.1:${ports.broker}`;
  try {
    const broker = manage({
      name: 'broker',
      command: process.execPath,
      args: [
        join(root, 'apps', 'broker', 'src', 'main.ts'),
        '--port',
        String(ports.broker),
        '--host',
        '127.0.0.1',
        '--log-dir',
        join(dataDir, 'broker'),
        '--log-level',
        options.logLevel ?? 'info',
      ],
      cwd: root,
      env: nodeEnv,
      readiness: { kind: 'output', pattern: /^broker ready on /, timeoutMs: readyTimeoutMs },
    });
    // PostgreSQL and the broker do not need each other: start both at once.
    await allStarted([
      preparePostgresCluster(
        {
          clusterDir: join(dataDir, 'postgres'),
          port: ports.postgres,
          durable: options.durable ?? true,
          readyTimeoutMs,
        },
        (line) => options.onLine?.('postgres', line),
      ).then(async (postgresSpec) => {
        const postgres = manage(postgresSpec);
        await startOne(postgres);
        await createDatabases(ports.postgres, (options.services ?? SERVICE_NAMES).slice());
      }),
      startOne(broker),
    ]);

    const wanted = options.services ?? SERVICE_NAMES;
    const started: ServiceName[] = [];
    for (const name of wanted) {
      const entry = options.serviceEntries?.[name] ?? serviceEntry(name, root);
      if (!existsSync(entry)) {
        emit({
          type: 'skipped',
          name,
          reason: `apps/${name}/src/main.ts does not exist yet`,
        });
        continue;
      }
      started.push(name);
      urls[name] = `http://127.0.0.1:${ports[name]}`;
      const env = serviceEnv(name, {
        ports,
        accessLogDir: logDir,
        logLevel: options.logLevel ?? 'info',
        control: options.control,
        overrides: options.serviceOverrides,
      });
      manage({
        name,
        command: process.execPath,
        args: [entry],
        cwd: join(root, 'apps', name),
        env: { ...nodeEnv, ...env },
        readiness: {
          kind: 'http',
          url: `http://127.0.0.1:${ports[name]}/health/ready`,
          timeoutMs: readyTimeoutMs,
        },
      });
    }
    await allStarted(started.map((name) => startOne(processes.get(name) as ManagedProcess)));

    if (options.connectors) {
      const cliEntry = join(root, 'apps', 'cli', 'src', 'main.ts');
      if (!existsSync(join(root, 'apps', 'cli', 'src', 'commands', 'connect.ts'))) {
        emit({
          type: 'skipped',
          name: 'connectors',
          reason:
            'apps/cli has no `connect` command yet: access logs are not shipped to logs.access',
        });
      } else {
        for (const name of started) {
          const file = join(logDir, `${name}.access.log`);
          // The connector tails the file; it must exist before the service writes its first line.
          if (!existsSync(file)) writeFileSync(file, '');
          const connector = manage({
            name: `connect-${name}`,
            command: process.execPath,
            args: [
              cliEntry,
              '--bootstrap-server',
              `127.0.0.1:${ports.broker}`,
              'connect',
              'file-source',
              '--file',
              file,
              '--topic',
              'logs.access',
            ],
            cwd: root,
            env: nodeEnv,
            readiness: { kind: 'none' },
          });
          await startOne(connector);
        }
      }
    }

    const find = (name: string): ManagedProcess => {
      const managed = processes.get(name);
      if (!managed) {
        throw new DemoError(
          'UNKNOWN_PROCESS',
          `no process "${name}" (known: ${[...processes.keys()].join(', ')})`,
        );
      }
      return managed;
    };
    let stopping: Promise<void> | null = null;
    return {
      ports,
      urls: {
        dashboard: `http://localhost:${ports.analytics}`,
        analytics: `http://127.0.0.1:${ports.analytics}`,
        sales: `http://127.0.0.1:${ports.sales}`,
        inventory: `http://127.0.0.1:${ports.inventory}`,
        reordering: `http://127.0.0.1:${ports.reordering}`,
        broker: urls.broker,
        postgres: urls.postgres,
      },
      services: started,
      status: () =>
        [...processes.values()]
          .sort((a, b) => rank(a.name) - rank(b.name))
          .map((managed) => ({
            name: managed.name,
            state: managed.state,
            pid: managed.pid ?? null,
            url: urls[managed.name] ?? null,
            restarts: managed.restarts,
            startedAt: managed.startedAt > 0 ? new Date(managed.startedAt).toISOString() : null,
          })),
      pids: () =>
        [...processes.values()]
          .map((managed) => managed.pid)
          .filter((pid): pid is number => pid !== undefined),
      startProcess: async (name) => startOne(find(name)),
      stopProcess: async (name) => {
        const managed = find(name);
        if (managed.state !== 'running' && managed.state !== 'starting') {
          throw new DemoError('NOT_RUNNING', `${name} is not running (${managed.state})`);
        }
        await managed.stop();
        emit({ type: 'stopped', name });
      },
      restartProcess: async (name) => {
        const managed = find(name);
        await managed.stop();
        emit({ type: 'stopped', name });
        await startOne(managed);
      },
      setInventoryLatency: async (ms) => setLatency(`http://127.0.0.1:${ports.inventory}`, ms),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function setLatency(inventoryUrl: string, ms: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${inventoryUrl}/admin/latency`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    throw new DemoError(
      'ADMIN_CALL_FAILED',
      `inventory did not answer: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new DemoError(
      'ADMIN_CALL_FAILED',
      `inventory refused the latency change (${response.status}): ${text.slice(0, 200)}`,
    );
  }
}

/**
 * The environment every Node child starts from. Node's compile cache keeps the type-stripped sources
 * between runs (a large part of a cold start); test-runner variables are not passed on.
 */
function childEnv(root: string): NodeJS.ProcessEnv {
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
 * Waits for every start to settle before failing with the first error: the caller then stops
 * everything, and nothing can still be starting (and so escape the stop) at that moment.
 */
async function allStarted(starts: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

/** Status lists read infrastructure first, then the services, then the connectors. */
function rank(name: string): number {
  if (name === 'postgres') return 0;
  if (name === 'broker') return 1;
  const service = (SERVICE_NAMES as readonly string[]).indexOf(name);
  if (service >= 0) return 2 + service;
  return 100;
}
