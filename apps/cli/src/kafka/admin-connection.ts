// The SCRAM-credential and ACL APIs through @platformatic/kafka's protocol layer: kafkajs has no
// AlterUserScramCredentials, and one library for both keeps `users` and `acls` alike. One connection
// to the first bootstrap broker that answers, with the same TLS and SASL settings as every command.
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Connection, ResponseError } from '@platformatic/kafka';
import type { ClientSecurity } from '@retail-streams/streaming-client/security';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { globalOptions } from '../commands/context.ts';
import { assertReachable, formatAddress, parseBootstrap } from './bootstrap.ts';

type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

function connectionOptions(security: ClientSecurity | undefined) {
  const options: {
    connectTimeout: number;
    requestTimeout: number;
    tls?: TlsOptions;
    sasl?: { mechanism: SaslMechanism; username: string; password: string };
  } = {
    connectTimeout: 3000,
    requestTimeout: 30_000,
  };
  if (security?.tls) {
    const { ca, cert, key, passphrase, checkHostname } = security.tls;
    options.tls = {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(passphrase !== undefined ? { passphrase } : {}),
      ...(checkHostname ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  if (security?.sasl) options.sasl = { ...security.sasl };
  return options;
}

/** Runs `fn` over a connected, authenticated connection and always closes it. */
export async function withAdminConnection<T>(
  command: Command,
  fn: (connection: Connection) => Promise<T>,
): Promise<T> {
  const g = globalOptions(command);
  const addresses = parseBootstrap(g.bootstrapServer);
  await assertReachable(addresses);
  const connection = new Connection('streaming-cli', connectionOptions(g.security));
  const bootstrap = addresses.map(formatAddress).join(',');
  try {
    let lastError: unknown;
    for (const a of addresses) {
      try {
        await connection.connect(a.host, a.port);
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err;
      }
    }
    if (lastError !== undefined) throw lastError;
    return await fn(connection);
  } catch (err) {
    throw adminError(err, bootstrap);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** The response a ResponseError carries (the per-item errors are in it), else the error again. */
export function responseOf<T>(err: unknown): T {
  if (err instanceof ResponseError) return (err as unknown as { response: T }).response;
  throw err;
}

function adminError(err: unknown, bootstrap: string): CliError {
  if (err instanceof CliError) return err;
  const text = collectMessages(err);
  if (/SASL|authenticat/i.test(text))
    return new CliError(
      'AUTHENTICATION_FAILED',
      `authentication failed at ${bootstrap}: ${text} (check sasl.mechanism and sasl.jaas.config in --command-config)`,
    );
  if (/AUTHORIZATION_FAILED|not authorized/i.test(text))
    return new CliError('NOT_AUTHORIZED', `not authorized: ${text}`);
  return new CliError('KAFKA_ERROR', text);
}

function collectMessages(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown) => {
    if (!e || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const m = (e as Error).message;
    if (m && !parts.includes(m)) parts.push(m);
    visit((e as { cause?: unknown }).cause);
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) visit(inner);
  };
  visit(err);
  return parts.join('; ') || String(err);
}
