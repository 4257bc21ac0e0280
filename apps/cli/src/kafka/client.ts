import type { Kafka as KafkaClient, LogEntry } from 'kafkajs';
import { kafkajsSecurity } from '@retail-streams/streaming-client/security';
import type { ClientSecurity } from '@retail-streams/streaming-client/security';
import { assertReachable, formatAddress, parseBootstrap } from './bootstrap.ts';
import { registerCodecs } from './codecs.ts';
import { Kafka, logLevel } from './kafkajs.ts';

export interface ClientOptions {
  bootstrapServer: string;
  /** Print the client's warnings and errors on stderr. */
  verbose?: boolean;
  clientId?: string;
  /** TLS and SASL; undefined = PLAINTEXT. */
  security?: ClientSecurity;
}

export interface Client {
  kafka: KafkaClient;
  /** The bootstrap list as given, for messages. */
  bootstrap: string;
}

/**
 * A kafkajs client with bounded patience: a command line tool must answer in seconds, not retry for
 * minutes as a service would. Fails with BROKER_UNREACHABLE when no bootstrap address accepts.
 */
export async function connectClient(options: ClientOptions): Promise<Client> {
  const addresses = parseBootstrap(options.bootstrapServer);
  await assertReachable(addresses);
  registerCodecs();
  const verbose = options.verbose === true;
  const kafka = new Kafka({
    clientId: options.clientId ?? 'streaming-cli',
    brokers: addresses.map(formatAddress),
    ...kafkajsSecurity(options.security),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: verbose ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      process.stderr.write(`[kafkajs ${entry.namespace}] ${entry.log.message}\n`);
    },
  });
  return { kafka, bootstrap: addresses.map(formatAddress).join(',') };
}
