import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { adminUrl } from './postgres-cluster.ts';
import type { PortMap } from './ports.ts';

/** The four services, in the order their logs are introduced. */
export const SERVICE_NAMES = ['inventory', 'sales', 'reordering', 'analytics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

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
  /** Extra or overriding variables per service (a scenario's SYNC_TIMEOUT_MS, say). */
  overrides?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * The environment each service runs with, following the project's fixed conventions (PORT,
 * DATABASE_URL, KAFKA_BROKERS, LOG_LEVEL, ACCESS_LOG_FILE, and each service's own knobs). The same
 * function feeds `npm start` and the env files `npm run infra` writes for watch mode, so both run a
 * service exactly alike.
 */
export function serviceEnv(name: ServiceName, input: ServiceEnvInput): Record<string, string> {
  const { ports } = input;
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PORT: String(ports[name]),
    DATABASE_URL: adminUrl(ports.postgres, name),
    POSTGRES_ADMIN_URL: adminUrl(ports.postgres),
    KAFKA_BROKERS: `127.0.0.1:${ports.broker}`,
    LOG_LEVEL: input.logLevel,
    ACCESS_LOG_FILE: join(input.accessLogDir, `${name}.access.log`),
  };
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
      if (input.control) {
        env.DEMO_CONTROL_URL = input.control.url;
        env.DEMO_CONTROL_TOKEN = input.control.token;
      }
      break;
  }
  return { ...env, ...input.overrides?.[name] };
}
