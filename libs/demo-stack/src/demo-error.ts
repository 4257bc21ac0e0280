/** Every failure the demo reports on purpose carries a code, so tests and callers can tell them apart. */
export type DemoErrorCode =
  | 'BAD_ARGUMENT'
  | 'ENTRY_MISSING'
  | 'PROCESS_EXITED'
  | 'READINESS_TIMEOUT'
  | 'SPAWN_FAILED'
  | 'POSTGRES_FAILED'
  | 'UNKNOWN_PROCESS'
  | 'NOT_RUNNING'
  | 'ALREADY_RUNNING'
  | 'LOAD_RUNNING'
  | 'ADMIN_CALL_FAILED'
  | 'UNKNOWN_SCENARIO'
  | 'ACLS_NOT_APPLIED';

export class DemoError extends Error {
  readonly code: DemoErrorCode;

  constructor(code: DemoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DemoError';
    this.code = code;
  }
}
