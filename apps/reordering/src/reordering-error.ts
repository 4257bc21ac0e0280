export type ReorderingErrorCode = 'PURCHASE_ORDER_CONFLICT' | 'SUPPLIER_STEP_FAILED';

/** A failure of reordering's own logic, with a stable code for logs and the dead-letter headers. */
export class ReorderingError extends Error {
  readonly code: ReorderingErrorCode;

  constructor(code: ReorderingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReorderingError';
    this.code = code;
  }
}
