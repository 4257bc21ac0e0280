import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres } from '../testing/index.ts';
import type { TestPostgres } from '../testing/index.ts';
import { ensureDatabase } from './index.ts';

let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await startTestPostgres();
});

afterAll(async () => {
  await postgres?.stop();
});

describe('ensureDatabase', () => {
  it('creates a missing database once and leaves an existing one alone', async () => {
    expect(await ensureDatabase(postgres.url(), 'inventory')).toBe(true);
    expect(await ensureDatabase(postgres.url(), 'inventory')).toBe(false);
    const client = new pg.Client({ connectionString: postgres.url('inventory') });
    await client.connect();
    expect((await client.query('SELECT current_database() AS name')).rows).toEqual([
      { name: 'inventory' },
    ]);
    await client.end();
  });

  it('survives services creating the same database at the same time', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => ensureDatabase(postgres.url(), 'reordering')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('quotes names that are not plain identifiers', async () => {
    expect(await ensureDatabase(postgres.url(), 'Sales "Q4"')).toBe(true);
    expect(await ensureDatabase(postgres.url(), 'Sales "Q4"')).toBe(false);
  });
});
