/** Failures of the scenario harness itself (not of the system under test) carry a code. */
export type E2eErrorCode =
  | 'WAIT_TIMEOUT'
  | 'HTTP_FAILED'
  | 'CLI_FAILED'
  | 'UNKNOWN_SERVICE'
  | 'NOT_RUNNING'
  | 'BACKEND_UNAVAILABLE'
  | 'BAD_BACKEND';

export class E2eError extends Error {
  readonly code: E2eErrorCode;

  constructor(code: E2eErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'E2eError';
    this.code = code;
  }
}
