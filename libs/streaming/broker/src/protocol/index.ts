/**
 * The Kafka wire protocol: primitives, the generated per-API codecs and the API table, request
 * headers and response frames. Everything the server needs to speak to unmodified Kafka clients.
 *
 * The per-API codec modules are re-exported as types only: their functions are reached through
 * `API_BY_KEY` (loaded on demand), or imported from `./generated/<api>.ts` where a caller really
 * needs one eagerly, so that importing this module stays cheap at start-up.
 */
export { Reader, ZERO_UUID } from './reader.ts';
export { Writer } from './writer.ts';
export { ProtocolError } from './protocol-error.ts';
export type { ProtocolErrorCode } from './protocol-error.ts';
export { ErrorCode, errorName, isRetriable } from '../errors/index.ts';
export type { ErrorCodeName, ErrorCodeValue } from '../errors/index.ts';
export { ApiEntry } from './api-spec.ts';
export type { ApiSpec, ApiVersionInfo } from './api-spec.ts';
export { loadApiCodecs } from './api-codecs.ts';
export {
  decodeRequestHeader,
  encodeRequestFrame,
  encodeRequestHeader,
  requestHeaderVersion,
} from './request-header.ts';
export type { RequestHeader } from './request-header.ts';
export {
  decodeResponseHeader,
  encodeResponseFrame,
  encodeResponseFrameChunks,
  responseHeaderVersion,
} from './response-frame.ts';
export * from './generated/index.ts';
