import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback, listeningSockets } from './listening-sockets.ts';

const servers: Server[] = [];
async function listen(host: string): Promise<number> {
  const server = createServer();
  servers.push(server);
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('listeningSockets', () => {
  it("finds this process's listeners with the address each is bound to", async () => {
    const loopback = await listen('127.0.0.1');
    const everywhere = await listen('0.0.0.0');
    const sockets = listeningSockets([process.pid]);
    expect(sockets).toContainEqual({ pid: process.pid, address: '127.0.0.1', port: loopback });
    expect(sockets).toContainEqual({ pid: process.pid, address: '0.0.0.0', port: everywhere });
  });

  it('reads IPv6 listeners too, when the machine has IPv6', async () => {
    let port: number;
    try {
      port = await listen('::');
    } catch {
      return; // no IPv6 here: nothing can listen on it either
    }
    expect(listeningSockets([process.pid])).toContainEqual({
      pid: process.pid,
      address: '::',
      port,
    });
  });

  it('ignores processes that are gone', () => {
    expect(listeningSockets([2 ** 22 + 1])).toEqual([]);
  });

  it('tells loopback from addresses the network reaches', () => {
    expect(['127.0.0.1', '127.0.1.1', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.5', '::ffff:10.0.0.5'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
