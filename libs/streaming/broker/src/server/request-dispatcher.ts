import type { Logger } from 'pino';
import {
  API_ENTRIES,
  ApiKey,
  ErrorCode,
  Reader,
  decodeRequestHeader,
  encodeResponseFrameChunks,
} from '../protocol/index.ts';
import type {
  ApiEntries,
  ApiRequest,
  ApiResponse,
  ApiSpec,
  RequestHeader,
} from '../protocol/index.ts';
import type {
  ApiHandlerOf,
  BrokerContext,
  ConnectionContext,
  RequestContext,
} from '../api/types.ts';
import { apiVersionsBody } from '../api/api-versions.ts';
import { admitRequest, rawSaslToken } from '../sasl/sasl-gate.ts';

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

/** The connection as the dispatcher sees it: one object per connection, for its whole life. */
export interface ConnectionInfo extends ConnectionContext {
  /** "address:port", for logs. */
  readonly remote: string;
}

/** The codec entries the dispatcher may use; tests pass their own to watch codecs load. */
export type CodecTable = Partial<ApiEntries>;

/** One request of API K on its way through the dispatcher, with the codecs of that same API. */
interface Exchange<K extends ApiKey> {
  readonly handler: ApiHandlerOf<K>;
  readonly spec: ApiSpec<ApiRequest<K>, ApiResponse<K>>;
  readonly header: RequestHeader;
  readonly conn: ConnectionInfo;
}

const close = (reason: string): DispatchResult => ({ kind: 'close', reason });

/**
 * Turns one request frame into a response frame: header parsing, version negotiation, body decoding,
 * the handler call, error mapping and response encoding. Never throws: everything unexpected becomes
 * either an error response or a `close` verdict, so one bad client cannot take the broker down.
 *
 * Every step after the look-up is generic in the API key, so a handler only ever receives requests
 * decoded by its own API's codecs and its responses are encoded by them, checked by the compiler.
 */
export class RequestDispatcher {
  private readonly broker: BrokerContext;
  private readonly logger: Logger;
  private readonly table: CodecTable;

  constructor(broker: BrokerContext, table: CodecTable = API_ENTRIES) {
    this.broker = broker;
    this.logger = broker.logger;
    this.table = table;
  }

