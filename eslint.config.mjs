import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/**
 * Module boundaries mirror the architecture: apps never import each other, services share only
 * `contracts` and the platform libs, and libs never reach up into apps. `type:tooling` is the shared
 * test configuration, which every project may use.
 */
const dependencyRules = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:tooling'],
  },
  {
    sourceTag: 'type:lib',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:tooling'],
  },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:tooling'] },
  // End-to-end scenarios drive the whole system through the demo's stack library; they start apps
  // as processes (by path), never by importing them.
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:tooling'],
  },
  {
    sourceTag: 'type:tooling',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:tooling'],
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  {
    ignores: [
      '**/node_modules',
      '**/out-tsc',
      '**/dist',
      '**/.nx',
      '**/.data',
      '**/src/protocol/generated/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: dependencyRules,
        },
      ],
    },
  },
  {
    // The code stays readable in small pieces (issue #17): no file over 600 lines, no function over
    // 100 (test files' describe blocks aside). Generated codecs and clients are ignored.
    files: ['**/*.ts'],
    ignores: ['**/generated/**'],
    rules: { 'max-lines': ['error', { max: 600 }] },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', '**/generated/**'],
    rules: { 'max-lines-per-function': ['error', { max: 100 }] },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
];
