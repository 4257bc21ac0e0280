/**
 * The pure steps of `new-migration.ts`, kept apart so they can be tested without Prisma 6 installed.
 */

/**
 * Prisma 7 schemas have no `url` in the datasource block (it lives in prisma.config.ts), but the
 * Prisma 6 CLI used for diffing refuses a datasource without one. The value is never used: the diff
 * runs against an in-memory PGlite through the driver adapter.
 */
export function withPlaceholderUrl(schema: string): string {
  return schema.replace(/(datasource\s+\w+\s*\{)([^}]*)\}/, (whole, head: string, body: string) => {
    if (/^\s*url\s*=/m.test(body)) return whole;
    return `${head}${body.replace(/\s*$/, '')}\n  url = "postgresql://unused"\n}`;
  });
}

/** `prisma db pull --print` prefixes warnings to the schema on stdout; keep the schema only. */
export function schemaFromPullOutput(output: string): string {
  const lines = output.split('\n');
  const start = lines.findIndex((line) =>
    /^(generator|datasource|model|enum|view|type)\s/.test(line),
  );
  return start < 0 ? '' : lines.slice(start).join('\n');
}

/**
 * Drops what the diff adds only because it starts from an introspected database (`public` always
 * exists) and reports whether any statement is left.
 */
export function cleanDiffSql(sql: string): { sql: string; empty: boolean } {
  const cleaned = sql
    .replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n?/m, '')
    .replace(/^\s+/, '');
  const statements = cleaned
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('--'));
  return { sql: cleaned.endsWith('\n') ? cleaned : `${cleaned}\n`, empty: statements.length === 0 };
}

/** `<yyyyMMddHHmmss>_<name>`, Prisma's directory naming (UTC), with the name made safe. */
export function migrationDirectoryName(now: Date, name: string): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const safe = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (safe === '') throw new Error('a migration needs a name, e.g. --name add_reserved_stock');
  return `${stamp}_${safe}`;
}
