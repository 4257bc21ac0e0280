import { ConfigError } from './config-error.ts';

/** Kafka's security protocols: what a listener speaks on the wire and how it authenticates. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** The SASL mechanisms this broker can serve. GSSAPI and OAUTHBEARER are refused at start-up. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanismName = (typeof SASL_MECHANISMS)[number];

export type SslClientAuth = 'none' | 'requested' | 'required';

/** A listener's TLS settings, with its key material already read (PEM text or a PKCS#12 bundle). */
export interface SslOptions {
  keystore:
    | {
        type: 'PEM';
        /** PEM private key, possibly encrypted (then `keyPassword` decrypts it). */
        key: string;
        /** PEM certificate chain, the broker's own certificate first. */
        certificateChain: string;
        keyPassword?: string;
      }
    | { type: 'PKCS12'; pfx: Buffer; password?: string };
  /** PEM CA certificates that client certificates must chain to (ssl.truststore.*). */
  truststore?: string;
  /** ssl.client.auth (default none). */
  clientAuth?: SslClientAuth;
  /** ssl.enabled.protocols (default: TLSv1.2 and TLSv1.3). */
  enabledProtocols?: Array<'TLSv1.2' | 'TLSv1.3'>;
  /** ssl.principal.mapping.rules (default DEFAULT: the certificate's subject as an RFC 2253 DN). */
  principalMappingRules?: string;
  /** The property the key material came from, so start-up errors can name it. */
  origin?: string;
}

/** A listener's SASL settings. */
export interface SaslListenerOptions {
  /** sasl.enabled.mechanisms. */
  enabledMechanisms: SaslMechanismName[];
  /** PLAIN users and passwords from the PlainLoginModule JAAS config (`user_<name>="<password>"`). */
  plainUsers?: Record<string, string>;
  /** The property the PLAIN users came from, for messages. */
  plainUsersOrigin?: string;
}

/** One listener: a name (what `listener.security.protocol.map` and clients' logs use), an address, a protocol. */
export interface ListenerOptions {
  /** Upper-case listener name, e.g. PLAINTEXT, SASL_SSL, CLIENT. */
  name: string;
  /** Interface to bind; '' or 0.0.0.0 = every interface. */
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  securityProtocol: SecurityProtocol;
  /** Host clients are told to connect to (advertised.listeners); default: the bound host. */
  advertisedHost?: string;
  /** Port clients are told to connect to; default: the bound port. */
  advertisedPort?: number;
  /** Required for SSL and SASL_SSL. */
  ssl?: SslOptions;
  /** Required for SASL_PLAINTEXT and SASL_SSL. */
  sasl?: SaslListenerOptions;
}

export interface ListenerAddress {
  name: string;
  host: string;
  port: number;
}

/** Parses one `NAME://host:port` entry (IPv6 hosts in brackets). */
export function parseListenerAddress(property: string, spec: string): ListenerAddress {
  const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(spec);
  if (!m)
    throw new ConfigError(
      'INVALID_LISTENER',
      `${property}: cannot parse listener "${spec}" (expected NAME://host:port)`,
    );
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  const port = Number(m[3]);
  if (port > 65535)
    throw new ConfigError('INVALID_LISTENER', `${property}: port out of range in "${spec}"`);
  return { name: m[1].toUpperCase(), host, port };
}

/** Parses a comma-separated listener list; names must be unique (Kafka's rule). */
export function parseListenerList(property: string, value: string): ListenerAddress[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => parseListenerAddress(property, s));
  const seen = new Set<string>();
  for (const l of list) {
    if (seen.has(l.name))
      throw new ConfigError(
        'INVALID_LISTENER',
        `${property}: listener name ${l.name} appears more than once`,
      );
    seen.add(l.name);
  }
  return list;
}

/**
 * `listener.security.protocol.map` (NAME:PROTOCOL,...). Without it, Kafka maps each protocol's own
 * name to itself, so `SASL_SSL://...` needs no map entry but `CLIENT://...` does.
 */
export function parseSecurityProtocolMap(value: string | undefined): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>(SECURITY_PROTOCOLS.map((p) => [p, p]));
  if (value === undefined) return map;
  map.clear();
  for (const entry of value.split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    const m = /^([A-Za-z0-9_]+):([A-Za-z_]+)$/.exec(entry);
    if (!m)
      throw new ConfigError(
        'INVALID_LISTENER',
        `listener.security.protocol.map: cannot parse "${entry}" (expected NAME:PROTOCOL)`,
      );
    const protocol = m[2].toUpperCase();
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol))
      throw new ConfigError(
        'UNSUPPORTED_SECURITY_PROTOCOL',
        `listener.security.protocol.map: unknown security protocol ${m[2]} for listener ${m[1]} (expected one of ${SECURITY_PROTOCOLS.join(', ')})`,
      );
    map.set(m[1].toUpperCase(), protocol as SecurityProtocol);
  }
  return map;
}

export function isTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function isSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}
