import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AcceptedOrder } from '../load/load-generator.ts';
import { freePort } from '@retail-streams/demo-stack';
import { auditOrders } from './order-audit.ts';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

/** A sales look-alike: each order's status, and how many reads it takes to become final. */
async function fakeSales(
  orders: Record<
    string,
    { final: 'CONFIRMED' | 'REJECTED' | null; afterReads: number; decidedAt: string }
  >,
) {
  const reads = new Map<string, number>();
  server = createServer((req, res) => {
    const id = (req.url ?? '').split('/').pop() ?? '';
    const order = orders[id];
    if (!order) return res.writeHead(404).end('{}');
    const n = (reads.get(id) ?? 0) + 1;
    reads.set(id, n);
    const final = order.final !== null && n > order.afterReads;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        orderId: id,
        status: final ? order.final : 'PENDING',
        receivedAt: '2026-01-01T00:00:00.000Z',
        decidedAt: final ? order.decidedAt : null,
      }),
    );
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

const accepted = (orderId: string, path: 'async' | 'sync'): AcceptedOrder => ({
  orderId,
  path,
  status: path === 'sync' ? 'CONFIRMED' : 'PENDING',
  answeredAtMs: 0,
});

describe('auditOrders', () => {
  it('reads orders until they are final, and measures from the load end to the last decision', async () => {
    const salesUrl = await fakeSales({
      a1: { final: 'CONFIRMED', afterReads: 0, decidedAt: '2026-01-01T00:00:01.000Z' },
      a2: { final: 'REJECTED', afterReads: 1, decidedAt: '2026-01-01T00:00:03.500Z' },
      s1: { final: 'CONFIRMED', afterReads: 0, decidedAt: '2026-01-01T00:00:00.200Z' },
    });
    const result = await auditOrders(
      [accepted('a1', 'async'), accepted('a2', 'async'), accepted('s1', 'sync')],
      {
        salesUrl,
        loadEndedAt: Date.parse('2026-01-01T00:00:02.000Z'),
      },
    );
    expect(result.async).toMatchObject({
      accepted: 2,
      final: 2,
      confirmed: 1,
      rejected: 1,
      lost: 0,
      unfinished: 0,
    });
    expect(result.async.allFinalAfterMs).toBe(1500);
    expect(result.async.decisionMs.sort((a, b) => a - b)).toEqual([1000, 3500]);
    expect(result.sync).toMatchObject({ accepted: 1, final: 1, allFinalAfterMs: 0 });
  });

  it('counts an accepted order sales does not know as lost, and a never-decided one as unfinished', async () => {
    const salesUrl = await fakeSales({
      a1: { final: null, afterReads: 0, decidedAt: '' },
    });
    const result = await auditOrders([accepted('a1', 'async'), accepted('gone', 'async')], {
      salesUrl,
      loadEndedAt: 0,
      deadlineMs: 0,
    });
    expect(result.async).toMatchObject({
      accepted: 2,
      final: 0,
      lost: 1,
      unfinished: 1,
      allFinalAfterMs: null,
    });
  });
});
