import { API_BY_KEY, ApiKey } from './generated/index.ts';
import { decodeResponseHeaderData, encodeResponseHeaderData } from './generated/headers.ts';
import type { Reader } from './reader.ts';
import { Writer } from './writer.ts';

/**
 * Header v1 (with tagged fields) for flexible API versions, v0 otherwise; ApiVersions always v0,
 * because a client that sent a version we do not support must still be able to read the answer.
 */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  const spec = API_BY_KEY.get(apiKey);
  return spec !== undefined && spec.flexibleMin !== null && apiVersion >= spec.flexibleMin ? 1 : 0;
}

function writeFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  writeBody: (w: Writer) => void,
): Writer {
  const w = new Writer();
  w.int32(0); // size placeholder, patched below
  encodeResponseHeaderData(w, responseHeaderVersion(apiKey, apiVersion), { correlationId });
  writeBody(w);
  w.patchInt32(0, w.length - 4);
  return w;
}

/** The complete response frame: 4-byte size prefix, the right response header, the body. */
export function encodeResponseFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  writeBody: (w: Writer) => void,
): Buffer {
  return writeFrame(apiKey, apiVersion, correlationId, writeBody).toBuffer();
}

/**
 * The same frame as a list of buffers, without copying large `records` payloads: write them with
 * `socket.cork()` + one `write` per chunk (or writev) when responses carry megabytes.
 */
export function encodeResponseFrameChunks(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  writeBody: (w: Writer) => void,
): Buffer[] {
  return writeFrame(apiKey, apiVersion, correlationId, writeBody).toChunks();
}

/** Reads a response header (client side, tests); `r` must start after the size prefix. */
export function decodeResponseHeader(
  r: Reader,
  apiKey: number,
  apiVersion: number,
): { correlationId: number } {
  return decodeResponseHeaderData(r, responseHeaderVersion(apiKey, apiVersion));
}
