/**
 * What a scenario needs from the world it runs in, whichever backend provides it: the embedded stack
 * `npm start` runs (PostgreSQL, the project's broker, the four services), or real Apache Kafka and
 * PostgreSQL containers with the same four services as local processes. Scenarios are written against
 * this interface only, so one suite runs on both.
 */
export const SERVICE_NAMES = ['inventory', 'sales', 'reordering', 'analytics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export type Backend = 'embedded' | 'containers';

export interface EnvironmentOptions {
  /** Names the run (temp dirs, container labels, messages). */
  name: string;
  /** Extra variables per service: short supplier lead times, sync timeouts, ... */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Passes every process line here (E2E_VERBOSE=1 prints them). */
  onLine?: (process: string, line: string) => void;
}

export type ServiceUrls = Record<ServiceName, string>;

/** A further instance of a service: same database, same consumer group, its own HTTP port. */
export interface Replica {
  readonly name: string;
  readonly url: string;
  stop(): Promise<void>;
}

export interface RunningEnvironment {
  readonly backend: Backend;
  /** `host:port` of the Kafka-compatible broker, as clients and the CLI take it. */
  readonly bootstrap: string;
  readonly urls: ServiceUrls;
  databaseUrlFor(service: ServiceName): string;
  /** Graceful stop (SIGTERM): the service drains, commits and leaves its groups. */
  stopService(name: ServiceName): Promise<void>;
  /** `kill -9`: no draining, no commits, no group leave. Resolves once the process is gone. */
  killService(name: ServiceName): Promise<void>;
  /** Starts a stopped or killed service again and resolves once it reports ready. */
  startService(name: ServiceName): Promise<void>;
  /** Stops the broker and starts it again on the same address with the same data. */
  restartBroker(): Promise<void>;
  /** Starts one more instance of a service beside the first. */
  startReplica(name: ServiceName): Promise<Replica>;
  /**
   * How a service logs in to the broker (its listener and a client properties file with its user),
   * or undefined where the services run without broker users.
   */
  loginOf(name: ServiceName): ServiceLogin | undefined;
  /** The last lines a process printed, for failure messages. */
  lastLines(process: string, count?: number): string[];
  stop(): Promise<void>;
}

export interface ServiceLogin {
  /** `host:port` of the listener the services log in on. */
  bootstrap: string;
  /** Kafka client properties (`--command-config`) with the service's user and password. */
  commandConfig: string;
}

export interface Environment {
  readonly backend: Backend;
  start(options: EnvironmentOptions): Promise<RunningEnvironment>;
}
