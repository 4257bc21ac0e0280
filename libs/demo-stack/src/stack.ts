import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyStackAcls,
  kafkaPasswords,
  writeBrokerSecurityFiles,
  writeClientProperties,
} from './broker-security.ts';
import type { KafkaPasswords } from './broker-security.ts';
import { DemoError } from './demo-error.ts';
import { repoRoot } from './paths.ts';
import type { ProcessExit } from './managed-process.ts';
import { PidFile, stopLeftovers } from './pid-file.ts';
import { adminUrl, createDatabases, preparePostgresCluster } from './postgres-cluster.ts';
import type { PortMap } from './ports.ts';
import { accessLogConnectorSpec, brokerSpec, childEnv, serviceSpec } from './process-specs.ts';
import type { NodeChildContext } from './process-specs.ts';
import { SERVICE_NAMES, serviceEntry } from './services.ts';
import type { ServiceName } from './services.ts';
import { StackProcesses } from './stack-processes.ts';
import type { ProcessStatus } from './stack-processes.ts';

export { ACCESS_LOG_CONNECTOR } from './process-specs.ts';
export type { ProcessStatus } from './stack-processes.ts';

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
  /**
   * Each service and the connector log in as their own broker user and are held to the ACLs the
   * topic registry gives them (default true; see broker-security.ts). False: one open listener.
   */
  secured?: boolean;
  /** Where the apps live; the repository by default. */
  root?: string;
  /** Entry files replacing `apps/<service>/src/main.ts` (tests run stand-ins). */
  serviceEntries?: Partial<Record<ServiceName, string>>;
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
  const run = await openRun(options);
  try {
    await startInfrastructure(run);
    const services = await startServices(run);
    await startAccessLogConnector(run, services);
    return runningStack(run, services);
  } catch (error) {
    await run.processes.stopAll();
    throw error;
  }
}

/** One start of the stack: its options resolved, and the processes it has started so far. */
interface StackRun extends NodeChildContext {
  readonly options: StackOptions;
  /** The participants' broker passwords, on a secured stack. */
  readonly passwords: KafkaPasswords | undefined;
  readonly dataDir: string;
  readonly logDir: string;
  readonly logLevel: string;
  readonly emit: (event: StackEvent) => void;
  readonly processes: StackProcesses;
}

/**
 * Resolves the options and stops whatever the children of an orchestrator that was killed outright
 * (on the same data folder) left running.
 */
async function openRun(options: StackOptions): Promise<StackRun> {
  const root = options.root ?? repoRoot;
  const { ports, dataDir } = options;
  const emit = options.onEvent ?? (() => undefined);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const pidFilePath = join(dataDir, 'run', 'pids.json');
  const leftovers = await stopLeftovers(pidFilePath);
  if (leftovers.length > 0) {
    emit({
      type: 'note',
      message: `stopped ${leftovers.sort().join(', ')} left running by an earlier run`,
    });
  }
  return {
    options,
    root,
    ports,
    dataDir,
    logDir,
    logLevel: options.logLevel ?? 'info',
    passwords: options.secured === false ? undefined : kafkaPasswords(dataDir),
    env: childEnv(root),
    // Generous: on a busy 2-core machine a service's cold start (migrations, topic set-up, group
    // join) has been seen to take 30 s. A process that exits early fails at once regardless.
    readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    emit,
    processes: new StackProcesses(new PidFile(pidFilePath), { onLine: options.onLine, emit }),
  };
}

/**
 * PostgreSQL (then one database per service) and the broker: they do not need each other, so both
 * start at once.
 */
