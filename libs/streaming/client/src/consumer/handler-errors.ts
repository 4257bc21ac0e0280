import { ContractError } from '@retail-streams/contracts';

/**
 * A failure that retrying cannot fix (a business rule says no, the data is wrong). The runner sends
 * the record to the dead-letter topic at once instead of retrying.
 */
export class NonRetriableError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
    this.code = code;
  }
}

/** Thrown inside a handler's retry wait when the runner is stopping: the record is redelivered later. */
export class ShutdownInterruptedError extends Error {
  constructor() {
    super('the consumer is stopping; the record will be redelivered');
    this.name = 'ShutdownInterruptedError';
  }
}

export interface FailureDescription {
  retriable: boolean;
  code: string;
  message: string;
}

/**
 * Poison (records that do not parse) and explicit non-retriable failures go to the dead-letter topic
 * straight away; everything else (a database hiccup, a timeout) is worth retrying.
 */
export function describeFailure(error: unknown): FailureDescription {
  if (error instanceof ContractError) {
    return { retriable: false, code: error.code, message: error.message };
  }
  if (error instanceof NonRetriableError) {
    return { retriable: false, code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return { retriable: true, code: typeof code === 'string' ? code : 'HANDLER_FAILED', message };
}
