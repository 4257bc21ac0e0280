import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
      KAFKA_BROKERS: '127.0.0.1:40001',
      DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:40000/sales',
      INVENTORY_URL: 'http://127.0.0.1:40004',
      LOG_LEVEL: 'debug',
    });
    const inventory = parseEnv(readFileSync(join(dir, 'env', 'inventory.env'), 'utf8'));
    expect(inventory.ADMIN_ENDPOINTS).toBe('true');
    const infra = parseEnv(readFileSync(join(dir, 'infra.env'), 'utf8'));
    expect(infra).toEqual({
      KAFKA_BROKERS: '127.0.0.1:40001',
      POSTGRES_ADMIN_URL: 'postgresql://postgres:postgres@127.0.0.1:40000/postgres',
    });
  });
});
