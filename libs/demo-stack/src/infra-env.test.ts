import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { writeInfraEnvFiles } from './infra-env.ts';
import { portsFromBase } from './ports.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeInfraEnvFiles', () => {
  it('writes one env file per service that Node can load, with the infrastructure addresses', () => {
    dir = mkdtempSync(join(tmpdir(), 'demo-env-'));
    const ports = portsFromBase(40000);
    const files = writeInfraEnvFiles(dir, ports, 'debug');
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'env/inventory.env',
      'env/sales.env',
      'env/reordering.env',
      'env/analytics.env',
      'infra.env',
    ]);
    const sales = parseEnv(readFileSync(join(dir, 'env', 'sales.env'), 'utf8'));
    expect(sales).toMatchObject({
      PORT: '40003',
      HOST: '127.0.0.1',
      KAFKA_BROKERS: '127.0.0.1:40007',
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'sales',
      DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:40000/sales',
      INVENTORY_URL: 'http://127.0.0.1:40004',
      LOG_LEVEL: 'debug',
    });
    // The password the broker gets for the same user, and nobody else can read the file.
    const passwords = JSON.parse(readFileSync(join(dir, 'run', 'kafka-users.json'), 'utf8'));
    expect(sales.KAFKA_SASL_PASSWORD).toBe(passwords.sales);
    expect(statSync(join(dir, 'env', 'sales.env')).mode & 0o077).toBe(0);
    const analytics = parseEnv(readFileSync(join(dir, 'env', 'analytics.env'), 'utf8'));
    expect(analytics.KAFKA_SASL_USERNAME).toBe('analytics');
    expect(analytics.DASHBOARD_KAFKA_BROKERS).toBe('127.0.0.1:40001');
    const inventory = parseEnv(readFileSync(join(dir, 'env', 'inventory.env'), 'utf8'));
    expect(inventory.ADMIN_ENDPOINTS).toBe('true');
    const infra = parseEnv(readFileSync(join(dir, 'infra.env'), 'utf8'));
    expect(infra).toEqual({
      KAFKA_BROKERS: '127.0.0.1:40001',
      POSTGRES_ADMIN_URL: 'postgresql://postgres:postgres@127.0.0.1:40000/postgres',
    });
  });
});
