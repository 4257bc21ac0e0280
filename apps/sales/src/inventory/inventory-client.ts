import {
  reservationResponse,
  type ReservationRequest,
  type ReservationResponse,
} from '@retail-streams/contracts';
import { traceHeaders } from '@retail-streams/service-kit';

export type InventoryCallErrorCode =
  /** Nothing answered: connection refused, reset, DNS. */
  | 'INVENTORY_UNREACHABLE'
  /** No complete answer within the timeout. */
  | 'INVENTORY_TIMEOUT'
  /** Inventory answered with a 5xx: it is there but cannot serve. */
  | 'INVENTORY_FAILED'
  /** Inventory answered something that is not the contract's response (or a 4xx: our bug or theirs). */
  | 'INVENTORY_BAD_RESPONSE';

export class InventoryCallError extends Error {
  readonly code: InventoryCallErrorCode;

  constructor(code: InventoryCallErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InventoryCallError';
    this.code = code;
  }
}

export interface InventoryClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

/**
 * The sync path's one synchronous dependency: inventory's `POST /reservations`. The timeout covers
 * the whole exchange (connect, answer and body), because a client of sales waits for all of it.
 * The call is idempotent per order id on inventory's side, so calling again for the same order is safe.
 */
export class InventoryClient {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(options: InventoryClientOptions) {
    this.#url = new URL('/reservations', options.baseUrl).toString();
    this.#timeoutMs = options.timeoutMs;
  }

  async reserve(request: ReservationRequest): Promise<ReservationResponse> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: traceHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
        body: JSON.stringify(request),
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (signal.aborted) {
        throw new InventoryCallError(
          'INVENTORY_TIMEOUT',
          `inventory did not answer within ${this.#timeoutMs} ms`,
          { cause: error },
        );
      }
      throw new InventoryCallError(
        'INVENTORY_UNREACHABLE',
        `inventory is unreachable at ${this.#url} (${describeNetworkError(error)})`,
        { cause: error },
      );
    }
    if (status >= 500) {
      throw new InventoryCallError('INVENTORY_FAILED', `inventory answered ${status}`);
    }
    if (status < 200 || status >= 300) {
      throw new InventoryCallError(
        'INVENTORY_BAD_RESPONSE',
        `inventory refused the reservation request with ${status}: ${text.slice(0, 300)}`,
      );
    }
    return parseResponse(text, request.orderId);
  }
}

function parseResponse(text: string, orderId: string): ReservationResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InventoryCallError('INVENTORY_BAD_RESPONSE', 'inventory answered with invalid JSON');
  }
  const parsed = reservationResponse.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new InventoryCallError(
      'INVENTORY_BAD_RESPONSE',
      `inventory's answer breaks the reservation contract: ${issues.join('; ')}`,
    );
  }
  if (parsed.data.orderId !== orderId) {
    throw new InventoryCallError(
      'INVENTORY_BAD_RESPONSE',
      `inventory answered for order ${parsed.data.orderId}, not ${orderId}`,
    );
  }
  return parsed.data;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message;
}
