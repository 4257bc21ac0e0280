/**
 * A configuration problem the operator must fix (bad value, unreadable file). It carries a stable
 * string code so the process can print a one-line message instead of a stack trace.
 */
export class ConfigError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
  }
}
