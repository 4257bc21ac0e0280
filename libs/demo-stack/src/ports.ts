import { createServer } from 'node:net';

/** Every port the local stack listens on. */
export interface PortMap {
  postgres: number;
  broker: number;
  analytics: number;
  sales: number;
  inventory: number;
  reordering: number;
  /** The orchestrator's fault-control endpoint (127.0.0.1 only). */
  control: number;
  /** The broker's SASL listener, where the services log in with their own users. */
  brokerSasl: number;
}

/**
 * The fixed ports of `npm start`. PostgreSQL avoids 5432, where a system server may already listen;
 * the services use the ports the rest of the project documents.
 */
export const DEFAULT_PORTS: PortMap = {
  postgres: 54329,
  broker: 9092,
  analytics: 3000,
  sales: 3001,
  inventory: 3002,
  reordering: 3003,
  control: 3099,
  brokerSasl: 9093,
};

/** A second stack beside the first one: `base`, `base+1`, ... in the order of the map. */
export function portsFromBase(base: number): PortMap {
  return {
    postgres: base,
    broker: base + 1,
    analytics: base + 2,
    sales: base + 3,
    inventory: base + 4,
    reordering: base + 5,
    control: base + 6,
    brokerSasl: base + 7,
  };
}

/** Ports nobody listens on right now, for tests and isolated scenario runs. */
export async function ephemeralPorts(): Promise<PortMap> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  return {
    postgres: await next(),
    broker: await next(),
    analytics: await next(),
    sales: await next(),
    inventory: await next(),
    reordering: await next(),
    control: await next(),
    brokerSasl: await next(),
  };
}

/** Asks the OS for a free port (there is a small race until it is used, acceptable locally). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/** A base port whose `count` consecutive ports are all free now (for `--base-port` in tests). */
export async function freePortBlock(count = 7): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + count > 65535) continue;
    const free = await Promise.all(
      Array.from({ length: count - 1 }, (_, i) => portIsFree(base + 1 + i)),
    );
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no block of ${count} free ports found`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
