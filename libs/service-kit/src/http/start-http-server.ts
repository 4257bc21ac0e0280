import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { isIPv6 } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface RunningHttpServer {
  server: Server;
  /** The bound port (useful with port 0). */
  port: number;
  /** `http://<host>:<port>`, with 127.0.0.1 standing for a wildcard host. */
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then cuts
   * whatever is left (keep-alive clients would otherwise hold the process open indefinitely).
   */
  close(graceMs?: number): Promise<void>;
}

/** Listens on `host` (loopback unless told otherwise: see `HOST` in commonConfig) and `port`. */
export async function startHttpServer(
  app: RequestListener,
  port: number,
  host = '127.0.0.1',
): Promise<RunningHttpServer> {
  const server = createServer(app);
  // Behind a load balancer idle sockets must outlive its timeout, or it sees sporadic resets.
  server.keepAliveTimeout = 65_000;
  server.listen(port, host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  const bound = (server.address() as AddressInfo).port;
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : isIPv6(host) ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: bound,
    url: `http://${urlHost}:${bound}`,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
