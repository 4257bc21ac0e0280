import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';
import { participantKafkaEnv, type KafkaPasswords } from './broker-security.ts';
import { adminUrl } from './postgres-cluster.ts';
import type { PortMap } from './ports.ts';

/** The four services, in the order their logs are introduced. */
export const SERVICE_NAMES = ['inventory', 'sales', 'reordering', 'analytics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/**
 * V8 flags for the stack's Node processes. On a machine with plenty of RAM, V8 sizes each process's
 * young generation from the heap limit it derives from the machine's memory (here up to 64 MB per
 * semi-space, a 128 MB new space per process under load), and every process keeps what it once
 * grew. 8 MB semi-spaces keep the demo's footprint down at no measurable CPU: at 500 async
 * orders/s the stack held 963 MB (PSS) against 1,127 MB with 16 MB semi-spaces, for 2.36 against
 * 2.34 ms of CPU per order (2026-12-06; see docs/benchmarks/pipeline.md).
 */
export const NODE_MEMORY_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

export function serviceEntry(name: ServiceName, root = repoRoot): string {
  return join(root, 'apps', name, 'src', 'main.ts');
}

export function serviceExists(name: ServiceName, root = repoRoot): boolean {
  return existsSync(serviceEntry(name, root));
}

export interface ServiceEnvInput {
  ports: PortMap;
  /** Where the services append their JSON access logs (shipped to `logs.access`). */
  accessLogDir: string;
  logLevel: string;
  /** Given to analytics only: how the dashboard reaches the fault controls. */
  control?: { url: string; token: string };
  /**
   * The participants' broker passwords: each service then logs in on the broker's SASL listener as
   * its own user (see broker-security.ts). Without them it connects to the plaintext listener.
   */
  passwords?: KafkaPasswords;
  /** Extra or overriding variables per service (a scenario's SYNC_TIMEOUT_MS, say). */
  overrides?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * The environment each service runs with, following the project's fixed conventions (PORT,
 * DATABASE_URL, KAFKA_BROKERS, LOG_LEVEL, ACCESS_LOG_FILE, and each service's own knobs). With `passwords`, the
 * KAFKA_SECURITY_PROTOCOL / KAFKA_SASL_* variables of the service's own broker user. The same
 * function feeds `npm start` and the env files `npm run infra` writes for watch mode, so both run a
 * service exactly alike.
 */
export function serviceEnv(name: ServiceName, input: ServiceEnvInput): Record<string, string> {
  const { ports } = input;
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PORT: String(ports[name]),
    // Loopback only, like every listener of the local demo: the shop's API, inventory's admin
    // endpoints and analytics' replay are not for the network.
    HOST: '127.0.0.1',
    DATABASE_URL: adminUrl(ports.postgres, name),
    POSTGRES_ADMIN_URL: adminUrl(ports.postgres),
    ...(input.passwords
      ? participantKafkaEnv(name, ports, input.passwords)
      : { KAFKA_BROKERS: `127.0.0.1:${ports.broker}` }),
    LOG_LEVEL: input.logLevel,
    ACCESS_LOG_FILE: join(input.accessLogDir, `${name}.access.log`),
  };
  if (name !== 'analytics') {
    // The demo's trace collector is analytics (it keeps its own spans in-process): every other
    // service exports there, OTLP/HTTP in JSON, so an order's journey is whole without Docker.
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${url(ports.analytics)}/v1/traces`;
    env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  }
  switch (name) {
    case 'sales':
      env.INVENTORY_URL = url(ports.inventory);
      break;
    case 'inventory':
      // The fault controls change inventory's latency through its admin endpoint.
      env.ADMIN_ENDPOINTS = 'true';
      break;
    case 'reordering':
      break;
    case 'analytics':
      // The dashboard links to and reads from the other services.
      env.SALES_URL = url(ports.sales);
      env.INVENTORY_URL = url(ports.inventory);
      env.REORDERING_URL = url(ports.reordering);
      // The dashboard shows every group and every principal's ACLs, which analytics' own user may
      // not see: it reads them through the broker's loopback operator listener.
      if (input.passwords) env.DASHBOARD_KAFKA_BROKERS = `127.0.0.1:${ports.broker}`;
      if (input.control) {
        env.DEMO_CONTROL_URL = input.control.url;
        env.DEMO_CONTROL_TOKEN = input.control.token;
      }
      break;
  }
  return { ...env, ...input.overrides?.[name] };
}
