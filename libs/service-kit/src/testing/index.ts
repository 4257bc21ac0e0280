export { startTestPostgres } from './start-test-postgres.ts';
export type { TestPostgres, TestPostgresOptions } from './start-test-postgres.ts';
export { freePort } from './free-port.ts';
export { vanishingOutput } from './vanishing-output.ts';
export type { VanishingOutput } from './vanishing-output.ts';
export { schemaSnapshot } from './schema-snapshot.ts';
export type { SchemaSnapshot } from './schema-snapshot.ts';
