// Test support: a minimal Kafka client speaking raw frames through the generated codecs, so handler
// tests exercise the real server, the real codecs and exact API versions without a third-party client.
import net from 'node:net';
import tls from 'node:tls';
import { API_ENTRIES, ApiKey, Reader, Writer, loadApiCodecs } from '../../protocol/index.ts';
import type { ApiRequest, ApiResponse, ApiSpec } from '../../protocol/index.ts';

// Every codec up front: frame() and the response decoding below are synchronous.
await loadApiCodecs();

function codecsOf<K extends ApiKey>(apiKey: K): ApiSpec<ApiRequest<K>, ApiResponse<K>> {
  const spec = API_ENTRIES[apiKey].codecs;
  if (!spec) throw new Error(`no codec for API ${apiKey}`);
  return spec;
}

/** An answer we wait for: how to read it (the codecs of the API it answers), and where it goes. */
interface Pending {
  decode: (r: Reader) => void;
  reject: (err: Error) => void;
}

export class WireClient {
  private readonly socket: net.Socket;
  private readonly pending = new Map<number, Pending>();
  /** Correlation ids in send order, to check that answers come back in that order. */
  readonly answeredOrder: number[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  /** Waiters for frames without a response header (SASL tokens after a v0 handshake). */
  private readonly rawWaiters: Array<{
    resolve: (frame: Buffer) => void;
    reject: (err: Error) => void;
  }> = [];
  private nextCorrelationId = 1;
  /** Resolves when the server (or we) closed the connection. */
  readonly closed: Promise<void>;
  clientId: string | null = 'wire-client';

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    // Errors surface as 'close', which rejects pending requests.
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
      this.pending.clear();
      for (const w of this.rawWaiters.splice(0)) w.reject(new Error('connection closed'));
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new WireClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Connects over TLS; resolves once the handshake is done. */
  static connectTls(port: number, options: tls.ConnectionOptions = {}): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect(
        { port, host: '127.0.0.1', servername: 'localhost', ...options },
        () => {
          socket.off('error', reject);
          resolve(new WireClient(socket));
        },
      );
      socket.once('error', reject);
    });
  }

  /** Encodes a full request frame (size prefix, header v0/v1/v2 as the version requires, body). */
  static frame<K extends ApiKey>(
    apiKey: K,
    version: number,
    correlationId: number,
    body: ApiRequest<K>,
    clientId: string | null = 'wire-client',
  ): Buffer {
    const spec = codecsOf(apiKey);
    const w = new Writer();
    w.int16(apiKey);
    w.int16(version);
    w.int32(correlationId);
    w.nullableString(clientId);
    if (spec.flexibleMin !== null && version >= spec.flexibleMin) w.unsignedVarint(0);
    spec.encodeRequest(w, version, body);
    const payload = w.toBuffer();
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    return Buffer.concat([size, payload]);
  }

  /** Sends a request and resolves with the decoded response body. */
  send<K extends ApiKey>(apiKey: K, version: number, body: ApiRequest<K>): Promise<ApiResponse<K>> {
    const correlationId = this.nextCorrelationId++;
    // Encode first: a body the version cannot carry must fail here, not leave a dangling expectation.
    const frame = WireClient.frame(apiKey, version, correlationId, body, this.clientId);
    const promise = this.expect(apiKey, version, correlationId);
    this.socket.write(frame);
    return promise;
  }

  /** Sends a request that gets no response (acks=0 Produce). */
  sendOneWay<K extends ApiKey>(apiKey: K, version: number, body: ApiRequest<K>): void {
    this.socket.write(
      WireClient.frame(apiKey, version, this.nextCorrelationId++, body, this.clientId),
    );
  }

  /**
   * Registers interest in a response read with `responseVersion` (differs from the request version for
   * the KIP-511 ApiVersions fallback).
   */
  expect<K extends ApiKey>(
    apiKey: K,
    responseVersion: number,
    correlationId: number,
  ): Promise<ApiResponse<K>> {
    const spec = codecsOf(apiKey);
    // Response header v1 (tagged fields) for flexible versions, except ApiVersions (always v0).
    const flexibleHeader =
      apiKey !== ApiKey.ApiVersions &&
      spec.flexibleMin !== null &&
      responseVersion >= spec.flexibleMin;
    return new Promise<ApiResponse<K>>((resolve, reject) => {
      this.pending.set(correlationId, {
        decode: (r) => {
          if (flexibleHeader) r.skipTaggedFields();
          resolve(spec.decodeResponse(r, responseVersion));
        },
        reject,
      });
    });
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a bare size-prefixed frame (a SASL token after SaslHandshake v0) and resolves with the bare answer. */
  sendRawToken(token: Buffer): Promise<Buffer> {
    const answer = new Promise<Buffer>((resolve, reject) =>
      this.rawWaiters.push({ resolve, reject }),
    );
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length);
    this.socket.write(Buffer.concat([size, token]));
    return answer;
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < 4 + size) break;
      const frame = this.buffer.subarray(4, 4 + size);
      this.buffer = this.buffer.subarray(4 + size);
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    const raw = this.rawWaiters.shift();
    if (raw) {
      raw.resolve(Buffer.from(frame));
      return;
    }
    const r = new Reader(frame);
    const correlationId = r.int32();
    this.answeredOrder.push(correlationId);
    const p = this.pending.get(correlationId);
    if (!p) return;
    this.pending.delete(correlationId);
    try {
      p.decode(r);
    } catch (err) {
      p.reject(err as Error);
    }
  }
}
