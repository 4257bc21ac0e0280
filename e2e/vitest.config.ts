import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '@retail-streams/workspace-tools/vitest';

/**
 * The scenarios start whole systems (PostgreSQL, a broker and four services, or containers), so they
 * override the shared defaults: one file at a time (each file runs its own stack, and two stacks at
 * once would fight over a CI machine's two cores) and budgets that cover a cold start plus the
 * scenario's own waits. Every wait inside a scenario has its own shorter timeout and says what it was
 * waiting for, so these outer limits are only a backstop.
 */
export default mergeConfig(
  projectTestConfig('e2e'),
  defineConfig({
    test: {
      fileParallelism: false,
      testTimeout: 180_000,
      hookTimeout: 240_000,
    },
  }),
);
