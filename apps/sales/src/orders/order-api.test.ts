import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessLogLine } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test-support/http-client.ts';
import {
  eventually,
  startSalesEnvironment,
  type SalesEnvironment,
  type TestSales,
} from '../test-support/sales-environment.ts';
import type { OrderView } from './order-view.ts';

let env: SalesEnvironment;
let sales: TestSales;
const accessLogFile = join(mkdtempSync(join(tmpdir(), 'sales-access-')), 'logs', 'sales.log');

beforeAll(async () => {
  env = await startSalesEnvironment();
  sales = await env.startSales({ ACCESS_LOG_FILE: accessLogFile });
});
afterAll(async () => {
  await env?.stop();
});

interface Problem {
  status: number;
  code: string;
  detail: string;
  issues?: { location: string; path: string }[];
}

const order = { customerId: 'c-api', lines: [{ sku: 'SKU-TEA', quantity: 2 }] };

function post<Body = OrderView>(
  body: unknown,
  options: { query?: string; headers?: Record<string, string> } = {},
) {
  return request<Body>(`${sales.url}/orders${options.query ?? ''}`, {
    body,
    headers: options.headers,
  });
}

async function countOrders(): Promise<number> {
  const [row] = await sales.sql<{ n: number }>('SELECT count(*)::int AS n FROM orders');
  return row?.n ?? 0;
}

describe('POST /orders validation', () => {
  it.each([
    ['no lines', { customerId: 'c', lines: [] }, ['body:lines']],
    ['no customer', { lines: [{ sku: 'SKU-1', quantity: 1 }] }, ['body:customerId']],
    ['a blank customer', { customerId: '   ', lines: order.lines }, ['body:customerId']],
    [
      'a zero quantity',
      { customerId: 'c', lines: [{ sku: 'SKU-1', quantity: 0 }] },
      ['body:lines.0.quantity'],
    ],
    [
      'a fractional quantity',
      { customerId: 'c', lines: [{ sku: 'SKU-1', quantity: 1.5 }] },
      ['body:lines.0.quantity'],
    ],
    [
      'a quantity as a string',
      { customerId: 'c', lines: [{ sku: 'SKU-1', quantity: '2' }] },
      ['body:lines.0.quantity'],
    ],
    [
      'a lower-case SKU',
      { customerId: 'c', lines: [{ sku: 'tea', quantity: 1 }] },
      ['body:lines.0.sku'],
    ],
    ['an unknown field', { customerId: 'c', lines: order.lines, coupon: 'FREE' }, ['body:']],
    [
      'a misspelt line field',
      { customerId: 'c', lines: [{ sku: 'SKU-1', qty: 1 }] },
      ['body:lines.0', 'body:lines.0.quantity'],
    ],
    ['an array body', [order], ['body:']],
    [
      '101 lines',
      { customerId: 'c', lines: Array(101).fill({ sku: 'SKU-1', quantity: 1 }) },
      ['body:lines'],
    ],
  ])('answers 400 with the issues for %s, storing nothing', async (_, body, paths) => {
    const before = await countOrders();
    const response = await post<Problem>(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('VALIDATION_FAILED');
    const found = (response.body.issues ?? []).map((issue) => `${issue.location}:${issue.path}`);
    expect([...new Set(found)].sort()).toEqual(paths);
    expect(await countOrders()).toBe(before);
  });

  it('answers 400 for malformed JSON and for an unknown mode or query parameter', async () => {
    const malformed = await request<Problem>(`${sales.url}/orders`, { rawBody: '{"customerId":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');

    const mode = await post<Problem>(order, { query: '?mode=later' });
    expect(mode.status).toBe(400);
    expect(mode.body.issues?.map((issue) => `${issue.location}:${issue.path}`)).toEqual([
      'query:mode',
    ]);

    const typo = await post<Problem>(order, { query: '?mdoe=sync' });
    expect(typo.status).toBe(400);
  });

  it('answers 400 for an Idempotency-Key that is empty-looking or too long', async () => {
    for (const key of ['has spaces', 'x'.repeat(201)]) {
      const response = await post<Problem>(order, { headers: { 'idempotency-key': key } });
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([
        expect.objectContaining({ location: 'headers', path: 'idempotency-key' }),
      ]);
    }
  });
});

describe('Idempotency-Key on the async path', () => {
  it('answers a repeated key with the first answer and stores one order', async () => {
    const headers = { 'idempotency-key': `key-${randomUUID()}` };
    const first = await post(order, { headers });
    expect(first.status).toBe(202);
    const before = await countOrders();
    // The same request in another JSON spelling is still the same request.
    const reordered = { lines: [{ quantity: 2, sku: 'SKU-TEA' }], customerId: 'c-api' };
    const second = await post(reordered, { headers });
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    // The replay names the order that was created, not a fresh id that exists nowhere.
    expect(first.headers.get('location')).toBe(`/orders/${first.body.orderId}`);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect((await request(`${sales.url}${second.headers.get('location')}`)).status).toBe(200);
    expect(await countOrders()).toBe(before);
  });

  it('answers 422 when the key is reused for a different body or mode', async () => {
    const headers = { 'idempotency-key': `key-${randomUUID()}` };
    const first = await post(order, { headers });
    const otherBody = await post<Problem & { orderId: string }>(
      { ...order, customerId: 'someone-else' },
      { headers },
    );
    expect(otherBody.status).toBe(422);
    expect(otherBody.body).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      orderId: first.body.orderId,
    });
    const otherMode = await post<Problem>(order, { headers, query: '?mode=sync' });
    expect(otherMode.status).toBe(422);
  });

  it('creates one order for concurrent requests with the same key', async () => {
    const headers = { 'idempotency-key': `key-${randomUUID()}` };
    const before = await countOrders();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(order, { headers })));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([202]));
    expect(new Set(answers.map((answer) => answer.body.orderId)).size).toBe(1);
    expect(await countOrders()).toBe(before + 1);
  });
});

