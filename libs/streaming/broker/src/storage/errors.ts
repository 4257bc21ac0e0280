import { ErrorCode, KafkaError } from '../errors/index.ts';

/** A storage failure; `code` is the Kafka error code a client should receive. */
export class StorageError extends KafkaError {
  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StorageError';
  }
}

/** Wraps an unexpected I/O failure (ENOSPC, EIO, EACCES...) as KAFKA_STORAGE_ERROR. */
export function storageIoError(what: string, cause: unknown): StorageError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StorageError(ErrorCode.KAFKA_STORAGE_ERROR, `${what}: ${detail}`, { cause });
}
