import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@retail-streams/demo-stack';
import { runLoad } from './load-generator.ts';
import type { LoadProgress } from './load-generator.ts';

interface Received {
  mode: string;
  body: { customerId: string; lines: { sku: string; quantity: number }[] };
}

/** A tiny sales look-alike: 202 PENDING for async, 201 CONFIRMED for sync, or whatever `answer` says. */
async function startFakeSales(
  answer: (mode: string, n: number) => { status: number; delayMs?: number } = (mode) => ({
    status: mode === 'sync' ? 201 : 202,
  }),
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const mode = new URL(req.url ?? '/', 'http://x').searchParams.get('mode') ?? 'async';
    received.push({ mode, body: JSON.parse(text) as Received['body'] });
    const { status, delayMs = 0 } = answer(mode, received.length);
    setTimeout(() => {
      const orderId = randomUUID();
      res.writeHead(status, { 'content-type': 'application/json', location: `/orders/${orderId}` });
      res.end(
        status < 300
          ? JSON.stringify({ orderId, status: mode === 'sync' ? 'CONFIRMED' : 'PENDING' })
          : JSON.stringify({ code: 'INVENTORY_UNAVAILABLE' }),
      );
    }, delayMs);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${port}`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A seeded generator, so the sync/async split is the same on every run. */
function seeded(seed = 42): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('runLoad', () => {
  it('sends rate × duration orders, split between the paths by the sync ratio', async () => {
    const sales = await startFakeSales();
    const result = await runLoad({
      salesUrl: sales.url,
      rate: 100,
      durationMs: 1000,
      syncRatio: 0.5,
      random: seeded(),
    });
    const sent = result.paths.async.sent + result.paths.sync.sent;
    expect(sent).toBe(100);
    expect(sales.received).toHaveLength(100);
    expect(result.paths.sync.sent).toBe(sales.received.filter((r) => r.mode === 'sync').length);
    expect(result.paths.sync.sent).toBeGreaterThan(30);
    expect(result.paths.async.sent).toBeGreaterThan(30);
    expect(result.paths.async.accepted).toBe(result.paths.async.sent);
    expect(result.paths.async.statuses).toEqual({ PENDING: result.paths.async.sent });
    expect(result.paths.sync.statuses).toEqual({ CONFIRMED: result.paths.sync.sent });
    expect(result.accepted).toHaveLength(100);
    expect(new Set(result.accepted.map((a) => a.orderId)).size).toBe(100);
  });

  it('sends valid order bodies: a customer and one to three distinct lines', async () => {
    const sales = await startFakeSales();
    await runLoad({
      salesUrl: sales.url,
      rate: 50,
      durationMs: 400,
      syncRatio: 0,
      skus: ['A1', 'B2', 'C3'],
    });
    for (const { body } of sales.received) {
      expect(body.customerId).toMatch(/^load-customer-\d\d$/);
      expect(body.lines.length).toBeGreaterThanOrEqual(1);
      expect(body.lines.length).toBeLessThanOrEqual(3);
      expect(new Set(body.lines.map((l) => l.sku)).size).toBe(body.lines.length);
      for (const line of body.lines) {
        expect(['A1', 'B2', 'C3']).toContain(line.sku);
        expect(line.quantity).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('counts non-2xx answers and refused connections as failures, by cause', async () => {
    const sales = await startFakeSales((mode) => ({ status: mode === 'sync' ? 503 : 202 }));
    const result = await runLoad({ salesUrl: sales.url, rate: 50, durationMs: 400, syncRatio: 1 });
    expect(result.paths.sync.accepted).toBe(0);
    expect(result.paths.sync.failed).toBe(result.paths.sync.sent);
    expect(result.paths.sync.failures).toEqual({ 'HTTP 503': result.paths.sync.sent });

    const nobody = `http://127.0.0.1:${await freePort()}`;
    const refused = await runLoad({ salesUrl: nobody, rate: 20, durationMs: 200, syncRatio: 0 });
    expect(refused.paths.async.failed).toBe(refused.paths.async.sent);
    expect(Object.keys(refused.paths.async.failures)).toEqual(['ECONNREFUSED']);
  });

  it('measures latency per path from the server’s answers', async () => {
    const sales = await startFakeSales((mode) =>
      mode === 'sync' ? { status: 201, delayMs: 200 } : { status: 202, delayMs: 0 },
    );
    const result = await runLoad({
      salesUrl: sales.url,
      rate: 40,
      durationMs: 500,
      syncRatio: 0.5,
      random: seeded(7),
    });
    expect(result.paths.sync.latency.p50).toBeGreaterThanOrEqual(200);
    expect(result.paths.async.latency.p50).toBeLessThan(200);
    expect(result.paths.sync.latency.p99).toBeGreaterThanOrEqual(result.paths.sync.latency.p50);
  });

  it('follows a changing rate (a burst)', async () => {
    const sales = await startFakeSales();
    const result = await runLoad({
      salesUrl: sales.url,
      rate: 0,
      rateAt: (ms) => (ms < 500 ? 20 : 200),
      durationMs: 1000,
      syncRatio: 0,
    });
    // 0.5 s at 20/s and 0.5 s at 200/s: 110, give or take the millisecond where the rate changes.
    expect(result.paths.async.sent).toBeGreaterThanOrEqual(109);
    expect(result.paths.async.sent).toBeLessThanOrEqual(111);
  });

  it('stops early when aborted, still waiting for the answers due', async () => {
    const sales = await startFakeSales(() => ({ status: 202, delayMs: 100 }));
    const abort = new AbortController();
    const progress: LoadProgress[] = [];
    setTimeout(() => abort.abort(), 300);
    const result = await runLoad({
      salesUrl: sales.url,
      rate: 100,
      durationMs: Infinity,
      syncRatio: 0,
      signal: abort.signal,
      onProgress: (p) => progress.push(structuredClone(p)),
      progressIntervalMs: 50,
    });
    expect(result.paths.async.sent).toBeGreaterThan(0);
    expect(result.paths.async.sent).toBeLessThan(100);
    expect(result.paths.async.accepted).toBe(result.paths.async.sent);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)?.inFlight).toBe(0);
  });

  it('refuses a rate, duration or sync ratio that makes no sense', async () => {
    const base = { salesUrl: 'http://127.0.0.1:1', rate: 1, durationMs: 1, syncRatio: 0 };
    await expect(runLoad({ ...base, rate: 0 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(runLoad({ ...base, durationMs: 0 })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
    });
    await expect(runLoad({ ...base, syncRatio: 1.5 })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
    });
  });
});
