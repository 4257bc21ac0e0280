import { API_BY_KEY } from './generated/index.ts';
import { decodeRequestHeaderData, encodeRequestHeaderData } from './generated/headers.ts';
import { ProtocolError } from './protocol-error.ts';
import type { Reader } from './reader.ts';
import { Writer } from './writer.ts';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** 0, 1 or 2: the request header version the body follows. */
  headerVersion: number;
}

/** ControlledShutdown (key 7) v0 predates client ids: the only user of request header v0. */
const CONTROLLED_SHUTDOWN = 7;

/**
 * Header v2 (with a tagged-field section) for flexible API versions, v1 otherwise. Versions beyond
 * our table follow the same rule, so that a newer client's ApiVersions request still parses and can
 * be answered with UNSUPPORTED_VERSION.
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN && apiVersion === 0) return 0;
  const spec = API_BY_KEY.get(apiKey);
  return spec !== undefined && spec.flexibleMin !== null && apiVersion >= spec.flexibleMin ? 2 : 1;
}

/**
 * Decodes a request header and leaves `r` at the start of the body.
 *
 * The first 8 bytes (api key, version, correlation id) are read before anything else, so for an
 * unknown API key or an unsupported version this still returns them (clientId null if it cannot be
 * read) and the server can answer with an error. For a supported API a malformed header throws a
 * ProtocolError: the frame cannot be trusted.
 */
export function decodeRequestHeader(r: Reader): RequestHeader {
  const start = r.offset;
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  r.offset = start;
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const spec = API_BY_KEY.get(apiKey);
  const supported =
    spec !== undefined && apiVersion >= spec.minVersion && apiVersion <= spec.maxVersion;
  if (supported) {
    const h = decodeRequestHeaderData(r, headerVersion);
    return { apiKey, apiVersion, correlationId, clientId: h.clientId ?? null, headerVersion };
  }
  // Unknown API or version: the body will not be parsed, so an unreadable client id (or tag
  // section) must not hide the correlation id that the error response needs.
  try {
    const h = decodeRequestHeaderData(r, headerVersion);
    return { apiKey, apiVersion, correlationId, clientId: h.clientId ?? null, headerVersion };
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    r.offset = start + 8;
    return { apiKey, apiVersion, correlationId, clientId: null, headerVersion };
  }
}

/** Writes a request header of the version the API version calls for (client side, tests). */
export function encodeRequestHeader(
  w: Writer,
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null },
): void {
  encodeRequestHeaderData(w, requestHeaderVersion(header.apiKey, header.apiVersion), {
    requestApiKey: header.apiKey,
    requestApiVersion: header.apiVersion,
    correlationId: header.correlationId,
    clientId: header.clientId,
  });
}

/** A complete request frame (4-byte size prefix, header, body), as a client sends it. */
export function encodeRequestFrame(
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string | null },
  writeBody: (w: Writer) => void,
): Buffer {
  const w = new Writer();
  w.int32(0);
  encodeRequestHeader(w, header);
  writeBody(w);
  w.patchInt32(0, w.length - 4);
  return w.toBuffer();
}
