import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { createServiceApp, openAccessLogFile, startHttpServer } from './index.ts';
import type { AccessLogEntry } from './index.ts';

function readEntries(file: string): AccessLogEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as AccessLogEntry);
}

/** Starts an app writing its access log to `file`, runs `requests` against it, stops it. */
async function serveAndStop(file: string, requests: (url: string) => Promise<void>) {
  const accessLogFile = openAccessLogFile(file, 'sales');
  const app = createServiceApp({
    name: 'sales',
    logger: createLogger('sales', { level: 'silent' }),
    accessLogFile,
    routes: (router) => {
      router.get('/orders/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      router.post('/orders', (_req, res) => {
        res.status(202).end();
      });
    },
  });
  const server = await startHttpServer(app, 0, '127.0.0.1');
  try {
    await requests(server.url);
  } finally {
    await server.close();
    await accessLogFile.close();
  }
}

describe('openAccessLogFile', () => {
  it('writes one contract line per request, including refused bodies and unknown routes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'access-log-')), 'nested', 'logs', 'sales.log');
    await serveAndStop(file, async (url) => {
      await fetch(`${url}/orders/o-1?verbose=true`, { headers: { 'x-request-id': 'req-1' } });
      await fetch(`${url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{ broken',
      });
      await fetch(`${url}/nowhere`);
    });

    const entries = readEntries(file);
    expect(entries.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path: '/orders/o-1', status: 200 },
      { method: 'POST', path: '/orders', status: 400 },
      { method: 'GET', path: '/nowhere', status: 404 },
    ]);
    expect(entries[0]).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'sales',
      method: 'GET',
      path: '/orders/o-1',
      status: 200,
      durationMs: expect.any(Number),
      requestId: 'req-1',
    });
    expect(entries[0]!.durationMs).toBeGreaterThanOrEqual(0);
    // Generated ids are logged too, so a line can be matched with the service's own log.
    expect(entries[2]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('leaves health probes out', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'access-log-')), 'sales.log');
    await serveAndStop(file, async (url) => {
      await fetch(`${url}/health/live`);
      await fetch(`${url}/health/ready`);
      await fetch(`${url}/orders/o-2`);
    });

    expect(readEntries(file).map((entry) => entry.path)).toEqual(['/orders/o-2']);
  });

  it('appends to a file that already has lines (a restarted service keeps its history)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'access-log-')), 'sales.log');
    writeFileSync(file, '{"earlier":true}\n');
    await serveAndStop(file, async (url) => {
      await fetch(`${url}/orders/o-3`);
    });

    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('{"earlier":true}');
  });

  it('writes the lines of a busy moment together, each within moments, while the service runs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'access-log-')), 'sales.log');
    await serveAndStop(file, async (url) => {
      await Promise.all(['a', 'b', 'c'].map((id) => fetch(`${url}/orders/${id}`)));
      // The file is read while the service still runs: the lines must not wait for its stop.
      for (let tries = 0; !existsSync(file) || readEntries(file).length < 3; tries++) {
        if (tries === 100) throw new Error('the access lines never reached the file');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });

    expect(
      readEntries(file)
        .map((entry) => entry.path)
        .sort(),
    ).toEqual(['/orders/a', '/orders/b', '/orders/c']);
  });
});
