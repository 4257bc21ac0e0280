import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isSyncOrder, startOpenLoop } from './open-loop.ts';

let server: Server | null = null;

afterEach(async () => {
  const current = server;
  server = null;
  if (!current) return;
  current.closeAllConnections();
  await new Promise((resolve) => current.close(resolve));
});

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const answer = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('the open-loop generator', () => {
  it('spreads the sync share evenly and exactly', () => {
    const picks = (ratio: number) => Array.from({ length: 10 }, (_, i) => isSyncOrder(i, ratio));
    expect(picks(0).filter(Boolean)).toHaveLength(0);
    expect(picks(0.5)).toEqual([false, true, false, true, false, true, false, true, false, true]);
    expect(picks(0.3).filter(Boolean)).toHaveLength(3);
    expect(picks(1).every(Boolean)).toBe(true);
  });

  it('sends rate x duration orders, on both paths, and records each answer', async () => {
    const bodies: { path: string; order: { customerId: string; lines: unknown[] } }[] = [];
    let next = 0;
    const url = await listen((req, res, body) => {
      bodies.push({ path: req.url ?? '', order: JSON.parse(body) });
      const orderId = `order-${next++}`;
      if (req.url?.includes('mode=sync')) answer(res, 201, { orderId, status: 'CONFIRMED' });
      else answer(res, 202, { orderId, status: 'PENDING' });
    });
    const run = startOpenLoop({
      salesUrl: url,
      rate: 200,
      durationMs: 100,
      syncRatio: 0.5,
      skus: ['SKU-A', 'SKU-B'],
    });
    await run.sendingDone;
    await run.allAnswered;
    expect(run.orders).toHaveLength(20);
    expect(bodies).toHaveLength(20);
    expect(bodies.filter((b) => b.path === '/orders?mode=sync')).toHaveLength(10);
    expect(bodies.filter((b) => b.path === '/orders')).toHaveLength(10);
    expect(bodies[0]!.order.lines.length).toBeGreaterThan(0);
    for (const order of run.orders) {
      expect(order.error).toBeNull();
      expect(order.orderId).toMatch(/^order-/);
      expect(order.answer).toBe(order.path === 'sync' ? 'CONFIRMED' : 'PENDING');
      expect(order.answeredAt).toBeGreaterThanOrEqual(order.sentAt);
      expect(order.sentAt).toBeGreaterThanOrEqual(order.scheduledAt);
    }
    // The schedule is start + i / rate: 5 ms apart at 200/s.
    expect(run.orders[4]!.scheduledAt - run.orders[0]!.scheduledAt).toBeCloseTo(20);
  });

  it('keeps sending while earlier orders wait for their answers (no closed loop)', async () => {
    // The server answers nobody until every order has arrived: a generator that waited for answers
    // (or queued behind a socket limit) would never send them all.
    const waiting: ServerResponse[] = [];
    const url = await listen((_req, res) => {
      waiting.push(res);
      if (waiting.length === 30)
        waiting.forEach((r, i) => answer(r, 202, { orderId: `o${i}`, status: 'PENDING' }));
    });
    const run = startOpenLoop({
      salesUrl: url,
      rate: 300,
      durationMs: 100,
      syncRatio: 0,
      skus: ['SKU-A'],
    });
    await run.sendingDone;
    await run.allAnswered;
    expect(run.orders.filter((o) => o.error === null)).toHaveLength(30);
  });

  it('names each failure: HTTP status, missing id, timeout, refused connection, in-flight cap', async () => {
    let n = 0;
    const url = await listen((_req, res) => {
      const i = n++;
      if (i === 0) answer(res, 503, { error: 'busy' });
      else if (i === 1) answer(res, 202, { status: 'PENDING' });
      // Later ones are never answered: they time out.
    });
    const run = startOpenLoop({
      salesUrl: url,
      rate: 100,
      durationMs: 40,
      syncRatio: 0,
      skus: ['SKU-A'],
      timeoutMs: 300,
    });
    await run.sendingDone;
    await run.allAnswered;
    // Arrival order may differ from send order on a busy machine: compare as sets.
    expect(run.orders.map((o) => o.error).sort()).toEqual([
      'HTTP 202 without an orderId',
      'HTTP 503',
      'timeout',
      'timeout',
    ]);
    expect(run.orders.find((o) => o.error === 'HTTP 503')?.status).toBe(503);

    const capped = startOpenLoop({
      salesUrl: url,
      rate: 100,
      durationMs: 30,
      syncRatio: 0,
      skus: ['SKU-A'],
      maxInFlight: 1,
      timeoutMs: 300,
    });
    await capped.sendingDone;
    await capped.allAnswered;
    expect(capped.orders.map((o) => o.error)).toEqual([
      'timeout',
      'in-flight cap',
      'in-flight cap',
    ]);

    const refused = startOpenLoop({
      salesUrl: 'http://127.0.0.1:1',
      rate: 100,
      durationMs: 10,
      syncRatio: 0,
      skus: ['SKU-A'],
    });
    await refused.allAnswered;
    expect(refused.orders.map((o) => o.error)).toEqual(['ECONNREFUSED']);
  });
});
