import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '../logger.ts';

export interface StreamingConnectionOptions {
  /** Bootstrap servers, e.g. ['localhost:9092']. */
  brokers: readonly string[];
  /** Identifies this service in broker logs and consumer group descriptions. */
  clientId: string;
  logger: Logger;
  /** How long to wait for a broker connection before failing, in ms. */
  connectionTimeoutMs?: number;
}

/**
 * The single place where kafkajs is constructed. Everything else in this library talks to the object
 * returned here, so replacing kafkajs means replacing this module and the few adapters that use it.
 */
export function createKafka(options: StreamingConnectionOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.INFO,
    logCreator: () => (entry: LogEntry) => forwardKafkaLog(options.logger, entry),
  });
}

function forwardKafkaLog(logger: Logger, { level, log }: LogEntry): void {
  const { message, ...details } = log;
  const fields = { component: 'kafkajs', ...details };
  if (level === logLevel.ERROR) logger.error(fields, message);
  else if (level === logLevel.WARN) logger.warn(fields, message);
  else if (level === logLevel.INFO) logger.info(fields, message);
  else logger.debug(fields, message);
}
