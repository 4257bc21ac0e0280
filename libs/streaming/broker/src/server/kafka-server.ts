import net from 'node:net';
import type { Logger } from 'pino';
import { Connection } from './connection.ts';
import type { Dispatch } from './connection.ts';

export interface KafkaServerOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  dispatch: Dispatch;
  logger: Logger;
}

/** The TCP listener: accepts connections, tracks them, and ends them all on close. */
export class KafkaServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private nextId = 1;
  private closing: Promise<void> | null = null;

  private constructor(server: net.Server) {
    this.server = server;
  }

  static listen(opts: KafkaServerOptions): Promise<KafkaServer> {
    const server = net.createServer();
    const kafka = new KafkaServer(server);
    server.on('connection', (socket) => {
      const conn = new Connection({
        id: kafka.nextId++,
        socket,
        maxFrameBytes: opts.maxRequestBytes,
        dispatch: opts.dispatch,
        logger: opts.logger,
        onClosed: (c) => {
          kafka.connections.delete(c);
          opts.logger.debug({ conn: c.id, remote: c.remote }, 'connection closed');
        },
      });
      kafka.connections.add(conn);
      opts.logger.debug({ conn: conn.id, remote: conn.remote }, 'connection accepted');
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen({ host: opts.host, port: opts.port }, () => {
        server.off('error', onError);
        server.on('error', (err) => opts.logger.error({ err }, 'listener error'));
        resolve(kafka);
      });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, drops every connection (releasing their pending requests) and waits for the listener. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const conn of [...this.connections]) conn.destroy();
    });
    return this.closing;
  }
}
