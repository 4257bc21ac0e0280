/**
 * `prisma generate` that works offline, then formats the output with the workspace's Prettier.
 *
 *   node libs/service-kit/scripts/prisma-generate.ts --schema apps/sales/prisma/schema.prisma
 *
 * Prisma 7's CLI wants a native schema-engine binary (downloaded from the internet) before any
 * command, although `generate` never runs it: pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing
 * file satisfies the check. The generated client is committed, so formatting it keeps
 * `prettier --check .` green without ignoring it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const args = process.argv.slice(2);
const schemaIndex = args.indexOf('--schema');
const schema = schemaIndex >= 0 ? args[schemaIndex + 1] : undefined;
if (schema === undefined) {
  console.error('usage: prisma-generate.ts --schema <path/to/schema.prisma>');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const prismaCli = resolve(dirname(require.resolve('prisma/package.json')), 'build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ?? process.execPath,
};

const generate = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schema], {
  stdio: 'inherit',
  env,
});
if (generate.status !== 0) process.exit(generate.status ?? 1);

// Format every generator output named in the schema (`output = "../generated"`, relative to it).
const outputs = [...readFileSync(schema, 'utf8').matchAll(/^\s*output\s*=\s*"([^"]+)"/gm)].map(
  (match) => resolve(dirname(schema), match[1] ?? '.'),
);
if (outputs.length > 0) {
  const prettier = resolve(dirname(require.resolve('prettier/package.json')), 'bin/prettier.cjs');
  const format = spawnSync(
    process.execPath,
    [prettier, '--write', '--log-level', 'warn', ...outputs],
    { stdio: 'inherit' },
  );
  if (format.status !== 0) process.exit(format.status ?? 1);
}
