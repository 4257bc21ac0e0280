import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { stackAcls } from './broker-security.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback, listeningSockets } from './listening-sockets.ts';
import { ephemeralPorts } from './ports.ts';
import { processAlive, processGroupAlive } from './process-group.ts';
import { SERVICE_NAMES, serviceExists } from './services.ts';
import { ACCESS_LOG_CONNECTOR, startStack } from './stack.ts';
import type { RunningStack } from './stack.ts';

const allServicesExist = SERVICE_NAMES.every((name) => serviceExists(name));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The real thing: PostgreSQL, the broker, the four services and the access-log connectors.
describe.skipIf(!allServicesExist)('the whole demo stack (real services)', () => {
  let dataDir: string;
  let stack: RunningStack;
  const deaths: string[] = [];
  const refusals: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-full-'));
    stack = await startStack({
      dataDir,
      ports: await ephemeralPorts(),
      durable: false,
      connectors: true,
      readyTimeoutMs: 90_000,
      onLine: (name, line) => {
        if (name === 'broker' && line.includes('authorization denied')) refusals.push(line);
      },
      onEvent: (event) => {
        if (event.type === 'died')
          deaths.push(`${event.exit.name}: ${event.exit.lastLines.slice(-5).join(' | ')}`);
      },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('has every service live and ready', async () => {
    for (const name of SERVICE_NAMES) {
      expect((await fetch(`${stack.urls[name]}/health/live`)).status, name).toBe(200);
      expect((await fetch(`${stack.urls[name]}/health/ready`)).status, name).toBe(200);
    }
  });

  it('takes an async order through the broker to a final state', async () => {
    const placed = await fetch(`${stack.urls.sales}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'full-stack-test',
        lines: [{ sku: 'SKU-MUG-01', quantity: 1 }],
      }),
    });
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };
    const status = await until('the order to be decided', async () => {
      const body = (await (await fetch(`${stack.urls.sales}/orders/${orderId}`)).json()) as {
        status: string;
      };
      return body.status === 'PENDING' ? undefined : body.status;
    });
    expect(status).toBe('CONFIRMED');
  }, 90_000);

  it('answers a sync order with its final state', async () => {
    const placed = await fetch(`${stack.urls.sales}/orders?mode=sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customerId: 'full-stack-test',
        lines: [{ sku: 'SKU-MUG-02', quantity: 1 }],
      }),
    });
    expect(placed.status).toBe(201);
    expect(((await placed.json()) as { status: string }).status).toBe('CONFIRMED');
  });

  it("ships every service's access log to logs.access from one connector process", async () => {
    const connectors = stack.status().filter((entry) => entry.name.startsWith('connect'));
    expect(connectors.map((entry) => [entry.name, entry.state])).toEqual([
      [ACCESS_LOG_CONNECTOR, 'running'],
    ]);
    // Health probes stay out of access logs: give each service a request of its own to log.
    for (const name of SERVICE_NAMES) await fetch(`${stack.urls[name]}/access-log-probe`);
    const kafka = new Kafka({ brokers: [stack.urls.broker], logLevel: logLevel.NOTHING });
    const sources = new Set<string>();
    const consumer = kafka.consumer({ groupId: `full-stack-test-${process.pid}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: ['logs.access'], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const source = message.headers?.['connect.source']?.toString();
          if (source) sources.add(source);
        },
      });
      await until('a line from every service', async () =>
        SERVICE_NAMES.every((name) => sources.has(`file-source-${name}.access.log`))
          ? true
          : undefined,
      );
    } finally {
      await consumer.disconnect();
    }
  }, 90_000);

  it('holds each service and the connector to the ACLs the topic registry gives them', async () => {
    const kafka = new Kafka({ brokers: [stack.urls.broker], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
        kafkajs;
      const described = await admin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      // kafkajs's enums are plain objects, without reverse mappings.
      const nameOf = (values: object, code: number) =>
        Object.entries(values).find(([, value]) => value === code)?.[0];
      const onBroker = described.resources.flatMap((resource) =>
        resource.acls.map(
          (acl) =>
            `${acl.principal} ${nameOf(AclOperationTypes, acl.operation)} ${nameOf(AclResourceTypes, resource.resourceType)}:${nameOf(ResourcePatternTypes, resource.resourcePatternType)}:${resource.resourceName}`,
        ),
      );
      const expected = stackAcls().map(
        (e) => `${e.principal} ${e.operation} ${e.resourceType}:${e.patternType}:${e.resourceName}`,
      );
      expect(onBroker.sort()).toEqual(expected.sort());
    } finally {
      await admin.disconnect();
    }
    // Everything above (orders both ways, access logs shipped) ran under those ACLs, unrefused.
    expect(refusals).toEqual([]);
  });

  it('listens on loopback only: nothing the demo starts is reachable from the network', () => {
    const sockets = listeningSockets(stack.pids());
    const ports = sockets.map((socket) => socket.port);
    for (const name of ['postgres', 'broker', 'brokerSasl', ...SERVICE_NAMES] as const)
      expect(ports, `${name} listens`).toContain(stack.ports[name]);
    expect(sockets.filter((socket) => !isLoopback(socket.address))).toEqual([]);
  });

  it('keeps every process alive while it runs', () => {
    expect(deaths).toEqual([]);
  });

  it('stops everything, leaving no process behind', async () => {
    const pids = stack.pids();
    await stack.stop();
    for (const pid of pids) {
      expect(processAlive(pid), `pid ${pid}`).toBe(false);
      expect(processGroupAlive(pid), `group ${pid}`).toBe(false);
    }
  }, 60_000);
});
