/**
 * Every failure the command reports carries a code (for tests and scripts) and an exit status:
 * 2 for a command line that cannot be run as written, 1 for anything that went wrong while running.
 */
export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

export type CliErrorCode =
  | 'USAGE'
  | 'BROKER_UNREACHABLE'
  | 'UNKNOWN_TOPIC'
  | 'TOPIC_EXISTS'
  | 'UNKNOWN_GROUP'
  | 'GROUP_ACTIVE'
  | 'FILE_ERROR'
  | 'KAFKA_ERROR'
  | 'AUTHENTICATION_FAILED'
  | 'NOT_AUTHORIZED'
  | 'INTERRUPTED';

export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: number;

  constructor(code: CliErrorCode, message: string, exitCode: number = EXIT_RUNTIME) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export function usageError(message: string): CliError {
  return new CliError('USAGE', message, EXIT_USAGE);
}
