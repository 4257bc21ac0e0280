export { startTestPostgres } from './start-test-postgres.ts';
export type { TestPostgres, TestPostgresOptions } from './start-test-postgres.ts';
export { freePort } from './free-port.ts';
