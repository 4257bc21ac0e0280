import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { fixKafkaJsRequestQueueTimer } from './kafkajs-request-queue-timer.ts';
import { kafkajsSecurity } from './client-security.ts';
import type { ClientSecurity } from './client-security.ts';

export interface StreamingConnectionOptions {
  /** Bootstrap servers, e.g. ['localhost:9092']. */
  brokers: readonly string[];
  /** Identifies this service in broker logs and consumer group descriptions. */
  clientId: string;
  logger: Logger;
  /** How long to wait for a broker connection before failing, in ms. */
  connectionTimeoutMs?: number;
  /** TLS and SASL (default: PLAINTEXT). */
  security?: ClientSecurity;
}

/**
 * The single place where kafkajs is constructed. Everything else in this library talks to the object
 * returned here, so replacing kafkajs means replacing this module and the few adapters that use it.
 */
export function createKafka(options: StreamingConnectionOptions): Kafka {
  fixKafkaJsRequestQueueTimer();
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...kafkajsSecurity(options.security),
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.INFO,
    logCreator: () => (entry: LogEntry) => forwardKafkaLog(options.logger, entry),
  });
}

/**
 * kafkajs warnings this library's design already answers, logged at debug so a service's first screen
 * shows only what someone has to act on.
 * - Retries are bounded on purpose for the idempotent producer: a send that still fails is retried by
 *   its caller (the outbox relay keeps the row and sends it again), and every consumer records event
 *   ids in its inbox, so a record written twice changes nothing. Unbounded retries would instead hang
 *   a send for as long as a broker is down.
 */
const EXPECTED_WARNINGS = new Set([
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

function forwardKafkaLog(logger: Logger, { level, log }: LogEntry): void {
  const { message, ...details } = log;
  const fields = { component: 'kafkajs', ...details };
  if (level === logLevel.ERROR) logger.error(fields, message);
  else if (level === logLevel.WARN && EXPECTED_WARNINGS.has(message)) logger.debug(fields, message);
  else if (level === logLevel.WARN) logger.warn(fields, message);
  else if (level === logLevel.INFO) logger.info(fields, message);
  else logger.debug(fields, message);
}
