import net from 'node:net';
import { CliError, usageError } from '../errors.ts';

export interface BrokerAddress {
  host: string;
  port: number;
}

/** `host:port[,host:port...]`, as Kafka's tools take it. IPv6 literals go in brackets: `[::1]:9092`. */
export function parseBootstrap(text: string): BrokerAddress[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw usageError('--bootstrap-server needs at least one host:port');
  return parts.map((part) => {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(part);
    const port = m ? Number(m[3]) : NaN;
    if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw usageError(`--bootstrap-server: "${part}" is not host:port`);
    }
    return { host: m[1] ?? m[2], port };
  });
}

export function formatAddress(a: BrokerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function tryConnect(address: BrokerAddress, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A plain TCP probe before any Kafka client starts. kafkajs retries an unreachable bootstrap for a
 * long time with its own backoff and reports it as a generic connection error; one bounded probe
 * gives the user a clear answer in seconds. Succeeds when any of the addresses accepts.
 */
export async function assertReachable(addresses: BrokerAddress[], timeoutMs = 3000): Promise<void> {
  const results = await Promise.all(addresses.map((a) => tryConnect(a, timeoutMs)));
  if (!results.some(Boolean)) {
    throw new CliError(
      'BROKER_UNREACHABLE',
      `cannot reach the broker at ${addresses.map(formatAddress).join(',')}`,
    );
  }
}
