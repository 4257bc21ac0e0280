import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';
import { saslLogin } from './sasl-login.ts';

/**
 * How a client proves who it is and protects the wire, in the terms of Kafka's client properties
 * (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, `ssl.truststore.*`, `ssl.keystore.*`),
 * so a `client.properties` file written for Kafka's own tools works here unchanged.
 */
export interface ClientSecurity {
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  /** TLS settings (SSL, SASL_SSL). */
  tls?: {
    /** PEM CA certificates the broker's certificate must chain to; absent = the system's. */
    ca?: string;
    /** A client certificate and key (PEM), for ssl.client.auth on the broker. */
    cert?: string;
    key?: string;
    passphrase?: string;
    /** ssl.endpoint.identification.algorithm=https (default) checks the host name. */
    checkHostname: boolean;
  };
  /** SASL settings (SASL_PLAINTEXT, SASL_SSL). */
  sasl?: {
    mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
    username: string;
    password: string;
  };
}

/** A client property the security settings cannot use; says which one. */
export class ClientSecurityError extends Error {
  readonly property: string;

  constructor(property: string, message: string) {
    super(`${property}: ${message}`);
    this.name = 'ClientSecurityError';
    this.property = property;
  }
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** Keys read here; a tool reading the same file for other settings can skip them. */
export const CLIENT_SECURITY_KEYS = [
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.truststore.location',
  'ssl.truststore.certificates',
  'ssl.truststore.type',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
] as const;

/**
 * Reads the security settings from client properties. Trust stores and key stores must be PEM
 * (files or inline). Errors name the property and never contain a password.
 */
export function clientSecurityFromProperties(
  props: ReadonlyMap<string, string>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ClientSecurity {
  const raw = (props.get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(raw))
    throw new ClientSecurityError(
      'security.protocol',
      `"${raw}" is not one of ${PROTOCOLS.join(', ')}`,
    );
  const protocol = raw as ClientSecurity['protocol'];
  const security: ClientSecurity = { protocol };
  const read = (property: string) => {
    const path = props.get(property)!;
    try {
      return readFile(path);
    } catch (err) {
      throw new ClientSecurityError(
        property,
        `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    for (const type of ['ssl.truststore.type', 'ssl.keystore.type'])
      if (props.has(type) && props.get(type)!.trim().toUpperCase() !== 'PEM')
        throw new ClientSecurityError(type, 'only PEM stores can be read here');
    const ca =
      props.get('ssl.truststore.certificates') ??
      (props.has('ssl.truststore.location') ? read('ssl.truststore.location') : undefined);
    const keystore = props.has('ssl.keystore.location') ? read('ssl.keystore.location') : undefined;
    const key = props.get('ssl.keystore.key') ?? pemBlock(keystore, 'PRIVATE KEY');
    const cert = props.get('ssl.keystore.certificate.chain') ?? pemBlock(keystore, 'CERTIFICATE');
    security.tls = {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(props.has('ssl.key.password') ? { passphrase: props.get('ssl.key.password') } : {}),
      checkHostname: (props.get('ssl.endpoint.identification.algorithm') ?? 'https').trim() !== '',
    };
  }
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const mechanism = (props.get('sasl.mechanism') ?? 'GSSAPI').trim().toUpperCase();
    if (!(MECHANISMS as readonly string[]).includes(mechanism))
      throw new ClientSecurityError(
        'sasl.mechanism',
        `${mechanism}${props.has('sasl.mechanism') ? '' : " (Kafka's default)"} is not supported; use ${MECHANISMS.join(', ')}`,
      );
    const jaas = props.get('sasl.jaas.config');
    if (jaas === undefined)
      throw new ClientSecurityError(
        'sasl.jaas.config',
        `is required for ${mechanism}: ...LoginModule required username="..." password="...";`,
      );
    const username = jaasOption(jaas, 'username');
    const password = jaasOption(jaas, 'password');
    if (!username || !password)
      throw new ClientSecurityError('sasl.jaas.config', 'needs username="..." and password="..."');
    security.sasl = {
      mechanism: mechanism as NonNullable<ClientSecurity['sasl']>['mechanism'],
      username,
      password,
    };
  }
  return security;
}

/** The kafkajs `ssl` and `sasl` settings for it. */
export function kafkajsSecurity(
  security: ClientSecurity | undefined,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security) return {};
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) {
    const { ca, cert, key, passphrase, checkHostname } = security.tls;
    out.ssl = {
      ...(ca !== undefined ? { ca: [ca] } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(passphrase !== undefined ? { passphrase } : {}),
      ...(checkHostname ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    // kafkajs's own login, except that a connection broken off mid-login is retried (sasl-login.ts).
    out.sasl = saslLogin(mechanism, username, password);
  }
  return out;
}

/** `key="value"` (or key=value) in a JAAS config; backslash escapes inside quotes. */
function jaasOption(jaas: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;"]+))`).exec(
    jaas,
  );
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

function pemBlock(
  text: string | undefined,
  label: 'PRIVATE KEY' | 'CERTIFICATE',
): string | undefined {
  if (text === undefined) return undefined;
  const re =
    label === 'CERTIFICATE'
      ? /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g
      : /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
  const blocks = text.match(re);
  return blocks ? blocks.join('\n') + '\n' : undefined;
}
