import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import {
  createLogger,
  createServiceApp,
  startHttpServer,
  type RunningHttpServer,
} from '@retail-streams/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoControlRoutes } from './demo-control-proxy.ts';

const TOKEN = 'per-run-secret-3f9a1c';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A real HTTP stand-in for the orchestrator's control endpoint. */
async function startUpstream() {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body,
    });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/processes/broker/restart') {
      res.writeHead(409).end(JSON.stringify({ code: 'ALREADY_RESTARTING' }));
    } else {
      res.writeHead(202).end(JSON.stringify({ accepted: true }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function startProxy(
  options: { url: string | undefined; token: string | undefined },
  logLines: string[],
) {
  const logger = createLogger('analytics', {
    level: 'info',
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const app = createServiceApp({
    name: 'analytics',
    logger,
    routes: (router) => demoControlRoutes(router, { ...options, timeoutMs: 2_000 }),
  });
  // Every interface, as in a container: the proxy itself must refuse callers from elsewhere.
  return startHttpServer(app, 0, '0.0.0.0');
}

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;

describe('demo control proxy', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let proxy: RunningHttpServer;
  let disabled: RunningHttpServer;
  let unreachable: RunningHttpServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await startProxy({ url: `${upstream.url}/`, token: TOKEN }, logLines);
    disabled = await startProxy({ url: undefined, token: undefined }, logLines);
    unreachable = await startProxy({ url: 'http://127.0.0.1:9', token: TOKEN }, logLines);
  });

  afterAll(async () => {
    await Promise.all([proxy?.close(), disabled?.close(), unreachable?.close()]);
    await new Promise((resolve) => (upstream?.server as Server | undefined)?.close(resolve));
  });

  const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('tells the page whether controls exist, without the token', async () => {
    const on = await (await fetch(`${proxy.url}/api/demo-control`)).json();
    expect(on).toEqual({ enabled: true });
    const off = await (await fetch(`${disabled.url}/api/demo-control`)).json();
    expect(off).toEqual({ enabled: false });
  });

  it('forwards a control with the bearer token, the body and the query, and relays the answer', async () => {
    const answer = await post(proxy.url, '/api/demo/inventory/latency?source=dashboard', {
      ms: 750,
    });
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ accepted: true });
    expect(upstream.received.at(-1)).toEqual({
      method: 'POST',
      url: '/inventory/latency?source=dashboard',
      authorization: `Bearer ${TOKEN}`,
      body: JSON.stringify({ ms: 750 }),
    });

    const status = await fetch(`${proxy.url}/api/demo/status`);
    expect(status.status).toBe(202);
    expect(upstream.received.at(-1)).toMatchObject({ method: 'GET', url: '/status', body: '' });
  });

  it("passes the orchestrator's refusals through unchanged", async () => {
    const answer = await post(proxy.url, '/api/demo/processes/broker/restart', {});
    expect(answer.status).toBe(409);
    expect(await answer.json()).toEqual({ code: 'ALREADY_RESTARTING' });
  });

  it('refuses cross-origin requests before they reach the orchestrator', async () => {
    const before = upstream.received.length;
    const foreign = await post(
      proxy.url,
      '/api/demo/processes/inventory/stop',
      {},
      {
        origin: 'http://evil.example',
      },
    );
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code: string }).code).toBe('DEMO_CONTROL_FORBIDDEN');
    const crossSite = await post(
      proxy.url,
      '/api/demo/processes/inventory/stop',
      {},
      {
        'sec-fetch-site': 'cross-site',
      },
    );
    expect(crossSite.status).toBe(403);
    const sameOrigin = await post(
      proxy.url,
      '/api/demo/processes/inventory/stop',
      {},
      {
        origin: proxy.url,
        'sec-fetch-site': 'same-origin',
      },
    );
    expect(sameOrigin.status).toBe(202);
    expect(upstream.received.length).toBe(before + 1);
  });

  it.skipIf(externalAddress === undefined)(
    'refuses requests that do not come from this machine’s loopback',
    async () => {
      const before = upstream.received.length;
      const answer = await post(
        `http://${externalAddress}:${proxy.port}`,
        '/api/demo/load/stop',
        {},
      );
      expect(answer.status).toBe(403);
      expect(upstream.received.length).toBe(before);
    },
  );

  it('answers 404 DEMO_CONTROL_DISABLED outside the demo and 502 when the orchestrator is down', async () => {
    const off = await post(disabled.url, '/api/demo/load/stop', {});
    expect(off.status).toBe(404);
    expect(((await off.json()) as { code: string }).code).toBe('DEMO_CONTROL_DISABLED');
    const down = await post(unreachable.url, '/api/demo/load/stop', {});
    expect(down.status).toBe(502);
    const problem = (await down.json()) as { code: string };
    expect(problem.code).toBe('DEMO_CONTROL_UNREACHABLE');
    expect(JSON.stringify(problem)).not.toContain(TOKEN);
  });

  it('never writes the token to the log', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });
});
