/**
 * Every failure this module raises carries a code, so that callers (a consumer runner deciding between
 * retry and dead letter, an operator reading logs) can act on it without parsing messages.
 */
export type ProcessingErrorCode =
  | 'INVALID_WINDOW'
  | 'INVALID_OPTION'
  | 'INVALID_TIMESTAMP'
  | 'INVALID_RECORD'
  | 'DUPLICATE_NAME'
  | 'DUPLICATE_TOPIC'
  | 'UNKNOWN_AGGREGATION'
  | 'STATE_CORRUPT'
  | 'STATE_TOPOLOGY_MISMATCH'
  | 'STATE_NOT_SERIALIZABLE'
  | 'PROCESSOR_FAILED';

export class ProcessingError extends Error {
  readonly code: ProcessingErrorCode;

  constructor(code: ProcessingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProcessingError';
    this.code = code;
  }
}
