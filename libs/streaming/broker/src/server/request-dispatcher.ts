import type { Logger } from 'pino';
import {
  API_BY_KEY,
  ErrorCode,
  Reader,
  decodeRequestHeader,
  encodeResponseFrameChunks,
} from '../protocol/index.ts';
import type { ApiEntry } from '../protocol/index.ts';
import type { ApiHandler, BrokerContext, RequestContext } from '../api/types.ts';
import { apiVersionsBody } from '../api/api-versions.ts';

const API_VERSIONS_KEY = 18;

/**
 * One complete response frame as a list of buffers: large record sets stay the buffers storage
 * returned, written with one writev instead of being copied into a single frame buffer.
 */
export type ResponseFrame = Buffer[];

/** What the connection must do with one request frame. */
export type DispatchResult =
  /** Write this response in request order; null = no response (acks=0). */
  | { kind: 'respond'; response: ResponseFrame | null | Promise<ResponseFrame | null> }
  /** Drop the connection (malformed frame, unknown API, version we cannot even encode an error for). */
  | { kind: 'close'; reason: string }
  /**
   * The API's codecs are still loading (first request for it since start): dispatch this frame again,
   * and nothing after it, once `until` settles; if it rejects, drop the connection.
   */
  | { kind: 'defer'; until: Promise<unknown> };

export interface ConnectionInfo {
  readonly id: number;
  readonly remote: string;
  readonly signal: AbortSignal;
}

/**
 * Turns one request frame into a response frame: header parsing, version negotiation, body decoding,
 * the handler call, error mapping and response encoding. Never throws: everything unexpected becomes
 * either an error response or a `close` verdict, so one bad client cannot take the broker down.
 */
export class RequestDispatcher {
  private readonly broker: BrokerContext;
  private readonly logger: Logger;
  private readonly table: ReadonlyMap<number, ApiEntry>;

  /** `table` is the protocol's API table; tests pass their own to see codecs load. */
  constructor(broker: BrokerContext, table: ReadonlyMap<number, ApiEntry> = API_BY_KEY) {
    this.broker = broker;
    this.logger = broker.logger;
    this.table = table;
  }

  dispatch(frame: Buffer, conn: ConnectionInfo): DispatchResult {
    if (frame.length < 8)
      return { kind: 'close', reason: `truncated request header (${frame.length} bytes)` };
    const reader = new Reader(frame);
    let header;
    try {
      header = decodeRequestHeader(reader);
    } catch (err) {
      return { kind: 'close', reason: `malformed request header: ${(err as Error).message}` };
    }
    const { apiKey, apiVersion, correlationId } = header;
    const handler = this.broker.apis.get(apiKey);
    const entry = this.table.get(apiKey);
    if (!handler || !entry) {
      return {
        kind: 'close',
        reason: `unknown or unsupported API key ${apiKey} (correlation id ${correlationId})`,
      };
    }
    const spec = entry.codecs;
    if (spec === undefined) return { kind: 'defer', until: entry.load() };

    const supported = apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion;
    if (!supported && apiKey === API_VERSIONS_KEY) {
      // KIP-511: a client newer than us sends ApiVersions at its own latest version. Answer in v0
      // (which every client can read) with UNSUPPORTED_VERSION and our ranges, so it retries lower.
      this.logger.debug(
        { apiVersion, conn: conn.id },
        'ApiVersions version unsupported: answering v0 with our ranges',
      );
      const body = apiVersionsBody(this.broker.apis, ErrorCode.UNSUPPORTED_VERSION);
      return {
        kind: 'respond',
        response: encodeResponseFrameChunks(apiKey, 0, correlationId, (w) =>
          spec.encodeResponse(w, 0, body),
        ),
      };
    }
    const codecKnowsVersion = apiVersion >= spec.minVersion && apiVersion <= spec.maxVersion;
    if (!codecKnowsVersion) {
      return {
        kind: 'close',
        reason: `${handler.name} v${apiVersion} is outside the protocol's valid versions ${spec.minVersion}-${spec.maxVersion}`,
      };
    }

    let request: unknown;
    try {
      request = spec.decodeRequest(reader, apiVersion);
    } catch (err) {
      return {
        kind: 'close',
        reason: `malformed ${handler.name} v${apiVersion} request: ${(err as Error).message}`,
      };
    }

    const encode = (body: unknown): ResponseFrame =>
      encodeResponseFrameChunks(apiKey, apiVersion, correlationId, (w) =>
        spec.encodeResponse(w, apiVersion, body as never),
      );

    if (!supported) {
      this.logger.info(
        {
          api: handler.name,
          apiVersion,
          min: handler.minVersion,
          max: handler.maxVersion,
          conn: conn.id,
        },
        'unsupported API version: answering UNSUPPORTED_VERSION',
      );
      return this.safeEncode(
        handler,
        request,
        apiVersion,
        encode,
        ErrorCode.UNSUPPORTED_VERSION,
        null,
      );
    }

    const ctx: RequestContext = {
      broker: this.broker,
      apiVersion,
      correlationId,
      clientId: header.clientId,
      clientHost: `/${conn.remote.slice(0, conn.remote.lastIndexOf(':'))}`,
      connectionId: conn.id,
      signal: conn.signal,
    };
    const started = performance.now();
    const finish = (body: unknown): ResponseFrame | null => {
      if (this.logger.isLevelEnabled('debug')) {
        this.logger.debug(
          {
            api: handler.name,
            apiVersion,
            correlationId,
            clientId: header.clientId,
            conn: conn.id,
            durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          },
          'request',
        );
      }
      return body === null ? null : encode(body);
    };
    const fail = (err: unknown): DispatchResult => {
      this.logger.error(
        { err, api: handler.name, apiVersion, correlationId, conn: conn.id },
        'request handler failed',
      );
      if (handler.expectsResponse?.(request) === false) {
        return { kind: 'close', reason: `${handler.name} without response failed` };
      }
      return this.safeEncode(
        handler,
        request,
        apiVersion,
        encode,
        ErrorCode.UNKNOWN_SERVER_ERROR,
        String((err as Error)?.message ?? err),
      );
    };

    let result: unknown;
    try {
      result = handler.handle(ctx, request);
    } catch (err) {
      return fail(err);
    }
    if (result instanceof Promise) {
      const response = result.then(
        (body) => {
          try {
            return finish(body);
          } catch (err) {
            return this.unwrapFailure(fail(err));
          }
        },
        (err) => this.unwrapFailure(fail(err)),
      );
      return { kind: 'respond', response };
    }
    try {
      return { kind: 'respond', response: finish(result) };
    } catch (err) {
      return fail(err);
    }
  }

  /** Builds and encodes the handler's error response; if even that fails, the connection is closed. */
  private safeEncode(
    handler: ApiHandler,
    request: unknown,
    version: number,
    encode: (body: unknown) => ResponseFrame,
    code: number,
    message: string | null,
  ): DispatchResult {
    try {
      return {
        kind: 'respond',
        response: encode(handler.errorResponse(request, version, code, message)),
      };
    } catch (err) {
      return {
        kind: 'close',
        reason: `cannot encode ${handler.name} error response: ${(err as Error).message}`,
      };
    }
  }

  /** An async failure can no longer ask for `close` separately: a null response plus a thrown error does. */
  private unwrapFailure(result: DispatchResult): ResponseFrame | null {
    if (result.kind === 'respond') return result.response as ResponseFrame | null;
    throw new Error(result.kind === 'close' ? result.reason : 'unexpected defer');
  }
}
