import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ephemeralPorts, freePort } from '@retail-streams/demo-stack';
import type { ManagedProcess } from '@retail-streams/demo-stack';
import { E2eError } from '../support/e2e-error.ts';
import { killProcessGroup } from './kill-process.ts';
import { serviceProcess } from './service-launcher.ts';
import { SERVICE_NAMES } from './environment.ts';
import type {
  Environment,
  EnvironmentOptions,
  Replica,
  RunningEnvironment,
  ServiceName,
} from './environment.ts';

/** Images the containers backend runs; overridable for a registry mirror or an upgrade. */
const KAFKA_IMAGE = process.env.E2E_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:7.9.0';
const POSTGRES_IMAGE = process.env.E2E_POSTGRES_IMAGE ?? 'postgres:17-alpine';
/** The listener the Testcontainers Kafka module publishes to the host. */
const KAFKA_CLIENT_PORT = 9093;

/**
 * Real Apache Kafka (KRaft, one node) and PostgreSQL in containers; the four services still run as
 * local processes, started exactly as the demo orchestrator starts them but pointed at the containers
 * (`KAFKA_BROKERS`, `DATABASE_URL`, `POSTGRES_ADMIN_URL`). Needs a Docker engine; the suite checks for
 * one before choosing this backend. The Testcontainers modules are loaded only here, so the embedded
 * backend never needs them.
 */
export const containersEnvironment: Environment = {
  backend: 'containers',
  async start(options: EnvironmentOptions): Promise<RunningEnvironment> {
    const dataDir = mkdtempSync(join(tmpdir(), `e2e-${options.name}-containers-`));
    const logDir = join(dataDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const { kafka, postgres, bootstrap, pgBase } = await startContainers();
    const databaseUrlFor = (service: string) => `${pgBase}/${service}`;
    await createDatabases(databaseUrlFor('postgres'), SERVICE_NAMES);

    const ports = await ephemeralPorts();
    const { lines, onLine } = keepLastLines(options);
    const launch = (name: ServiceName, processName: string, port: number) =>
      serviceProcess({
        name,
        processName,
        ports,
        logDir,
        logLevel: process.env.E2E_LOG_LEVEL ?? 'info',
        overrides: {
          ...options.serviceEnv?.[name],
          PORT: String(port),
          KAFKA_BROKERS: bootstrap,
          DATABASE_URL: databaseUrlFor(name),
          POSTGRES_ADMIN_URL: databaseUrlFor('postgres'),
        },
        onLine,
      });
    const services = new Map<ServiceName, ManagedProcess>(
      SERVICE_NAMES.map((name) => [name, launch(name, name, ports[name])]),
    );
    const replicas: ManagedProcess[] = [];
    const stopAll = async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await Promise.all([...services.values()].map((service) => service.stop()));
      await Promise.allSettled([kafka.stop(), postgres.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    };
    try {
      await Promise.all([...services.values()].map((service) => service.start()));
    } catch (error) {
      await stopAll();
      throw error;
    }
    const service = (name: ServiceName) => services.get(name) as ManagedProcess;

    return {
      backend: 'containers',
      bootstrap,
      urls: Object.fromEntries(
        SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
      ) as Record<ServiceName, string>,
      databaseUrlFor,
      stopService: (name) => service(name).stop(),
      killService: async (name) => {
        const pid = service(name).pid;
        if (pid === undefined || service(name).state !== 'running') {
          throw new E2eError('NOT_RUNNING', `${name} is not running (${service(name).state})`);
        }
        await killProcessGroup(pid);
        while (service(name).state === 'running') await new Promise((r) => setTimeout(r, 10));
      },
      startService: (name) => service(name).start(),
      restartBroker: async () => {
        await kafka.restart();
        // The module wrote the advertised listener (with the host port) into the container at its
        // first start; Docker keeps a container's published ports across a restart, and this checks it.
        const now = `${kafka.getHost()}:${kafka.getMappedPort(KAFKA_CLIENT_PORT)}`;
        if (now !== bootstrap) {
          throw new E2eError(
            'BACKEND_UNAVAILABLE',
            `Kafka came back on ${now} instead of ${bootstrap}: the services cannot follow a moved broker`,
          );
        }
      },
      startReplica: async (name: ServiceName): Promise<Replica> => {
        const processName = `${name}-${replicas.length + 2}`;
        const port = await freePort();
        const replica = launch(name, processName, port);
        replicas.push(replica);
        await replica.start();
        return { name: processName, url: `http://127.0.0.1:${port}`, stop: () => replica.stop() };
      },
      // The Kafka container runs without users: the services connect as they are.
      loginOf: () => undefined,
      lastLines: (name, count = 40) => (lines.get(name) ?? []).slice(-count),
      stop: stopAll,
    };
  },
};

/** Kafka (KRaft, one node) and PostgreSQL, started together. */
async function startContainers() {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer(KAFKA_IMAGE).withKraft().start(),
    new PostgreSqlContainer(POSTGRES_IMAGE)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('postgres')
      .withCommand(['postgres', '-c', 'max_connections=300', '-c', 'fsync=off'])
      .start(),
  ]);
  return {
    kafka,
    postgres,
    bootstrap: `${kafka.getHost()}:${kafka.getMappedPort(KAFKA_CLIENT_PORT)}`,
    pgBase: `postgresql://postgres:postgres@${postgres.getHost()}:${postgres.getPort()}`,
  };
}

/** The last 400 lines of each process, for lastLines(), passed on to options.onLine. */
function keepLastLines(options: EnvironmentOptions) {
  const lines = new Map<string, string[]>();
  const onLine = (name: string, line: string) => {
    let kept = lines.get(name);
    if (!kept) lines.set(name, (kept = []));
    kept.push(line);
    if (kept.length > 400) kept.splice(0, kept.length - 400);
    options.onLine?.(name, line);
  };
  return { lines, onLine };
}

async function createDatabases(adminUrl: string, names: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const name of names) {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if ((found.rowCount ?? 0) === 0) await client.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await client.end();
  }
}