describe('reading orders', () => {
  it('answers 404 for an unknown order and 400 for a malformed id', async () => {
    const unknown = await request<Problem>(`${sales.url}/orders/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ORDER_NOT_FOUND');
    const malformed = await request<Problem>(`${sales.url}/orders/42`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.issues?.[0]).toMatchObject({ location: 'params', path: 'id' });
    for (const path of ['/orders/%%%%', '/orders?customerId=%%']) {
      const badEscape = await request<Problem>(`${sales.url}${path}`);
      expect({ path, status: badEscape.status }).toEqual({ path, status: 400 });
      expect(badEscape.body.code).toBe('MALFORMED_URI');
    }
  });

  it('lists orders by status and customer, newest first, and validates the filters', async () => {
    const customerId = `c-list-${randomUUID()}`;
    const placed: OrderView[] = [];
    for (let index = 0; index < 3; index++)
      placed.push((await post({ ...order, customerId })).body);
    const listed = await request<{ orders: OrderView[] }>(
      `${sales.url}/orders?status=PENDING&customerId=${customerId}&limit=2`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.orders.map((o) => o.orderId)).toEqual(
      placed
        .slice(1)
        .reverse()
        .map((o) => o.orderId),
    );
    const none = await request<{ orders: OrderView[] }>(
      `${sales.url}/orders?status=CONFIRMED&customerId=${customerId}`,
    );
    expect(none.body.orders).toEqual([]);

    for (const query of [
      'status=SHIPPED',
      'status=pending',
      'limit=0',
      'limit=abc',
      'limit=501',
      'sort=asc',
    ]) {
      const response = await request<Problem>(`${sales.url}/orders?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.code, query).toBe('VALIDATION_FAILED');
    }
  });
});

describe('operations', () => {
  it('is ready when its database, the broker and its consumers are', async () => {
    const ready = await request<{ status: string; checks: Record<string, { status: string }> }>(
      `${sales.url}/health/ready`,
    );
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({
      database: expect.objectContaining({ status: 'up' }),
      broker: expect.objectContaining({ status: 'up' }),
      consumers: expect.objectContaining({ status: 'up' }),
    });
  });

  it('writes one access-log line per request to ACCESS_LOG_FILE, health probes excepted', async () => {
    const requestId = `req-${randomUUID()}`;
    await request(`${sales.url}/orders/${randomUUID()}`, {
      headers: { 'x-request-id': requestId },
    });
    await request(`${sales.url}/health/live`);
    const lines = await eventually('the access-log line', () => {
      const parsed = readFileSync(accessLogFile, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => accessLogLine.parse(JSON.parse(line)));
      return parsed.some((line) => line.requestId === requestId) ? parsed : undefined;
    });
    expect(lines.find((line) => line.requestId === requestId)).toMatchObject({
      service: 'sales',
      method: 'GET',
      status: 404,
    });
    expect(lines.some((line) => line.path.startsWith('/health/'))).toBe(false);
  });
});