async function startInfrastructure(run: StackRun): Promise<void> {
  const { options, ports, dataDir, processes } = run;
  processes.urls.postgres = adminUrl(ports.postgres).replace(/:[^:@/]+@/, ':***@');
  processes.urls.broker = `127.0.0.1:${ports.broker}`;
  const security = run.passwords && writeBrokerSecurityFiles(dataDir, ports, run.passwords);
  const broker = processes.add(brokerSpec(run, join(dataDir, 'broker'), run.logLevel, security));
  await allStarted([
    preparePostgresCluster(
      {
        clusterDir: join(dataDir, 'postgres'),
        port: ports.postgres,
        durable: options.durable ?? true,
        readyTimeoutMs: run.readyTimeoutMs,
      },
      (line) => options.onLine?.('postgres', line),
    ).then(async (postgresSpec) => {
      await processes.start(processes.add(postgresSpec));
      await createDatabases(ports.postgres, (options.services ?? SERVICE_NAMES).slice());
    }),
    processes.start(broker).then(() => (security ? applyStackAcls(ports) : undefined)),
  ]);
}

/**
 * Every wanted service whose entry file exists, all at once; returns the ones started (a missing
 * one is reported as skipped).
 */
async function startServices(run: StackRun): Promise<ServiceName[]> {
  const { options, processes } = run;
  const started: ServiceName[] = [];
  for (const name of options.services ?? SERVICE_NAMES) {
    const entry = options.serviceEntries?.[name] ?? serviceEntry(name, run.root);
    if (!existsSync(entry)) {
      run.emit({ type: 'skipped', name, reason: `apps/${name}/src/main.ts does not exist yet` });
      continue;
    }
    started.push(name);
    processes.urls[name] = `http://127.0.0.1:${run.ports[name]}`;
    processes.add(
      serviceSpec(run, name, entry, {
        accessLogDir: run.logDir,
        logLevel: run.logLevel,
        control: options.control,
        passwords: run.passwords,
        overrides: options.serviceOverrides,
      }),
    );
  }
  await allStarted(started.map((name) => processes.start(processes.find(name))));
  return started;
}

/** With `connectors`, one process ships the started services' access logs to `logs.access`. */
async function startAccessLogConnector(run: StackRun, services: ServiceName[]): Promise<void> {
  if (!run.options.connectors) return;
  if (!existsSync(join(run.root, 'apps', 'cli', 'src', 'commands', 'connect.ts'))) {
    run.emit({
      type: 'skipped',
      name: 'connectors',
      reason: 'apps/cli has no `connect` command yet: access logs are not shipped to logs.access',
    });
    return;
  }
  if (services.length === 0) return;
  const files = services.map((name) => join(run.logDir, `${name}.access.log`));
  // The connector tails the files; each must exist before its service writes the first line.
  for (const file of files) if (!existsSync(file)) writeFileSync(file, '');
  const commandConfig =
    run.passwords && writeClientProperties(run.dataDir, 'connect', run.passwords);
  await run.processes.start(run.processes.add(accessLogConnectorSpec(run, files, commandConfig)));
}

/** The handle on a started stack: its addresses, its processes' status, fault operations, stop. */
function runningStack(run: StackRun, services: ServiceName[]): RunningStack {
  const { ports, processes } = run;
  let stopping: Promise<void> | null = null;
  return {
    ports,
    urls: {
      dashboard: `http://localhost:${ports.analytics}`,
      analytics: `http://127.0.0.1:${ports.analytics}`,
      sales: `http://127.0.0.1:${ports.sales}`,
      inventory: `http://127.0.0.1:${ports.inventory}`,
      reordering: `http://127.0.0.1:${ports.reordering}`,
      broker: processes.urls.broker,
      postgres: processes.urls.postgres,
    },
    services,
    status: () => processes.status(),
    pids: () => processes.pids(),
    startProcess: async (name) => processes.start(processes.find(name)),
    stopProcess: async (name) => processes.stop(name),
    restartProcess: async (name) => processes.restart(name),
    setInventoryLatency: async (ms) => setLatency(`http://127.0.0.1:${ports.inventory}`, ms),
    stop: () => (stopping ??= processes.stopAll()),
  };
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
 * Waits for every start to settle before failing with the first error: the caller then stops
 * everything, and nothing can still be starting (and so escape the stop) at that moment.
 */
async function allStarted(starts: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}