  dispatch(frame: Buffer, conn: ConnectionInfo): DispatchResult {
    if (conn.listener.sasl !== null) {
      // After a SaslHandshake v0, frames are bare SASL tokens, not requests.
      const token = rawSaslToken(this.broker, frame, conn);
      if (token) return token;
    }
    if (frame.length < 8) return close(`truncated request header (${frame.length} bytes)`);
    const reader = new Reader(frame);
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(reader);
    } catch (err) {
      return close(`malformed request header: ${(err as Error).message}`);
    }
    const handler = this.broker.apis.get(header.apiKey);
    if (!handler) {
      return close(
        `unknown or unsupported API key ${header.apiKey} (correlation id ${header.correlationId})`,
      );
    }
    return this.route(handler, header, reader, conn);
  }

  /** Finds the handler's codecs (loading them first if needed) and checks the requested version. */
  private route<K extends ApiKey>(
    handler: ApiHandlerOf<K>,
    header: RequestHeader,
    reader: Reader,
    conn: ConnectionInfo,
  ): DispatchResult {
    const entry = this.table[handler.apiKey];
    if (!entry) return close(`no codecs for API key ${handler.apiKey}`);
    const spec = entry.codecs;
    if (spec === undefined) return { kind: 'defer', until: entry.load() };
    const exchange: Exchange<K> = { handler, spec, header, conn };
    const { apiVersion } = header;
    if (conn.listener.sasl !== null) {
      // Nothing but the SASL login before it has succeeded (and re-authentication once expired).
      const admission = admitRequest(this.broker, handler.apiKey, handler.name, conn);
      if (admission.kind === 'close') return close(admission.reason);
      if (admission.kind === 'refuse') {
        if (apiVersion < spec.minVersion || apiVersion > spec.maxVersion)
          return close(admission.reason);
        let refused: ApiRequest<K>;
        try {
          refused = spec.decodeRequest(reader, apiVersion);
        } catch {
          return close(admission.reason);
        }
        if (handler.expectsResponse?.(refused) === false) return close(admission.reason);
        return this.errorAnswer(exchange, refused, admission.errorCode, admission.reason);
      }
    }
    const supported = apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion;
    if (!supported && handler.apiKey === ApiKey.ApiVersions)
      return this.apiVersionsFallback(header);
    if (apiVersion < spec.minVersion || apiVersion > spec.maxVersion) {
      return close(
        `${handler.name} v${apiVersion} is outside the protocol's valid versions ${spec.minVersion}-${spec.maxVersion}`,
      );
    }
    let request: ApiRequest<K>;
    try {
      request = spec.decodeRequest(reader, apiVersion);
    } catch (err) {
      return close(`malformed ${handler.name} v${apiVersion} request: ${(err as Error).message}`);
    }
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
      return this.errorAnswer(exchange, request, ErrorCode.UNSUPPORTED_VERSION, null);
    }
    return this.handle(exchange, request);
  }

  /**
   * KIP-511: a client newer than us sends ApiVersions at its own latest version. Answer in v0 (which
   * every client can read) with UNSUPPORTED_VERSION and our ranges, so it retries lower.
   */
  private apiVersionsFallback(header: RequestHeader): DispatchResult {
    const spec = this.table[ApiKey.ApiVersions]?.codecs;
    if (!spec) return close('ApiVersions codecs not loaded');
    this.logger.debug(
      { apiVersion: header.apiVersion },
      'ApiVersions version unsupported: answering v0 with our ranges',
    );
    const body = apiVersionsBody(this.broker.apis, ErrorCode.UNSUPPORTED_VERSION);
    return {
      kind: 'respond',
      response: encodeResponseFrameChunks(ApiKey.ApiVersions, 0, header.correlationId, (w) =>
        spec.encodeResponse(w, 0, body),
      ),
    };
  }

  /** Calls the handler and encodes its answer; a throw or a rejection becomes its error response. */
  private handle<K extends ApiKey>(ex: Exchange<K>, request: ApiRequest<K>): DispatchResult {
    const { header, conn } = ex;
    const ctx: RequestContext = {
      broker: this.broker,
      connection: conn,
      apiName: ex.handler.name,
      apiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
    };
    const started = performance.now();
    let result: ApiResponse<K> | null | Promise<ApiResponse<K> | null>;
    try {
      result = ex.handler.handle(ctx, request);
    } catch (err) {
      return this.failed(ex, request, err);
    }
    if (result instanceof Promise) {
      const response = result.then(
        (body) => {
          try {
            return this.finish(ex, body, started);
          } catch (err) {
            return this.unwrapFailure(this.failed(ex, request, err));
          }
        },
        (err: unknown) => this.unwrapFailure(this.failed(ex, request, err)),
      );
      return { kind: 'respond', response };
    }
    try {
      return { kind: 'respond', response: this.finish(ex, result, started) };
    } catch (err) {
      return this.failed(ex, request, err);
    }
  }

  private finish<K extends ApiKey>(
    ex: Exchange<K>,
    body: ApiResponse<K> | null,
    started: number,
  ): ResponseFrame | null {
    if (this.logger.isLevelEnabled('debug')) {
      const { header } = ex;
      this.logger.debug(
        {
          api: ex.handler.name,
          apiVersion: header.apiVersion,
          correlationId: header.correlationId,
          clientId: header.clientId,
          conn: ex.conn.id,
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        },
        'request',
      );
    }
    return body === null ? null : this.encode(ex, body);
  }

  private encode<K extends ApiKey>(ex: Exchange<K>, body: ApiResponse<K>): ResponseFrame {
    const { apiKey, apiVersion, correlationId } = ex.header;
    return encodeResponseFrameChunks(apiKey, apiVersion, correlationId, (w) =>
      ex.spec.encodeResponse(w, apiVersion, body),
    );
  }

  /** A handler failure: logged, then answered with UNKNOWN_SERVER_ERROR (or a close for acks=0). */
  private failed<K extends ApiKey>(
    ex: Exchange<K>,
    request: ApiRequest<K>,
    err: unknown,
  ): DispatchResult {
    const { header, handler } = ex;
    this.logger.error(
      {
        err,
        api: handler.name,
        apiVersion: header.apiVersion,
        correlationId: header.correlationId,
        conn: ex.conn.id,
      },
      'request handler failed',
    );
    if (handler.expectsResponse?.(request) === false) {
      return close(`${handler.name} without response failed`);
    }
    const message = String((err as Error)?.message ?? err);
    return this.errorAnswer(ex, request, ErrorCode.UNKNOWN_SERVER_ERROR, message);
  }

  /** The handler's error response, encoded; if even that fails, the connection is closed. */
  private errorAnswer<K extends ApiKey>(
    ex: Exchange<K>,
    request: ApiRequest<K>,
    code: number,
    message: string | null,
  ): DispatchResult {
    try {
      const body = ex.handler.errorResponse(request, ex.header.apiVersion, code, message);
      return { kind: 'respond', response: this.encode(ex, body) };
    } catch (err) {
      return close(`cannot encode ${ex.handler.name} error response: ${(err as Error).message}`);
    }
  }

  /** An async failure can no longer ask for `close` separately: a null response plus a thrown error does. */
  private unwrapFailure(
    result: DispatchResult,
  ): ResponseFrame | null | Promise<ResponseFrame | null> {
    if (result.kind === 'respond') return result.response;
    throw new Error(result.kind === 'close' ? result.reason : 'unexpected defer');
  }
}
