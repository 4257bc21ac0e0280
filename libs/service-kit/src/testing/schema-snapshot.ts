import pg from 'pg';

/**
 * What a database's schema is, as PostgreSQL reports it, in a form two databases can be compared
 * by (`expect(await schemaSnapshot(a)).toEqual(await schemaSnapshot(b))`): tables with their columns
 * (type, nullability, default), constraints, indexes, triggers and functions, each sorted. Only the
 * `public` schema; the migrations table is left out, since it records history, not schema.
 */
export interface SchemaSnapshot {
  columns: string[];
  constraints: string[];
  indexes: string[];
  triggers: string[];
  functions: string[];
}

const QUERIES: Record<keyof SchemaSnapshot, string> = {
  columns: `
    SELECT table_name || '.' || column_name || ' ' || data_type
           || coalesce('(' || datetime_precision || ')', '')
           || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
           || coalesce(' default ' || column_default, '') AS line
      FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  constraints: `
    SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = 'public' AND c.conrelid <> 0
       AND c.conrelid::regclass::text <> '"_prisma_migrations"'`,
  indexes: `
    SELECT indexdef AS line FROM pg_indexes
     WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  triggers: `
    SELECT pg_get_triggerdef(t.oid) AS line
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND NOT t.tgisinternal`,
  functions: `
    SELECT p.proname || ': ' || pg_get_functiondef(p.oid) AS line
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'`,
};

export async function schemaSnapshot(databaseUrl: string): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const snapshot = {} as SchemaSnapshot;
    for (const [part, sql] of Object.entries(QUERIES) as [keyof SchemaSnapshot, string][]) {
      const { rows } = await client.query<{ line: string }>(sql);
      snapshot[part] = rows.map((row) => row.line).sort();
    }
    return snapshot;
  } finally {
    await client.end();
  }
}
