import type { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

/**
 * One API of the table: its version range and codecs. Methods (not function-typed properties) on
 * purpose: their parameters are bivariant, so every typed `ApiSpec<ProduceRequest, ...>` fits in
 * the untyped `ApiSpec` table.
 */
export interface ApiSpec<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  /** "Produce", "ApiVersions", ... */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible (compact, tagged-field) version, or null if the API has none. */
  readonly flexibleMin: number | null;
  /** Kafka marks the newest version as still under development: do not advertise it by default. */
  readonly latestVersionUnstable: boolean;
  decodeRequest(r: Reader, version: number): Req;
  encodeRequest(w: Writer, version: number, msg: Req): void;
  decodeResponse(r: Reader, version: number): Res;
  encodeResponse(w: Writer, version: number, msg: Res): void;
}
