import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Router } from 'express';
import { z } from 'zod';
import { createLogger } from '../logging/index.ts';
import {
  createServiceApp,
  HttpProblem,
  PROBLEM_CONTENT_TYPE,
  startHttpServer,
  validate,
} from './index.ts';
import type { RunningHttpServer, ServiceApp } from './index.ts';

/** Collects the service's JSON log lines so tests can check what was logged. */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, stream };
}

const OrderBody = z.object({
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
  note: z.string().default(''),
});

describe('createServiceApp', () => {
  const logs = logSink();
  let app: ServiceApp;
  let server: RunningHttpServer;
  let databaseUp = true;

  beforeAll(async () => {
    app = createServiceApp({
      name: 'sales',
      logger: createLogger('sales', { level: 'debug', destination: logs.stream }),
      jsonLimit: '1kb',
      routes: (router) => {
        router.post('/orders', validate({ body: OrderBody }), (req, res) => {
          res.status(202).json({ accepted: req.body, requestId: req.id });
        });
        router.get(
          '/orders/:id',
          validate({
            params: z.object({ id: z.uuid() }),
            query: z.object({ verbose: z.stringbool().default(false) }),
          }),
          (req, res) => {
            res.json({ id: req.params.id, verbose: req.query.verbose });
          },
        );
        const stock = Router();
        stock.get('/:sku', (req, res) => {
          res.json({ sku: req.params.sku });
        });
        router.use('/stock', stock);
        router.get('/boom', async () => {
          throw new Error('database password is hunter2');
        });
        router.get('/gone', () => {
          throw new HttpProblem({
            status: 410,
            code: 'ORDER_ARCHIVED',
            detail: 'Order 7 was archived.',
          });
        });
      },
    });
    app.readiness.add('database', () => {
      if (!databaseUp) throw new Error('connection refused');
    });
    app.readiness.add('consumers', () => true);
    server = await startHttpServer(app, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await server.close();
  });

  async function problemOf(response: Response) {
    expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    return (await response.json()) as Record<string, unknown>;
  }

  it('accepts a valid body and hands the handler the parsed value with defaults', async () => {
    const response = await fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'A-1', quantity: 2 }),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { accepted: unknown };
    expect(body.accepted).toEqual({ sku: 'A-1', quantity: 2, note: '' });
  });

  it('answers an invalid body with a 400 problem listing every issue', async () => {
    const response = await fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: '', quantity: -1 }),
    });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/orders' });
    expect(problem['type']).toEqual(expect.any(String));
    expect(problem['title']).toEqual(expect.any(String));
    const issues = problem['issues'] as { location: string; path: string }[];
    expect(issues.map((issue) => `${issue.location}:${issue.path}`).sort()).toEqual([
      'body:quantity',
      'body:sku',
    ]);
  });

  it('validates params and query, coercing the query', async () => {
    const bad = await fetch(`${server.url}/orders/not-a-uuid?verbose=maybe`);
    expect(bad.status).toBe(400);
    const problem = await problemOf(bad);
    const issues = problem['issues'] as { location: string; path: string }[];
    expect(issues.map((issue) => `${issue.location}:${issue.path}`)).toEqual([
      'params:id',
      'query:verbose',
    ]);

    const id = '8d5e0b1a-2f67-4c1e-9a55-0c6f1f1f2b3c';
    const good = await fetch(`${server.url}/orders/${id}?verbose=true`);
    expect(await good.json()).toEqual({ id, verbose: true });
  });

  it.each([
    ['a route parameter', '/orders/%%%%'],
    ['a parameter of a mounted router', '/stock/%E0%A4%A'],
    ['an unknown route', '/nowhere/%%'],
    ['the query', '/orders/8d5e0b1a-2f67-4c1e-9a55-0c6f1f1f2b3c?verbose=%%%%'],
    ['a query key', '/orders/8d5e0b1a-2f67-4c1e-9a55-0c6f1f1f2b3c?%%=true'],
    ['a health endpoint', '/health/live?probe=%'],
  ])('answers malformed percent-encoding in %s with a 400 problem', async (_, path) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({
      status: 400,
      code: 'MALFORMED_URI',
      detail: expect.stringMatching(/^The request (path|query) has malformed percent-encoding/),
    });
  });

  it('still accepts well-formed escapes, including an escaped percent sign', async () => {
    const response = await fetch(`${server.url}/stock/A%25B%20C?x=%E2%82%AC`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sku: 'A%B C' });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sku": "A-1",',
    });
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('answers a body over the limit with a 413 problem', async () => {
    const response = await fetch(`${server.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'x'.repeat(2048), quantity: 1 }),
    });
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await fetch(`${server.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      title: 'Not Found',
    });
  });

  it('passes a thrown HttpProblem through with its own status and code', async () => {
    const response = await fetch(`${server.url}/gone`);
    expect(response.status).toBe(410);
    expect(await problemOf(response)).toMatchObject({
      code: 'ORDER_ARCHIVED',
      detail: 'Order 7 was archived.',
    });
  });

  it('answers an unexpected error with a 500 problem that leaks nothing, and logs it with the request id', async () => {
    const response = await fetch(`${server.url}/boom`, {
      headers: { 'x-request-id': 'req-boom-1' },
    });
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/at .*\.ts/);
    expect(await problemOf(response)).toMatchObject({
      status: 500,
      code: 'INTERNAL_ERROR',
      requestId: 'req-boom-1',
    });
    const logged = logs.lines.find(
      (line) => line['requestId'] === 'req-boom-1' && line['level'] === 'error' && line['err'],
    );
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  it('echoes a sane x-request-id and generates one otherwise', async () => {
    const given = await fetch(`${server.url}/health/live`, {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const generated = await fetch(`${server.url}/health/live`, {
      headers: { 'x-request-id': 'bad id\twith tabs' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one access-log line per request with method, route, status and duration', async () => {
    await fetch(`${server.url}/orders/8d5e0b1a-2f67-4c1e-9a55-0c6f1f1f2b3c`, {
      headers: { 'x-request-id': 'req-log-1' },
    });
    const line = logs.lines.find(
      (l) => l['requestId'] === 'req-log-1' && l['msg'] === 'request completed',
    );
    expect(line).toMatchObject({
      service: 'sales',
      level: 'debug',
      req: { method: 'GET', route: '/orders/:id' },
      res: { statusCode: 200 },
    });
    expect(line?.['responseTimeMs']).toEqual(expect.any(Number));
  });

  it('names the route of a mounted sub-router with its mount path', async () => {
    await fetch(`${server.url}/stock/A-1`, { headers: { 'x-request-id': 'req-log-2' } });
    const line = logs.lines.find(
      (l) => l['requestId'] === 'req-log-2' && l['msg'] === 'request completed',
    );
    expect(line).toMatchObject({ req: { route: '/stock/:sku' }, res: { statusCode: 200 } });
  });

  it('answers liveness with 200 and readiness with each check', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' }, consumers: { status: 'up' } },
    });
  });

  it('answers readiness with 503 and the failing check while a dependency is down', async () => {
    databaseUp = false;
    try {
      const ready = await fetch(`${server.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'not_ready',
        checks: {
          database: { status: 'down', error: 'connection refused' },
          consumers: { status: 'up' },
        },
      });
    } finally {
      databaseUp = true;
    }
  });
});
