import { StorageError } from '../storage/index.ts';

/** Error codes the handlers use, by name (same numbers as the protocol's ErrorCode table). */
export const Err = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_TOPIC_ID: 100,
} as const;

/** A failure as the client should see it: code plus message. Non-storage errors are server errors. */
export function toKafkaError(err: unknown): { code: number; message: string } {
  if (err instanceof StorageError) return { code: err.code, message: err.message };
  return {
    code: Err.UNKNOWN_SERVER_ERROR,
    message: err instanceof Error ? err.message : String(err),
  };
}

/** A handler-level failure carrying the Kafka error code to report. */
export class ApiError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

export function errorOf(err: unknown): { code: number; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  return toKafkaError(err);
}
