import {
  reservationResponse,
  type ReservationRequest,
  type ReservationResponse,
} from '@retail-streams/contracts';
import http from 'node:http';
import https from 'node:https';
import { withHttpClientSpan, type HttpClientCall } from '@retail-streams/service-kit';

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
 *
 * Connections are kept alive and reused (an `http.Agent` pool): at hundreds of sync orders a second,
 * a TCP handshake per call would cost both services more than the call itself. `close()` ends them.
 */
export class InventoryClient {
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #agent: http.Agent;

  constructor(options: InventoryClientOptions) {
    this.#url = new URL('/reservations', options.baseUrl);
    this.#timeoutMs = options.timeoutMs;
    this.#agent = new (this.#url.protocol === 'https:' ? https : http).Agent({
      keepAlive: true,
      // Most recently used first: under light load the others idle out instead of all staying warm.
      scheduling: 'lifo',
      maxFreeSockets: 64,
    });
  }

  /** The call, in a CLIENT span whose context inventory's server span continues. */
  reserve(request: ReservationRequest): Promise<ReservationResponse> {
    return withHttpClientSpan('POST', this.#url, {}, (call) => this.#reserve(request, call));
  }

  async #reserve(request: ReservationRequest, call: HttpClientCall): Promise<ReservationResponse> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let answer: { status: number; text: string };
    try {
      answer = await postJson(
        this.#url,
        JSON.stringify(request),
        this.#agent,
        signal,
        call.headers,
      );
      call.answered(answer.status);
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
    const { status, text } = answer;
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

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/** POSTs a JSON body and reads the whole answer, on a pooled connection, until `signal` aborts. */
function postJson(
  url: URL,
  body: string,
  agent: http.Agent,
  signal: AbortSignal,
  traceHeaders: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      agent,
      signal,
      headers: {
        ...traceHeaders,
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.end(body);
  });
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
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return (error as Error).message;
}
