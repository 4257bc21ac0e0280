import pg from 'pg';

// duplicate_database, and the unique-index violation two concurrent CREATE DATABASE calls can hit.
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/**
 * Creates database `name` on the server behind `adminUrl` unless it exists. Each service owns its
 * database, and at start-up it makes sure that database is there before migrating it.
 * Returns true when it created the database.
 */
export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  // The server ending the session (a restart) also comes as an 'error' event, which would end the
  // process unheard; the statement that was running rejects with it, and that is the error we report.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount !== null && existing.rowCount > 0) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      return true;
    } catch (error) {
      if (ALREADY_EXISTS.has((error as { code?: string }).code ?? '')) return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}

/** Quotes a SQL identifier (CREATE DATABASE takes no parameters). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
