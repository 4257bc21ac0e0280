import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/index.ts';
import type { SaslListenerOptions, SecurityProtocol } from '../config/listeners.ts';
import type { GroupCoordinator } from '../group/group-coordinator.ts';
import type { ProducerStateManager } from '../producer-state/index.ts';
import type { TransactionCoordinator } from '../txn/transaction-coordinator.ts';
import { API_ENTRIES } from '../protocol/index.ts';
import type { ApiKey, ApiRequest, ApiResponse, ApiVersion } from '../protocol/index.ts';
import type { LogManager } from '../storage/index.ts';
import type { ScramCredentialStore } from '../sasl/scram-credential-store.ts';
import type { AclStore } from '../acl/acl-store.ts';
import type { Authorizer } from '../acl/authorizer.ts';
import type { RateLimitedLog } from '../server/rate-limited-log.ts';
import type { AppendWaiters } from './append-waiters.ts';
import type { ApiRegistry } from './registry.ts';

/**
 * Everything a handler may use that lives as long as the broker. A feature with state of its own
 * (a transaction coordinator, an authorizer) adds it here and creates it in `startBroker`.
 */
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
  /** The transaction coordinator (InitProducerId with a transactional id, AddPartitionsToTxn, EndTxn...). */
  readonly transactions: TransactionCoordinator;
  /** SCRAM users (salted and hashed), persisted in the log dir. */
  readonly scram: ScramCredentialStore;
  /** Failed logins and refused connections: a warning each, rate-limited. */
  readonly failedLogins: RateLimitedLog;
  /** Every ACL, persisted in the log dir (managed by CreateAcls/DeleteAcls). */
  readonly acls: AclStore;
  /** Checks requests against the ACLs; null without authorizer.class.name (everything allowed). */
  readonly authorizer: Authorizer | null;
  /** Requests an ACL refused: a warning each, rate-limited. */
  readonly deniedRequests: RateLimitedLog;
  /** The APIs this broker serves; ApiVersions advertises exactly these. */
  readonly apis: ApiRegistry;
  /**
   * Host and port clients of a listener should connect to (known once it is bound). Metadata and
   * FindCoordinator answer each connection with the address of the listener it came in on.
   */
  advertised(listener: string): { host: string; port: number };
  now(): number;
}

/**
 * The client connection a request came on. It lives as long as the connection, so per-connection
 * state (e.g. SASL authentication) is kept against it with a `ConnectionSlot`.
 */
export interface ConnectionContext {
  readonly id: number;
  /** The client's address as Kafka reports it in DescribeGroups ("/127.0.0.1"). */
  readonly clientHost: string;
  /** Aborts when the connection or the broker closes (parked fetches and joins give up). */
  readonly signal: AbortSignal;
  /** The listener the connection came in on. */
  readonly listener: ListenerContext;
  /**
   * Who the transport says the client is: `User:ANONYMOUS`, or on an SSL listener the client
   * certificate's subject. On a SASL listener the SASL login decides instead.
   */
  readonly transportPrincipal: string;
  /**
   * Ends the connection after the responses already queued, this request's included, are
   * written; nothing more is read. For a failed login or an illegal SASL state.
   */
  closeAfterResponse(reason: string): void;
  /** The client has authenticated: the authentication deadline no longer applies. */
  authenticationDone(): void;
}

export interface ListenerContext {
  readonly name: string;
  readonly securityProtocol: SecurityProtocol;
  /** The listener's SASL settings; null unless SASL_PLAINTEXT or SASL_SSL. */
  readonly sasl: SaslListenerOptions | null;
}

/** Per-request facts. */
export interface RequestContext {
  readonly broker: BrokerContext;
  readonly connection: ConnectionContext;
  /** "Produce", "JoinGroup"... (for logs). */
  readonly apiName: string;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/**
 * One Kafka API, typed by its key: `handle` takes that API's request and returns its response (or
 * null for a request that gets no response, i.e. acks=0 Produce), and the advertised range must lie
 * within the versions Kafka defines for it. Pairing a handler with another API's codec is a compile
 * error (see types.test.ts).
 */
export interface ApiDefinition<K extends ApiKey> {
  readonly apiKey: K;
  /** The advertised (and accepted) version range. */
  readonly minVersion: ApiVersion<K>;
  readonly maxVersion: ApiVersion<K>;
  readonly handle: (
    ctx: RequestContext,
    request: ApiRequest<K>,
  ) => ApiResponse<K> | null | Promise<ApiResponse<K> | null>;
  /**
   * The same response with `errorCode` everywhere it fits; the server uses it for
   * UNSUPPORTED_VERSION and for handler exceptions (UNKNOWN_SERVER_ERROR).
   */
  readonly errorResponse: (
    request: ApiRequest<K>,
    version: number,
    errorCode: number,
    errorMessage: string | null,
  ) => ApiResponse<K>;
  /**
   * False when the client waits for no answer (acks=0 Produce). If such a request fails, the server
   * closes the connection instead of answering, as Kafka does, so the client notices and refreshes.
   */
  readonly expectsResponse?: (request: ApiRequest<K>) => boolean;
}

/** A registered API: its definition plus the API's name from the protocol definitions. */
export interface ApiHandler<K extends ApiKey> extends ApiDefinition<K> {
  /** "Produce", "JoinGroup"... (for logs). */
  readonly name: string;
}

/** A handler of any API: the union of every `ApiHandler<K>`, so each one keeps its own types. */
export type AnyApiHandler = { [K in ApiKey]: ApiHandler<K> }[ApiKey];

/** A handler of one of the keys K; generic code over K receives the handler of the key it holds. */
export type ApiHandlerOf<K extends ApiKey> = { [P in K]: ApiHandler<P> }[K];

/** Declares the handler of one API; its key fixes its request, response and version types. */
export function defineApi<K extends ApiKey>(definition: ApiDefinition<K>): ApiHandler<K> {
  return { ...definition, name: API_ENTRIES[definition.apiKey].name };
}
