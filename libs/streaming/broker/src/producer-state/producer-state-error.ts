import { StorageError } from '../storage/index.ts';

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
