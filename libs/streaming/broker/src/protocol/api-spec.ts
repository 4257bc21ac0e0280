import type { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

/** What the API table knows about an API without its codecs: enough to parse request headers. */
export interface ApiVersionInfo {
  readonly apiKey: number;
  /** "Produce", "ApiVersions", ... */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible (compact, tagged-field) version, or null if the API has none. */
  readonly flexibleMin: number | null;
  /** Kafka marks the newest version as still under development: do not advertise it by default. */
  readonly latestVersionUnstable: boolean;
}

/**
 * One API with its codecs. Methods (not function-typed properties) on purpose: their parameters are
 * bivariant, so every typed `ApiSpec<ProduceRequest, ...>` fits in the untyped `ApiSpec` table.
 */
export interface ApiSpec<Req = unknown, Res = unknown> extends ApiVersionInfo {
  decodeRequest(r: Reader, version: number): Req;
  encodeRequest(w: Writer, version: number, msg: Req): void;
  decodeResponse(r: Reader, version: number): Res;
  encodeResponse(w: Writer, version: number, msg: Res): void;
}

/**
 * An entry of the API table: the version info at once, the codecs imported on first use.
 *
 * Why: the codecs of all ~70 APIs are ~640 KB of generated TypeScript, and stripping their types and
 * compiling them was most of a cold start. A broker serves ~25 of them; it preloads those right after
 * it starts listening (`loadApiCodecs`), and once loaded `codecs` hands them out synchronously, so
 * request handling stays synchronous on the hot path.
 */
export class ApiEntry<Req = unknown, Res = unknown> implements ApiVersionInfo {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flexibleMin: number | null;
  readonly latestVersionUnstable: boolean;
  readonly #importCodecs: () => Promise<ApiSpec<Req, Res>>;
  #codecs: ApiSpec<Req, Res> | undefined;
  #loading: Promise<ApiSpec<Req, Res>> | undefined;

  constructor(info: ApiVersionInfo, importCodecs: () => Promise<ApiSpec<Req, Res>>) {
    this.apiKey = info.apiKey;
    this.name = info.name;
    this.minVersion = info.minVersion;
    this.maxVersion = info.maxVersion;
    this.flexibleMin = info.flexibleMin;
    this.latestVersionUnstable = info.latestVersionUnstable;
    this.#importCodecs = importCodecs;
  }

  /** The codecs once loaded, else undefined (call `load()` and try again when it settles). */
  get codecs(): ApiSpec<Req, Res> | undefined {
    return this.#codecs;
  }

  /** Imports the codecs (once; concurrent callers share the import). A failed import is retried next time. */
  load(): Promise<ApiSpec<Req, Res>> {
    if (this.#codecs) return Promise.resolve(this.#codecs);
    this.#loading ??= this.#importCodecs().then(
      (spec) => {
        this.#codecs = spec;
        this.#loading = undefined;
        return spec;
      },
      (err: unknown) => {
        this.#loading = undefined;
        throw err;
      },
    );
    return this.#loading;
  }
}
