// Test support: a minimal Kafka client speaking raw frames through the generated codecs, so handler
// tests exercise the real server, the real codecs and exact API versions without a third-party client.
import net from 'node:net';
import { API_BY_KEY, Reader, Writer, loadApiCodecs } from '../../protocol/index.ts';
import type { ApiSpec } from '../../protocol/index.ts';

// Every codec up front: frame() and the response decoding below are synchronous.
await loadApiCodecs();

function codecsOf(apiKey: number): ApiSpec {
  const spec = API_BY_KEY.get(apiKey)?.codecs;
  if (!spec) throw new Error(`no codec for API ${apiKey}`);
  return spec;
}

interface Pending {
  apiKey: number;
  version: number;
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
}

export class WireClient {
  private readonly socket: net.Socket;
  private readonly pending = new Map<number, Pending>();
  /** Correlation ids in send order, to check that answers come back in that order. */
  readonly answeredOrder: number[] = [];
  private buffer: Buffer = Buffer.alloc(0);
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

  /** Encodes a full request frame (size prefix, header v0/v1/v2 as the version requires, body). */
  static frame(
    apiKey: number,
    version: number,
    correlationId: number,
    body: unknown,
    clientId: string | null = 'wire-client',
  ): Buffer {
    const spec = codecsOf(apiKey);
    const w = new Writer();
    w.int16(apiKey);
    w.int16(version);
    w.int32(correlationId);
    w.nullableString(clientId);
    if (spec.flexibleMin !== null && version >= spec.flexibleMin) w.unsignedVarint(0);
    spec.encodeRequest(w, version, body as never);
    const payload = w.toBuffer();
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    return Buffer.concat([size, payload]);
  }

  /** Sends a request and resolves with the decoded response body. */
  send<Res = any>(apiKey: number, version: number, body: unknown): Promise<Res> {
    const correlationId = this.nextCorrelationId++;
    // Encode first: a body the version cannot carry must fail here, not leave a dangling expectation.
    const frame = WireClient.frame(apiKey, version, correlationId, body, this.clientId);
    const promise = this.expect<Res>(apiKey, version, correlationId);
    this.socket.write(frame);
    return promise;
  }

  /** Sends a request that gets no response (acks=0 Produce). */
  sendOneWay(apiKey: number, version: number, body: unknown): void {
    this.socket.write(
      WireClient.frame(apiKey, version, this.nextCorrelationId++, body, this.clientId),
    );
  }

  /**
   * Registers interest in a response read with `responseVersion` (differs from the request version for
   * the KIP-511 ApiVersions fallback).
   */
  expect<Res = any>(apiKey: number, responseVersion: number, correlationId: number): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(correlationId, {
        apiKey,
        version: responseVersion,
        resolve: resolve as (b: unknown) => void,
        reject,
      });
    });
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
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
    const r = new Reader(frame);
    const correlationId = r.int32();
    this.answeredOrder.push(correlationId);
    const p = this.pending.get(correlationId);
    if (!p) return;
    this.pending.delete(correlationId);
    try {
      const spec = codecsOf(p.apiKey);
      // Response header v1 (tagged fields) for flexible versions, except ApiVersions (always v0).
      if (p.apiKey !== 18 && spec.flexibleMin !== null && p.version >= spec.flexibleMin)
        r.skipTaggedFields();
      p.resolve(spec.decodeResponse(r, p.version));
    } catch (err) {
      p.reject(err as Error);
    }
  }
}
