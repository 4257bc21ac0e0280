import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { ResolvedListener } from '../config/broker-options.ts';
import { isSasl, isTls } from '../config/listeners.ts';
import { Connection } from './connection.ts';
import type { Dispatch } from './connection.ts';
import { RateLimitedLog } from './rate-limited-log.ts';
import { ANONYMOUS, SslPrincipalBuilder } from './ssl-principal.ts';
import { tlsServerOptions } from './tls-options.ts';

export interface KafkaServerOptions {
  listener: ResolvedListener;
  maxRequestBytes: number;
  /** A connection must finish its TLS handshake and SASL login within this time. */
  authenticationTimeoutMs: number;
  dispatch: Dispatch;
  logger: Logger;
  /** Connection ids are unique across the broker's listeners. */
  nextConnectionId: () => number;
}

/**
 * One listener: accepts connections (over TLS for SSL and SASL_SSL), tracks them, and ends them all
 * on close. A TLS handshake that fails or never finishes costs only its own connection.
 */
export class KafkaServer {
  readonly listener: ResolvedListener;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  /** Every TCP socket, including those still in their TLS handshake (not yet a Connection). */
  private readonly sockets = new Set<net.Socket>();
  private closing: Promise<void> | null = null;

  private constructor(server: net.Server, listener: ResolvedListener) {
    this.server = server;
    this.listener = listener;
  }

  static listen(opts: KafkaServerOptions): Promise<KafkaServer> {
    const { listener, logger } = opts;
    const sasl = isSasl(listener.securityProtocol);
    const context = {
      name: listener.name,
      securityProtocol: listener.securityProtocol,
      sasl: listener.sasl ?? null,
    };
    const log = logger.child({ listener: listener.name });
    const rejections = new RateLimitedLog(log);
    const accept = (socket: net.Socket, transportPrincipal: string) => {
      const conn = new Connection({
        id: opts.nextConnectionId(),
        socket,
        maxFrameBytes: opts.maxRequestBytes,
        dispatch: opts.dispatch,
        logger: log,
        listener: context,
        transportPrincipal,
        authenticationTimeoutMs: sasl ? opts.authenticationTimeoutMs : null,
        onClosed: (c) => {
          kafka.connections.delete(c);
          log.debug({ conn: c.id, remote: c.remote }, 'connection closed');
        },
      });
      kafka.connections.add(conn);
      log.debug({ conn: conn.id, remote: conn.remote }, 'connection accepted');
    };

    let server: net.Server;
    if (isTls(listener.securityProtocol)) {
      const tlsOptions = tlsServerOptions(
        listener.name,
        listener.ssl!,
        opts.authenticationTimeoutMs,
      );
      const principals = new SslPrincipalBuilder(listener.ssl!.principalMappingRules);
      const clientAuth = listener.ssl!.clientAuth ?? 'none';
      server = tls.createServer(tlsOptions);
      server.on('secureConnection', (socket: tls.TLSSocket) => {
        const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
        const cert = clientAuth === 'none' ? undefined : socket.getPeerX509Certificate();
        // `requested` accepts a client without a certificate, but not one with a bad certificate.
        if (cert && !socket.authorized) {
          rejections.warn(
            { remote, reason: String(socket.authorizationError) },
            'closing connection: client certificate not trusted',
          );
          socket.destroy();
          return;
        }
        let principal = ANONYMOUS;
        // On SASL_SSL the SASL login names the client; the certificate only has to be valid.
        if (!sasl && cert) {
          const mapped = principals.principal(cert);
          if (mapped === null) {
            rejections.warn(
              { remote },
              'closing connection: no ssl.principal.mapping.rules rule matches the client certificate',
            );
            socket.destroy();
            return;
          }
          principal = mapped;
        }
        accept(socket, principal);
      });
      server.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => {
        rejections.warn(
          {
            remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
            reason: err.code ?? err.message,
          },
          'TLS handshake failed: connection closed',
        );
        socket.destroy();
      });
    } else {
      server = net.createServer();
      server.on('connection', (socket) => accept(socket, ANONYMOUS));
    }
    const kafka = new KafkaServer(server, listener);
    server.on('connection', (socket: net.Socket) => {
      kafka.sockets.add(socket);
      socket.once('close', () => kafka.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen({ host: listener.host, port: listener.port }, () => {
        server.off('error', onError);
        server.on('error', (err) => log.error({ err }, 'listener error'));
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
      for (const socket of [...this.sockets]) socket.destroy();
    });
    return this.closing;
  }
}
