import { ErrorCode, defaultMessage, isRetriable } from './kafka-errors.ts';

/**
 * A failure as a Kafka client should see it: a protocol error code and a message. Storage, the group
 * coordinator, producer-state checks and the API handlers all throw (subclasses of) this, so a handler
 * turns any of them into a response with `toKafkaError`.
 */
export class KafkaError extends Error {
  readonly code: number;

  /** `message` defaults to the code's default message from the error table. */
  constructor(code: number, message?: string, options?: { cause?: unknown }) {
    super(message ?? defaultMessage(code), options);
    this.name = 'KafkaError';
    this.code = code;
  }

  /** Whether the client may retry the same request (data from the error table). */
  get retriable(): boolean {
    return isRetriable(this.code);
  }
}

/**
 * The code and message to answer for any thrown value: a KafkaError's own, UNKNOWN_SERVER_ERROR (-1)
 * for anything else (a bug or an unexpected failure, which the caller should log).
 */
export function toKafkaError(err: unknown): { code: number; message: string } {
  if (err instanceof KafkaError) return { code: err.code, message: err.message };
  return {
    code: ErrorCode.UNKNOWN_SERVER_ERROR,
    message: err instanceof Error ? err.message : String(err),
  };
}
