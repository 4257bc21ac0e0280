import { StorageError } from '../storage/index.ts';

/** Kafka error codes the producer-state checks answer with (wire numbers). */
export const ProducerErrorCode = {
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  UNKNOWN_PRODUCER_ID: 59,
  INVALID_RECORD: 87,
} as const;

/**
 * A produce rejected by the idempotence checks. It is a StorageError so the
 * produce path reports `code` to the client exactly like any other append failure.
 */
export class ProducerStateError extends StorageError {
  constructor(code: number, message: string) {
    super(code, message);
    this.name = 'ProducerStateError';
  }
}
