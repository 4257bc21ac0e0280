import { defineConfig } from 'vitest/config';

/**
 * Lets `npx vitest run <path>` work from the repository root with each project's own settings.
 * `npm test` runs the projects through nx instead (nx.json excludes this file from target inference).
 */
export default defineConfig({
  test: {
    projects: [
      'apps/*/vitest.config.ts',
      'libs/*/vitest.config.ts',
      'libs/streaming/*/vitest.config.ts',
      'tools/vitest.config.ts',
      'infra/vitest.config.ts',
      'e2e/vitest.config.ts',
    ],
  },
});
