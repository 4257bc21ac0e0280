/** One environment variable that is missing or does not hold what the service expects. */
export interface ConfigProblem {
  variable: string;
  /** `missing` when the variable is absent or empty, `invalid` when its value does not parse. */
  kind: 'missing' | 'invalid';
  /** What the variable must hold, in words (from the schema's issue message). */
  expected: string;
}

/**
 * Thrown by `loadConfig` when the environment does not satisfy the service's schema. It lists every
 * problem at once: fixing a deployment one variable per restart is miserable. Values are never
 * echoed, because configuration carries secrets (database URLs with passwords).
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map(
      (p) =>
        `  - ${p.variable}: ${p.kind === 'missing' ? 'missing, expected' : 'invalid, expected'} ${p.expected}`,
    );
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
