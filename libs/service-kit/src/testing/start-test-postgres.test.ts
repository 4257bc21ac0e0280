import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startTestPostgres } from './index.ts';

async function currentDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('SELECT current_database() AS name');
    return rows[0]?.name ?? '';
  } finally {
    await client.end();
  }
}

describe('startTestPostgres', () => {
  it('starts independent servers on free ports, each with its own databases', async () => {
    const [first, second] = await Promise.all([startTestPostgres(), startTestPostgres()]);
    try {
      expect(first.port).not.toBe(second.port);
      const salesUrl = await first.createDatabase('sales');
      expect(await currentDatabase(salesUrl)).toBe('sales');
      expect(await first.createDatabase('sales')).toBe(salesUrl); // idempotent
      expect(await currentDatabase(second.url())).toBe('postgres');
      await expect(currentDatabase(second.url('sales'))).rejects.toThrow(/does not exist/);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('stops the server so that nothing answers on its port any more', async () => {
    const server = await startTestPostgres();
    const url = server.url();
    await server.stop();
    await server.stop(); // a second stop is harmless
    await expect(currentDatabase(url)).rejects.toThrow();
  });
});
