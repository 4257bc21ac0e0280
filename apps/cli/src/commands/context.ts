import type { Command } from 'commander';
import type { Admin } from 'kafkajs';
import { connectClient } from '../kafka/client.ts';
import type { Client } from '../kafka/client.ts';
import { translateKafkaError } from '../kafka/translate-error.ts';
import { securityFrom } from '../kafka/security.ts';
import type { ClientSecurity } from '@retail-streams/streaming-client/security';

export const DEFAULT_BOOTSTRAP = 'localhost:9092';

export interface GlobalOptions {
  bootstrapServer: string;
  verbose: boolean;
  /** TLS / SASL from --command-config and --client-property (undefined: PLAINTEXT). */
  security: ClientSecurity | undefined;
}

export function globalOptions(command: Command): GlobalOptions {
  const o = command.optsWithGlobals<{
    bootstrapServer?: string;
    verbose?: boolean;
    commandConfig?: string;
    clientProperty?: string[];
  }>();
  return {
    bootstrapServer: o.bootstrapServer ?? DEFAULT_BOOTSTRAP,
    verbose: o.verbose === true,
    security: securityFrom(o.commandConfig, o.clientProperty),
  };
}

export async function clientFor(command: Command, clientId?: string): Promise<Client> {
  const g = globalOptions(command);
  return connectClient({
    bootstrapServer: g.bootstrapServer,
    verbose: g.verbose,
    clientId,
    security: g.security,
  });
}

/**
 * Runs `fn` with a connected admin client and always disconnects it; kafkajs errors come out as
 * CliErrors (`topic` names the topic in "unknown topic" messages).
 */
export async function withAdmin<T>(
  command: Command,
  fn: (admin: Admin, client: Client) => Promise<T>,
  topic?: string,
): Promise<T> {
  const client = await clientFor(command);
  const admin = client.kafka.admin({
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  try {
    await admin.connect();
    return await fn(admin, client);
  } catch (err) {
    throw translateKafkaError(err, client.bootstrap, topic);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function out(text: string): void {
  process.stdout.write(text);
}

export function note(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
