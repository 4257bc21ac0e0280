import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { allTopics } from '@retail-streams/contracts';
import { freePort, startTestPostgres } from '@retail-streams/service-kit/testing';
import type { TestPostgres } from '@retail-streams/service-kit/testing';
import { startBroker } from '@retail-streams/streaming-broker';
import {
  makeTestCertificates,
  type TestCertificates,
} from '@retail-streams/streaming-broker/testing';
import { replaceAcls } from '@retail-streams/streaming-client';
import { Kafka, logLevel } from 'kafkajs';
import { composeAcls } from '../kafka/kafka-acls.ts';
import { parseScramUsers } from '../kafka/kafka-security.ts';
import type { RunningBroker } from '@retail-streams/streaming-broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentOf, readComposeFile, repoRoot } from '../compose-file.ts';
import { initialiseLikeThePostgresImage } from '../postgres/postgres-image.ts';
import { readPostgresService } from '../postgres/postgres-service.ts';
import type { PostgresSetup } from '../postgres/postgres-service.ts';
import { copyDockerContext } from './docker-context.ts';
import { readDockerfile, serviceImagePlan } from './dockerfile.ts';

/**
 * The service image without Docker: what infra/Dockerfile builds (the context .dockerignore leaves,
 * then its `npm ci --omit=dev --ignore-scripts`), with each service started from that production
 * install the way docker-compose.yml starts it (its command, its environment with the container
 * names pointed at local stand-ins, NODE_ENV=production) against the embedded broker with
 * auto-create off and PostgreSQL initialised as the postgres image would. A module that only a dev
 * install provides fails here rather than in a container.
 */
const compose = readComposeFile();
const plan = serviceImagePlan(readDockerfile(join(repoRoot, 'infra', 'Dockerfile')));
const SERVICES = ['inventory', 'reordering', 'sales', 'analytics'] as const;
type Service = (typeof SERVICES)[number];

