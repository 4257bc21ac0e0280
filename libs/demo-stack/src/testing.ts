import { fileURLToPath } from 'node:url';

/**
 * The stand-in service of the orchestration tests (test-fixtures/fake-service.ts: health endpoints
 * like the real ones, and knobs to misbehave), started by path like a real service.
 */
export const fakeServiceEntry = fileURLToPath(
  new URL('./test-fixtures/fake-service.ts', import.meta.url),
);
