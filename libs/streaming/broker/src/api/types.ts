import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/index.ts';
import type { GroupCoordinator } from '../group/group-coordinator.ts';
import type { ProducerStateManager } from '../producer-state/index.ts';
import type { LogManager } from '../storage/index.ts';
import type { AppendWaiters } from './append-waiters.ts';

/** Everything a handler may use that lives as long as the broker. */
export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly logs: LogManager;
  readonly logger: Logger;
  readonly waiters: AppendWaiters;
  /** The consumer-group coordinator (JoinGroup, OffsetCommit...). */
  readonly groups: GroupCoordinator;
  /** Idempotent-producer state (InitProducerId, sequence checks on Produce). */
  readonly producers: ProducerStateManager;
  /** The API table, for ApiVersions. */
  readonly apis: ReadonlyMap<number, ApiHandler>;
  /** Host and port clients should connect to (known once the listener is bound). */
  advertised(): { host: string; port: number };
  now(): number;
}

/** Per-request facts. `signal` aborts when the connection or the broker closes. */
export interface RequestContext {
  readonly broker: BrokerContext;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** The client's address as Kafka reports it in DescribeGroups ("/127.0.0.1"). */
  readonly clientHost?: string;
  readonly connectionId: number;
  readonly signal: AbortSignal;
}

/**
 * One Kafka API. `handle` returns the response body (or null for a request that gets no response,
 * i.e. acks=0 Produce). `errorResponse` builds the same response with `errorCode` everywhere it fits;
 * the server uses it for UNSUPPORTED_VERSION and for handler exceptions (UNKNOWN_SERVER_ERROR).
 */
export interface ApiHandler<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  readonly name: string;
  /** The advertised (and accepted) version range. */
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: RequestContext, request: Req): Res | null | Promise<Res | null>;
  errorResponse(request: Req, version: number, errorCode: number, errorMessage: string | null): Res;
  /**
   * False when the client waits for no answer (acks=0 Produce). If such a request fails, the server
   * closes the connection instead of answering, as Kafka does, so the client notices and refreshes.
   */
  expectsResponse?(request: Req): boolean;
}

/** Erases the request/response types so handlers of different APIs fit in one table. */
export function defineApi<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler {
  return handler as unknown as ApiHandler;
}