const inCi = process.env['CI'] === 'true';
const registryReachable =
  spawnSync('npm', ['ping'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
if (!registryReachable && !inCi)
  console.warn(
    'infra service image test SKIPPED: the npm registry does not answer `npm ping`, and the image is built with `npm ci`. CI runs it always.',
  );

interface RunningService {
  child: ChildProcess;
  port: number;
  output: string[];
}

describe.skipIf(!registryReachable && !inCi)(
  'the service image, built and run without Docker (needs the npm registry)',
  () => {
    let dir: string;
    let postgres: TestPostgres;
    let broker: RunningBroker;
    let certs: TestCertificates | undefined;
    let collector: { server: Server; port: number; traces: number };
    const running = new Map<Service, RunningService>();
    const figures: string[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'service-image-'));
      // Node resolves packages upwards from each file: nothing above the image may lend it one.
      for (let up = dirname(dir); up !== dirname(up); up = dirname(up))
        expect(existsSync(join(up, 'node_modules')), `${up}/node_modules`).toBe(false);

      let started = performance.now();
      const files = copyDockerContext(repoRoot, dir);
      await promisify(execFile)('npm', [...plan.npmCi, '--prefer-offline'], {
        cwd: dir,
        env: withoutNpmVariables({ ...process.env, ...plan.env }),
        maxBuffer: 64 * 1024 * 1024,
      });
      figures.push(
        `context ${files} files + npm ${plan.npmCi.join(' ')}: ${seconds(started)} s (load ${loadAverage()})`,
      );

      started = performance.now();
      certs = makeTestCertificates();
      const [pg, kafka, sink] = await Promise.all([
        startPostgresLikeTheImage(),
        startSecuredBroker(join(dir, '.broker'), certs),
        startTraceSink(),
      ]);
      [postgres, broker, collector] = [pg, kafka, sink];
      await applyComposeAcls(broker);
      const ports = Object.fromEntries(
        await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)),
      ) as Record<Service, number>;
      const local = localAddresses(ports);
      for (const service of SERVICES) running.set(service, startService(service, ports, local));
      await Promise.all(SERVICES.map((service) => untilReady(service)));
      figures.push(`four services ready: ${seconds(started)} s`);
    }, 600_000);

    afterAll(async () => {
      await Promise.all([...running.values()].map(({ child }) => stopChild(child)));
      let started = performance.now();
      await broker?.close();
      certs?.remove();
      await postgres?.stop();
      collector?.server.close();
      figures.push(`infrastructure stopped: ${seconds(started)} s`);
      started = performance.now();
      if (dir) await rm(dir, { recursive: true, force: true });
      figures.push(`image removed: ${seconds(started)} s`);
      console.info(`service image: ${figures.join('; ')}`);
    }, 300_000);

    it("runs on the Node major of the Dockerfile's base image, with no devDependency installed", () => {
      expect(Number(process.versions.node.split('.')[0])).toBe(plan.nodeMajor);
      expect(plan.env['NODE_ENV']).toBe('production');
      // The `node` devDependency is how the repository pins Node 24; the image gets it from FROM.
      for (const dev of ['node', 'vitest', 'nx', 'prettier'])
        expect(existsSync(join(dir, 'node_modules', dev)), dev).toBe(false);
    });

    it('starts every service from the production install to /health/ready', async () => {
      for (const [service, { port }] of running)
        expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, service).toBe(200);
    });

    it("passes each service's compose healthcheck", async () => {
      for (const [service, { port }] of running) {
        const [, command, ...args] = compose.services[service]?.healthcheck?.test as string[];
        expect(command).toBe('node');
        // Asynchronously: a blocked test process would stop draining the services' log pipes.
        const probe = await promisify(execFile)(process.execPath, args, {
          env: { PORT: String(port) },
          timeout: 10_000,
        }).then(
          () => 'healthy',
          (error: Error) => `unhealthy: ${error.message}`,
        );
        expect(probe, service).toBe('healthy');
      }
    });

    it('takes an order through the broker, with auto-create off, to CONFIRMED', async () => {
      const sales = `http://127.0.0.1:${running.get('sales')?.port}`;
      const placed = await fetch(`${sales}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          customerId: 'image-test',
          lines: [{ sku: 'SKU-MUG-01', quantity: 1 }],
        }),
      });
      expect(placed.status).toBe(202);
      const { orderId } = (await placed.json()) as { orderId: string };
      let status = 'PENDING';
      for (let tries = 0; status === 'PENDING' && tries < 300; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = ((await (await fetch(`${sales}/orders/${orderId}`)).json()) as { status: string })
          .status;
      }
      expect(status).toBe('CONFIRMED');
    }, 90_000);

    it('leaves the broker with the provisioned topics only: no service relies on auto-create', () => {
      const names = broker.logs.listTopics().map((topic) => topic.name);
      const registry = allTopics.map((topic) => topic.name);
      expect(names).toEqual(expect.arrayContaining(registry));
      const others = names.filter(
        (name) => !registry.includes(name) && !name.startsWith('__') && !/\.dlq\./.test(name),
      );
      expect(others).toEqual([]);
    });

    it('exports spans to the collector address compose gives it, once stopped (flush)', async () => {
      await Promise.all([...running.values()].map(({ child }) => stopChild(child)));
      expect(collector.traces).toBeGreaterThan(0);
    }, 60_000);

    /** The compose service names this test stands in for, with the local address of each. */
    function localAddresses(ports: Record<Service, number>): Map<string, string> {
      const local = new Map<string, string>();
      // Every Kafka node the services name is the one embedded broker here.
      // ...at its SASL_SSL listener, as localhost (a name the test certificate holds), and the CA
      // file the kafka-ca volume holds in compose is the test CA.
      const sasl = broker.listeners.find((l) => l.name === 'INTERNAL');
      for (const service of SERVICES)
        for (const prefix of ['', 'DASHBOARD_'])
          for (const address of environmentOf(compose, service)[`${prefix}KAFKA_BROKERS`]?.split(
            ',',
          ) ?? [])
            local.set(address, `localhost:${sasl?.port}`);
      const ca = environmentOf(compose, 'sales')['KAFKA_SSL_CA_LOCATION'];
      if (ca && certs) local.set(ca, certs.caFile);
      const pg = readPostgresService(compose).setup as PostgresSetup;
      local.set(`${pg.service}:5432`, `127.0.0.1:${postgres.port}`);
      for (const service of SERVICES)
        local.set(
          `${service}:${environmentOf(compose, service)['PORT']}`,
          `127.0.0.1:${ports[service]}`,
        );
      const otel = new URL(environmentOf(compose, 'sales')['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '');
      local.set(otel.host, `127.0.0.1:${collector.port}`);
      return local;
    }

    function startService(
      service: Service,
      ports: Record<Service, number>,
      local: Map<string, string>,
    ): RunningService {
      const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', ...plan.env };
      for (const [name, value] of Object.entries(environmentOf(compose, service)))
        env[name] = pointedAtLocal(value, local);
      env['PORT'] = String(ports[service]);
      env['HOST'] = '127.0.0.1'; // compose's 0.0.0.0 would expose the test on this machine's network
      const [command, ...args] = compose.services[service]?.command ?? [];
      expect(command, `${service} runs node`).toBe('node');
      const child = spawn(process.execPath, args, { cwd: dir, env });
      const output: string[] = [];
      const keep = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      return { child, port: ports[service], output };
    }

    async function untilReady(service: Service): Promise<void> {
      const { child, port, output } = running.get(service) as RunningService;
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null)
          throw new Error(
            `${service} exited (${child.exitCode}):\n${output.slice(-15).join('\n')}`,
          );
        const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`${service} was not ready in 180 s:\n${output.slice(-15).join('\n')}`);
    }

    async function startPostgresLikeTheImage(): Promise<TestPostgres> {
      const server = await startTestPostgres();
      await initialiseLikeThePostgresImage(
        server.url(),
        readPostgresService(compose).setup as PostgresSetup,
      );
      return server;
    }
  },
);

/** A stand-in OpenTelemetry Collector: accepts OTLP/HTTP trace exports and counts them. */
async function startTraceSink(): Promise<{ server: Server; port: number; traces: number }> {
  const sink = { server: createServer(), port: 0, traces: 0 };
  sink.server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/v1/traces') sink.traces += 1;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  sink.server.listen(0, '127.0.0.1');
  await once(sink.server, 'listening');
  const address = sink.server.address();
  sink.port = typeof address === 'object' && address ? address.port : 0;
  return sink;
}

/** Replaces each `container:port` of a value with its local stand-in; a list keeps one of each. */
/**
 * The embedded broker secured as compose secures Kafka: an INTERNAL SASL_SSL listener with
 * SCRAM-SHA-512 and the users kafka-storage format creates there (SCRAM_USERS), ACLs on; plus a
 * loopback PLAINTEXT listener for this test alone, standing in for the admin user of the ACL job.
 */
function startSecuredBroker(logDir: string, certs: TestCertificates): Promise<RunningBroker> {
  const users = parseScramUsers(environmentOf(compose, 'kafka-1')['SCRAM_USERS']) ?? new Map();
  return startBroker({
    logDir,
    autoCreateTopics: false,
    listeners: [
      {
        name: 'INTERNAL',
        host: '127.0.0.1',
        port: 0,
        advertisedHost: 'localhost',
        securityProtocol: 'SASL_SSL',
        ssl: {
          keystore: { type: 'PEM', key: certs.server.key, certificateChain: certs.server.cert },
        },
        sasl: { enabledMechanisms: ['SCRAM-SHA-512'] },
      },
      { name: 'ADMIN', host: '127.0.0.1', port: 0, securityProtocol: 'PLAINTEXT' },
    ],
    authorizer: { superUsers: ['User:ANONYMOUS'] },
    scramUsers: [...users].map(([name, password]) => ({
      name,
      password,
      mechanism: 'SCRAM-SHA-512' as const,
    })),
  });
}

/** What compose's kafka-acls job does (infra/kafka/acls.sh): the registry's ACLs, and no others. */
async function applyComposeAcls(broker: RunningBroker): Promise<void> {
  const admin = new Kafka({
    brokers: [`127.0.0.1:${broker.listeners.find((l) => l.name === 'ADMIN')?.port}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const entries = composeAcls();
    await replaceAcls(admin, [...new Set(entries.map((e) => e.principal))], entries);
  } finally {
    await admin.disconnect();
  }
}

function pointedAtLocal(value: string, local: Map<string, string>): string {
  let result = value;
  for (const [remote, replacement] of local) result = result.replaceAll(remote, replacement);
  return value.includes(',') ? [...new Set(result.split(','))].join(',') : result;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** `npm test` runs us through npm, whose npm_* variables would steer the nested install. */
function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const loadAverage = () =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
