/**
 * Kafka error codes the storage layer can produce. Storage keeps its own small
 * table (the numbers are the wire protocol's) so it does not depend on the
 * protocol package: the server maps `StorageError.code` straight into responses.
 */
export const StorageErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_TIMESTAMP: 32,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  KAFKA_STORAGE_ERROR: 56,
  INVALID_RECORD: 87,
} as const;

export type StorageErrorCodeValue = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** An error whose `code` is the Kafka error code a client should receive. */
export class StorageError extends Error {
  readonly code: number;

  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

/** Wraps an unexpected I/O failure (ENOSPC, EIO, EACCES...) as KAFKA_STORAGE_ERROR. */
export function storageIoError(what: string, cause: unknown): StorageError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StorageError(StorageErrorCode.KAFKA_STORAGE_ERROR, `${what}: ${detail}`, { cause });
}
