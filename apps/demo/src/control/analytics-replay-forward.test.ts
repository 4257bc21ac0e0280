import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '@retail-streams/demo-stack';
import { LoadController } from '../load/load-controller.ts';
import { startControlServer, type ControlServer } from './control-server.ts';

// The dashboard's Replay and Resume buttons reach analytics through the orchestrator, which adds the
// control token (a replay is an operator's action): the call and analytics' answer pass unchanged.
describe('the control endpoint passes replay actions on to analytics', () => {
  const token = 'forward-token';
  const seen: { method: string; url: string; authorization: string | undefined }[] = [];
  let analytics: Server;
  let control: ControlServer;

  beforeAll(async () => {
    analytics = createServer((req, res) => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
      });
      const paused = req.url?.endsWith('/resume');
      res
        .writeHead(paused ? 409 : 202, { 'content-type': 'application/problem+json' })
        .end(
          JSON.stringify(paused ? { code: 'REPLAY_NOT_PAUSED' } : { id: 'r1', status: 'running' }),
        );
    });
    await new Promise<void>((resolve) => analytics.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(analytics.address() as AddressInfo).port}`;
    // Only the analytics URL is used by these routes.
    const stack = { urls: { analytics: url } } as unknown as RunningStack;
    control = await startControlServer({
      port: 0,
      token,
      stack,
      load: new LoadController('http://127.0.0.1:9', 'http://127.0.0.1:9'),
      allowedOrigins: [],
    });
  });

  afterAll(async () => {
    await control?.close();
    analytics?.closeAllConnections();
    await new Promise((resolve) => analytics?.close(resolve));
  });

  it('with the token, answering what analytics answered', async () => {
    const id = '6f9619ff-8b86-4d01-b42d-00cf4fc964ff';
    const started = await fetch(`${control.url}/analytics/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(started.status).toBe(202);
    expect(await started.json()).toEqual({ id: 'r1', status: 'running' });
    const resumed = await fetch(`${control.url}/analytics/replay/${id}/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(resumed.status).toBe(409);
    expect(seen).toEqual([
      { method: 'POST', url: '/api/replay', authorization: `Bearer ${token}` },
      { method: 'POST', url: `/api/replay/${id}/resume`, authorization: `Bearer ${token}` },
    ]);
  });

  it('and never without the token', async () => {
    const refused = await fetch(`${control.url}/analytics/replay`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(seen.filter((call) => call.authorization !== `Bearer ${token}`)).toEqual([]);
  });
});
