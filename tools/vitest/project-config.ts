import { defineConfig } from 'vitest/config';

/**
 * The one Vitest configuration every project uses, so that timeouts, file layout and the runtime banner
 * are the same everywhere. A project's `vitest.config.ts` is a single call to this function.
 */
export function projectTestConfig(name: string) {
  return defineConfig({
    test: {
      name,
      include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
      globalSetup: [new URL('./runtime-banner.ts', import.meta.url).pathname],
      // Tests start real brokers, databases and client processes: generous, but bounded.
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
    },
  });
}
