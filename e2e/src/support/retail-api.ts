import { E2eError } from './e2e-error.ts';
import type { ServiceUrls } from '../environment/environment.ts';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED';

export interface OrderLine {
  sku: string;
  quantity: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  mode: 'async' | 'sync';
  status: OrderStatus;
  lines: Array<OrderLine & { unitPrice: number | null }>;
  totalAmount: number | null;
  rejection: { reason: string; detail: string } | null;
}

export interface Product {
  sku: string;
  name: string;
  unitPrice: number;
  available: number;
  reorderPoint: number;
  reorderQuantity: number;
}

export interface PurchaseOrder {
  purchaseOrderId: string;
  sku: string;
  quantity: number;
  status: 'ORDERED' | 'SHIPPED' | 'RECEIVED';
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

/**
 * The services' public HTTP APIs, as a client (or the dashboard) uses them. Only the fields the
 * scenarios read are typed; the bodies are the services' real answers.
 */
export class RetailApi {
  readonly urls: ServiceUrls;
  /** The control token operator actions need (a replay), as the demo passes it to analytics. */
  readonly #operatorToken: string | undefined;

  constructor(urls: ServiceUrls, operatorToken?: string) {
    this.urls = urls;
    this.#operatorToken = operatorToken;
  }

  /** Places an order; `async` answers 202 PENDING, `sync` 201 with the verdict or 503. */
  placeOrder(
    lines: OrderLine[],
    options: { mode?: 'async' | 'sync'; customerId?: string } = {},
  ): Promise<HttpAnswer<Order & { code?: string }>> {
    const query = options.mode === 'sync' ? '?mode=sync' : '';
    return this.#call('POST', `${this.urls.sales}/orders${query}`, {
      customerId: options.customerId ?? 'e2e-customer',
      lines,
    });
  }

  async order(orderId: string): Promise<Order> {
    return this.#ok(await this.#call<Order>('GET', `${this.urls.sales}/orders/${orderId}`));
  }

  async product(sku: string, baseUrl = this.urls.inventory): Promise<Product> {
    return this.#ok(await this.#call<Product>('GET', `${baseUrl}/products/${sku}`));
  }

  async purchaseOrders(sku: string): Promise<PurchaseOrder[]> {
    const answer = await this.#call<{ purchaseOrders: PurchaseOrder[] }>(
      'GET',
      `${this.urls.reordering}/purchase-orders?sku=${encodeURIComponent(sku)}`,
    );
    return this.#ok(answer).purchaseOrders;
  }

  async summary(): Promise<AnalyticsSummaryView> {
    return this.#ok(
      await this.#call<AnalyticsSummaryView>('GET', `${this.urls.analytics}/api/summary`),
    );
  }

  async startReplay(): Promise<HttpAnswer<ReplayView>> {
    return this.#call<ReplayView>('POST', `${this.urls.analytics}/api/replay`, undefined, {
      authorization: `Bearer ${this.#operatorToken ?? ''}`,
    });
  }

  async replay(id: string): Promise<ReplayView> {
    return this.#ok(await this.#call<ReplayView>('GET', `${this.urls.analytics}/api/replay/${id}`));
  }

  /** `/health/ready` of a service: true when it answers 200. */
  async ready(baseUrl: string): Promise<boolean> {
    try {
      const response = await fetch(`${baseUrl}/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  #ok<T>(answer: HttpAnswer<T>): T {
    if (answer.status >= 400) {
      throw new E2eError(
        'HTTP_FAILED',
        `HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    }
    return answer.body;
  }

  async #call<T>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new E2eError('HTTP_FAILED', `${method} ${url} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the failure message.
    }
    return { status: response.status, body: parsed as T };
  }
}

/** The parts of analytics' `GET /api/summary` the scenarios read (see apps/analytics summary-types). */
export interface AnalyticsSummaryView {
  generatedAt: string;
  processing: {
    groupId: string;
    replay: { id: string; status: string } | null;
    processedRecords: number;
  };
  perMinute: Array<{ orders: number; units: number; revenue: number; confirmedOrders: number }>;
  outcomes: Record<'async' | 'sync', { confirmed: number; rejected: number }>;
  stock: Array<{ sku: string; available: number | null; unitsOrdered: number }>;
  reordering: {
    purchaseOrders: number;
    open: number;
    received: number;
    leadTimeMs: { count: number; min: number | null; max: number | null };
    recent: Array<{ purchaseOrderId: string; sku: string; leadTimeMs: number | null }>;
  };
  [more: string]: unknown;
}

export interface ReplayView {
  id: string;
  groupId: string;
  status: 'running' | 'completed' | 'failed';
  phase: string;
  error: string | null;
}

/** Total revenue over every minute window, in cents (exact, unlike a sum of decimals). */
export function revenueCents(summary: AnalyticsSummaryView): number {
  return summary.perMinute.reduce((sum, minute) => sum + Math.round(minute.revenue * 100), 0);
}

/** Orders decided on either path. */
export function decidedOrders(summary: AnalyticsSummaryView): number {
  const { async: a, sync: s } = summary.outcomes;
  return a.confirmed + a.rejected + s.confirmed + s.rejected;
}
