import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadinessChecks } from '../http/index.ts';
import { createLogger } from '../logging/index.ts';
import { startTestPostgres } from '../testing/index.ts';
import type { TestPostgres } from '../testing/index.ts';
import { PrismaClient } from './test-fixtures/generated/client.ts';
import { applyMigrations, createPrismaClient, prismaReadinessCheck } from './index.ts';

const migrationsDir = fileURLToPath(new URL('./test-fixtures/prisma/migrations', import.meta.url));
const logger = createLogger('prisma-test', { level: 'silent' });

let postgres: TestPostgres;
let prisma: PrismaClient;

beforeAll(async () => {
  postgres = await startTestPostgres();
  const databaseUrl = await postgres.createDatabase('widgets');
  await applyMigrations({ databaseUrl, migrationsDir, logger });
  prisma = createPrismaClient(PrismaClient, databaseUrl, { maxConnections: 4 });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await postgres?.stop();
});

describe('createPrismaClient', () => {
  it('writes and reads through the pg adapter inside an interactive transaction', async () => {
    const read = await prisma.$transaction(async (tx) => {
      await tx.widget.create({ data: { sku: 'W-1', quantity: 5 } });
      await tx.widget.update({ where: { sku: 'W-1' }, data: { quantity: { decrement: 2 } } });
      return tx.widget.findUniqueOrThrow({ where: { sku: 'W-1' } });
    });
    expect(read).toMatchObject({ sku: 'W-1', quantity: 3, createdAt: expect.any(Date) });
    expect(await prisma.widget.count({ where: { sku: 'W-1' } })).toBe(1);
  });

  it('rolls the whole transaction back when it throws', async () => {
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.widget.create({ data: { sku: 'W-2', quantity: 1 } });
        throw new Error('handler failed after the write');
      }),
    ).rejects.toThrow('handler failed after the write');
    expect(await prisma.widget.findUnique({ where: { sku: 'W-2' } })).toBeNull();
  });

  it('surfaces constraint violations as Prisma errors with their code', async () => {
    await prisma.widget.create({ data: { sku: 'W-3', quantity: 1 } });
    await expect(prisma.widget.create({ data: { sku: 'W-3', quantity: 1 } })).rejects.toMatchObject(
      { code: 'P2002' },
    );
  });

  it('serves as a readiness check while the database is up', async () => {
    const readiness = new ReadinessChecks();
    readiness.add('database', prismaReadinessCheck(prisma));
    expect(await readiness.run()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' } },
    });

    const unreachable = createPrismaClient(
      PrismaClient,
      'postgresql://postgres:postgres@127.0.0.1:1/none',
    );
    readiness.add('database', prismaReadinessCheck(unreachable));
    try {
      expect(await readiness.run()).toMatchObject({
        status: 'not_ready',
        checks: { database: { status: 'down' } },
      });
    } finally {
      await unreachable.$disconnect();
    }
  });
});
