import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index.ts';
import { createServiceApp, startHttpServer } from './index.ts';

const app = createServiceApp({ name: 'test', logger: createLogger('test', { level: 'silent' }) });

describe('startHttpServer', () => {
  it('listens on an OS-assigned port when given 0 and reports its URL', async () => {
    const server = await startHttpServer(app, 0, '127.0.0.1');
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('binds loopback only unless given another host, so a laptop does not serve the network', async () => {
    const server = await startHttpServer(app, 0);
    try {
      expect(server.server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    } finally {
      await server.close();
    }
  });

  it('binds every interface when given 0.0.0.0 (a container), and still reports a URL to call', async () => {
    const server = await startHttpServer(app, 0, '0.0.0.0');
    try {
      expect(server.server.address()).toMatchObject({ address: '0.0.0.0' });
      expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('closes even while a client holds a keep-alive connection open', async () => {
    const server = await startHttpServer(app, 0, '127.0.0.1');
    const response = await fetch(`${server.url}/health/live`, {
      headers: { connection: 'keep-alive' },
    });
    await response.arrayBuffer();
    await server.close();
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const first = await startHttpServer(app, 0, '127.0.0.1');
    try {
      await expect(startHttpServer(app, first.port, '127.0.0.1')).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });
});
