import { readFileSync } from 'node:fs';
import { ClientSecurityError } from './client-security.ts';
import type { ClientSecurity } from './client-security.ts';

/**
 * The security variables a service reads (validated one by one by service-kit's `kafkaConfig`):
 * PLAINTEXT when none is set, so a service runs unchanged on an open broker.
 */
export interface KafkaSecurityEnv {
  KAFKA_SECURITY_PROTOCOL?: ClientSecurity['protocol'];
  KAFKA_SASL_MECHANISM?: NonNullable<ClientSecurity['sasl']>['mechanism'];
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  /** A PEM file of the CA certificates the broker's certificate must chain to (SSL, SASL_SSL). */
  KAFKA_SSL_CA_LOCATION?: string;
  /** `false` skips the host name check of the broker's certificate (Kafka's empty algorithm). */
  KAFKA_SSL_CHECK_HOSTNAME?: boolean;
}

/**
 * The client security a service's environment asks for. What only makes sense together (a SASL
 * protocol needs a mechanism, a user and a password) is checked here, with the variable's name in
 * the error; the password never appears in one.
 */
export function clientSecurityFromEnv(
  env: KafkaSecurityEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ClientSecurity {
  const protocol = env.KAFKA_SECURITY_PROTOCOL ?? 'PLAINTEXT';
  const security: ClientSecurity = { protocol };
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  if (sasl) {
    for (const name of [
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
    ] as const)
      if (!env[name])
        throw new ClientSecurityError(name, `is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    security.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM!,
      username: env.KAFKA_SASL_USERNAME!,
      password: env.KAFKA_SASL_PASSWORD!,
    };
  } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    throw new ClientSecurityError(
      'KAFKA_SECURITY_PROTOCOL',
      `is ${protocol}, which sends no credentials: set SASL_PLAINTEXT or SASL_SSL to use KAFKA_SASL_USERNAME`,
    );
  }
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    let ca: string | undefined;
    if (env.KAFKA_SSL_CA_LOCATION) {
      try {
        ca = readFile(env.KAFKA_SSL_CA_LOCATION);
      } catch (err) {
        throw new ClientSecurityError(
          'KAFKA_SSL_CA_LOCATION',
          `cannot read ${env.KAFKA_SSL_CA_LOCATION} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        );
      }
    }
    security.tls = {
      ...(ca !== undefined ? { ca } : {}),
      checkHostname: env.KAFKA_SSL_CHECK_HOSTNAME ?? true,
    };
  } else if (env.KAFKA_SSL_CA_LOCATION) {
    throw new ClientSecurityError(
      'KAFKA_SECURITY_PROTOCOL',
      `is ${protocol}, which does not use TLS: set SSL or SASL_SSL to use KAFKA_SSL_CA_LOCATION`,
    );
  }
  return security;
}
