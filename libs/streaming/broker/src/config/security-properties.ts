import { readFileSync } from 'node:fs';
import {
  PLAIN_LOGIN_MODULE,
  SCRAM_LOGIN_MODULE,
  parseJaasConfig,
  plainUsersOf,
} from '../sasl/jaas-config.ts';
import type { AuthorizerOptions, BrokerOptions } from './broker-options.ts';
import { ConfigError } from './config-error.ts';
import {
  SASL_MECHANISMS,
  isSasl,
  isTls,
  parseListenerList,
  parseSecurityProtocolMap,
} from './listeners.ts';
import type {
  ListenerOptions,
  SaslListenerOptions,
  SaslMechanismName,
  SslClientAuth,
  SslOptions,
} from './listeners.ts';
import { looksLikePem, pemCertificates, pemPrivateKey } from './pem.ts';
import { parsePrincipalMappingRules } from './principal-mapping.ts';

/** Authorizer class names that turn ACLs on (ZooKeeper-era, KRaft, and the pre-2.0 name). */
export const AUTHORIZER_CLASSES = [
  'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'kafka.security.authorizer.AclAuthorizer',
  'kafka.security.auth.SimpleAclAuthorizer',
];

/** Keys that only matter between brokers or on the client side: accepted, nothing to do. */
const IGNORED_SECURITY_KEYS = new Set([
  'security.inter.broker.protocol',
  'inter.broker.listener.name',
  'sasl.mechanism.inter.broker.protocol',
  'sasl.mechanism.controller.protocol',
  'ssl.endpoint.identification.algorithm',
  'ssl.protocol',
  'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm',
  'ssl.secure.random.implementation',
  'ssl.engine.factory.class',
  'sasl.kerberos.service.name',
]);

/** Per-listener keys (also valid with a `listener.name.<name>.` prefix). */
const SSL_KEYS = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.key.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.client.auth',
  'ssl.principal.mapping.rules',
  'ssl.enabled.protocols',
  'ssl.cipher.suites',
];

export interface SecurityPropertiesResult {
  options: Pick<
    BrokerOptions,
    | 'listeners'
    | 'advertisedHost'
    | 'advertisedPort'
    | 'authorizer'
    | 'connectionsMaxReauthMs'
    | 'authenticationTimeoutMs'
  >;
  /** Every key this module understood (the caller warns about the rest). */
  consumed: Set<string>;
  warnings: string[];
}

/**
 * Maps Kafka's listener and security properties: `listeners`, `advertised.listeners`,
 * `listener.security.protocol.map`, the ssl.* and sasl.* keys (globally or with a
 * `listener.name.<listener>.` prefix), the authorizer and `super.users`. Anything the broker
 * cannot serve (a protocol, a mechanism, a key store) is a ConfigError naming the property: a
 * listener never silently becomes plaintext.
 */
export function securityPropertiesToOptions(
  props: ReadonlyMap<string, string>,
): SecurityPropertiesResult {
  const consumed = new Set<string>();
  const warnings: string[] = [];
  const options: SecurityPropertiesResult['options'] = {};
  const take = (key: string): string | undefined => {
    const v = props.get(key);
    if (v !== undefined) consumed.add(key);
    return v;
  };

  const listenersValue = take('listeners');
  const protocolMap = parseSecurityProtocolMap(take('listener.security.protocol.map'));
  const controllerNames = new Set(
    (take('controller.listener.names') ?? '')
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== ''),
  );
  const advertisedValue = take('advertised.listeners');

  if (listenersValue !== undefined) {
    const all = parseListenerList('listeners', listenersValue);
    const served = all.filter((l) => {
      if (!controllerNames.has(l.name)) return true;
      warnings.push(
        `listeners: ${l.name} is a KRaft controller listener (controller.listener.names); this single node is not a controller, so it is not opened`,
      );
      return false;
    });
    if (served.length === 0)
      throw new ConfigError('INVALID_LISTENER', 'listeners: no broker listener left to open');
    const ports = new Map<number, string>();
    for (const l of served) {
      const other = ports.get(l.port);
      if (l.port !== 0 && other)
        throw new ConfigError(
          'INVALID_LISTENER',
          `listeners: ${other} and ${l.name} both use port ${l.port}`,
        );
      ports.set(l.port, l.name);
    }
    const advertised = new Map(
      advertisedValue === undefined
        ? []
        : parseListenerList('advertised.listeners', advertisedValue)
            .filter((a) => !controllerNames.has(a.name))
            .map((a) => [a.name, a]),
    );
    for (const name of advertised.keys()) {
      if (!served.some((l) => l.name === name))
        throw new ConfigError(
          'INVALID_LISTENER',
          `advertised.listeners: ${name} is not one of the listeners (${served.map((l) => l.name).join(', ')})`,
        );
    }
    options.listeners = served.map((l): ListenerOptions => {
      const securityProtocol = protocolMap.get(l.name);
      if (!securityProtocol)
        throw new ConfigError(
          'UNSUPPORTED_SECURITY_PROTOCOL',
          `listener.security.protocol.map: no security protocol for listener ${l.name} (add ${l.name}:PLAINTEXT, ${l.name}:SSL, ${l.name}:SASL_PLAINTEXT or ${l.name}:SASL_SSL)`,
        );
      const adv = advertised.get(l.name);
      const listener: ListenerOptions = {
        name: l.name,
        host: l.host === '' ? '0.0.0.0' : l.host,
        port: l.port,
        securityProtocol,
      };
      if (adv) {
        if (adv.host !== '') listener.advertisedHost = adv.host;
        listener.advertisedPort = adv.port;
      }
      const lookup = listenerLookup(props, l.name, consumed);
      if (isTls(securityProtocol)) listener.ssl = sslOptions(lookup);
      if (isSasl(securityProtocol)) listener.sasl = saslOptions(props, l.name, lookup, consumed);
      return listener;
    });
  } else if (advertisedValue !== undefined) {
    // No listeners: the default PLAINTEXT one; advertise the first address given for it.
    const adv = parseListenerList('advertised.listeners', advertisedValue).filter(
      (a) => !controllerNames.has(a.name),
    );
    if (adv.length > 0) {
      if (adv[0].host !== '') options.advertisedHost = adv[0].host;
      options.advertisedPort = adv[0].port;
    }
  }

  authorizerAndSessionOptions(take, options, warnings);
  markLeftovers(props, consumed, warnings);
  return { options, consumed, warnings };
}

/** The authorizer, super users and the session settings (re-authentication, authentication timeout). */
function authorizerAndSessionOptions(
  take: (key: string) => string | undefined,
  options: SecurityPropertiesResult['options'],
  warnings: string[],
): void {
  const authorizerClass = take('authorizer.class.name');
  const superUsers = take('super.users');
  const allowEveryone = take('allow.everyone.if.no.acl.found');
  if (authorizerClass !== undefined && authorizerClass.trim() !== '') {
    if (!AUTHORIZER_CLASSES.includes(authorizerClass.trim()))
      throw new ConfigError(
        'UNSUPPORTED_AUTHORIZER',
        `authorizer.class.name: ${authorizerClass.trim()} is not available here (use ${AUTHORIZER_CLASSES[0]} or ${AUTHORIZER_CLASSES[1]})`,
      );
    const authorizer: AuthorizerOptions = {
      superUsers: superUsers === undefined ? [] : parseSuperUsers(superUsers),
      allowEveryoneIfNoAclFound:
        allowEveryone === undefined
          ? false
          : parseBool('allow.everyone.if.no.acl.found', allowEveryone),
    };
    options.authorizer = authorizer;
  } else if (superUsers !== undefined || allowEveryone !== undefined) {
    warnings.push(
      'super.users / allow.everyone.if.no.acl.found have no effect without authorizer.class.name',
    );
  }

  const reauth = take('connections.max.reauth.ms');
  if (reauth !== undefined)
    options.connectionsMaxReauthMs = parseNonNegative('connections.max.reauth.ms', reauth);
  const authTimeout = take('connections.authentication.timeout.ms');
  if (authTimeout !== undefined)
    options.authenticationTimeoutMs = parseNonNegative(
      'connections.authentication.timeout.ms',
      authTimeout,
    );
}

/** Security keys nobody consumed: known ones are accepted silently or with a warning. */
function markLeftovers(
  props: ReadonlyMap<string, string>,
  consumed: Set<string>,
  warnings: string[],
): void {
  for (const key of props.keys()) {
    if (IGNORED_SECURITY_KEYS.has(key)) consumed.add(key);
    else if (consumed.has(key)) continue;
    else if (key.endsWith('ssl.cipher.suites')) {
      warnings.push(`${key} is ignored: the TLS cipher suites are Node's (OpenSSL) defaults`);
      consumed.add(key);
    } else if (key.startsWith('listener.name.')) {
      warnings.push(`${key} is not used (unknown listener or setting)`);
      consumed.add(key);
    } else if (
      SSL_KEYS.includes(key) ||
      key === 'sasl.enabled.mechanisms' ||
      key === 'sasl.jaas.config'
    ) {
      // Global ssl/sasl settings with no listener that uses them.
      consumed.add(key);
    }
  }
}

/** Kafka reads a listener's setting from `listener.name.<lower-case name>.<key>` first, then `<key>`. */
interface Lookup {
  get(key: string): { value: string; property: string } | undefined;
  listener: string;
}

function listenerLookup(
  props: ReadonlyMap<string, string>,
  listener: string,
  consumed: Set<string>,
): Lookup {
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  return {
    listener,
    get(key) {
      for (const property of [prefix + key, key]) {
        const value = props.get(property);
        if (value !== undefined) {
          consumed.add(property);
          return { value, property };
        }
      }
      return undefined;
    },
  };
}

function readKeyFile(property: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(
      'SSL_KEYSTORE_UNREADABLE',
      `${property}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

function sslOptions(lookup: Lookup): SslOptions {
  const l = lookup.listener;
  const type = lookup.get('ssl.keystore.type');
  const location = lookup.get('ssl.keystore.location');
  const inlineKey = lookup.get('ssl.keystore.key');
  const inlineChain = lookup.get('ssl.keystore.certificate.chain');
  const keyPassword = lookup.get('ssl.key.password');
  const storePassword = lookup.get('ssl.keystore.password');
  const missing = () =>
    new ConfigError(
      'SSL_KEYSTORE_MISSING',
      `listener ${l} uses TLS but has no key: set ssl.keystore.location (or listener.name.${l.toLowerCase()}.ssl.keystore.location) to a PEM file with the private key and certificate chain, or ssl.keystore.key and ssl.keystore.certificate.chain`,
    );

  let keystore: SslOptions['keystore'];
  let origin: string;
  const declared = type?.value.trim().toUpperCase();
  if (declared !== undefined && declared !== 'PEM' && declared !== 'PKCS12')
    throw new ConfigError(
      'UNSUPPORTED_KEYSTORE_TYPE',
      `${type!.property}: ${type!.value} key stores cannot be read here; use PEM or PKCS12 (keytool -importkeystore -deststoretype PKCS12 converts a JKS store)`,
    );
  if (inlineKey || inlineChain) {
    if (!inlineKey || !inlineChain)
      throw new ConfigError(
        'SSL_KEYSTORE_MISSING',
        `${(inlineKey ?? inlineChain)!.property}: ssl.keystore.key and ssl.keystore.certificate.chain go together`,
      );
    if (declared === 'PKCS12')
      throw new ConfigError(
        'UNSUPPORTED_KEYSTORE_TYPE',
        `${type!.property}: inline keys (ssl.keystore.key) need ssl.keystore.type=PEM`,
      );
    origin = inlineKey.property;
    keystore = pemKeystore(
      inlineKey.property,
      inlineKey.value,
      inlineChain.value,
      keyPassword?.value,
    );
  } else if (location) {
    origin = location.property;
    const content = readKeyFile(location.property, location.value);
    const isPem = declared === 'PEM' || (declared === undefined && looksLikePem(content));
    if (isPem) {
      const text = content.toString('utf8');
      keystore = pemKeystore(
        location.property,
        text,
        text,
        keyPassword?.value ?? storePassword?.value,
      );
    } else if (declared === 'PKCS12') {
      keystore = { type: 'PKCS12', pfx: content, password: storePassword?.value };
    } else {
      throw new ConfigError(
        'UNSUPPORTED_KEYSTORE_TYPE',
        `${location.property}: ${location.value} is not PEM; set ssl.keystore.type=PKCS12 for a PKCS#12 file (JKS key stores cannot be read here)`,
      );
    }
  } else {
    throw missing();
  }

  const ssl: SslOptions = { keystore, origin };
  const truststore = truststoreOf(lookup);
  if (truststore !== undefined) ssl.truststore = truststore;
  const clientAuth = lookup.get('ssl.client.auth');
  if (clientAuth) {
    const v = clientAuth.value.trim().toLowerCase();
    if (v !== 'none' && v !== 'requested' && v !== 'required')
      throw new ConfigError(
        'INVALID_CONFIG_VALUE',
        `${clientAuth.property} must be none, requested or required, got "${clientAuth.value}"`,
      );
    ssl.clientAuth = v as SslClientAuth;
    if (v !== 'none' && ssl.truststore === undefined)
      throw new ConfigError(
        'SSL_TRUSTSTORE_MISSING',
        `${clientAuth.property}=${v} needs ssl.truststore.location or ssl.truststore.certificates (the CA that signs client certificates)`,
      );
  }
  const protocols = lookup.get('ssl.enabled.protocols');
  if (protocols) ssl.enabledProtocols = parseTlsProtocols(protocols.property, protocols.value);
  const rules = lookup.get('ssl.principal.mapping.rules');
  if (rules) {
    parsePrincipalMappingRules(rules.property, rules.value);
    ssl.principalMappingRules = rules.value;
  }
  return ssl;
}

function pemKeystore(
  property: string,
  keyText: string,
  chainText: string,
  keyPassword: string | undefined,
): SslOptions['keystore'] {
  const key = pemPrivateKey(keyText);
  if (!key) throw new ConfigError('SSL_KEYSTORE_INVALID', `${property}: no PEM private key found`);
  const certificateChain = pemCertificates(chainText);
  if (!certificateChain)
    throw new ConfigError('SSL_KEYSTORE_INVALID', `${property}: no PEM certificate found`);
  return {
    type: 'PEM',
    key,
    certificateChain,
    ...(keyPassword !== undefined ? { keyPassword } : {}),
  };
}

function truststoreOf(lookup: Lookup): string | undefined {
  const type = lookup.get('ssl.truststore.type');
  if (type && type.value.trim().toUpperCase() !== 'PEM')
    throw new ConfigError(
      'UNSUPPORTED_KEYSTORE_TYPE',
      `${type.property}: only PEM trust stores can be read here, got ${type.value}`,
    );
  const inline = lookup.get('ssl.truststore.certificates');
  const location = lookup.get('ssl.truststore.location');
  const source = inline ?? location;
  if (!source) return undefined;
  const text = inline
    ? inline.value
    : readKeyFile(location!.property, location!.value).toString('utf8');
  const certs = pemCertificates(text);
  if (!certs)
    throw new ConfigError(
      'SSL_TRUSTSTORE_INVALID',
      `${source.property}: no PEM certificate found (only PEM trust stores can be read here)`,
    );
  return certs;
}

function saslOptions(
  props: ReadonlyMap<string, string>,
  listener: string,
  lookup: Lookup,
  consumed: Set<string>,
): SaslListenerOptions {
  const configured = lookup.get('sasl.enabled.mechanisms');
  // Kafka's default is GSSAPI (Kerberos), which this broker cannot serve.
  const raw = configured?.value ?? 'GSSAPI';
  const property = configured?.property ?? 'sasl.enabled.mechanisms';
  const names = raw
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  if (names.length === 0)
    throw new ConfigError(
      'UNSUPPORTED_SASL_MECHANISM',
      `${property} is empty for SASL listener ${listener}`,
    );
  for (const name of names) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(name))
      throw new ConfigError(
        'UNSUPPORTED_SASL_MECHANISM',
        `${property}${configured ? '' : ' (default GSSAPI)'}: SASL mechanism ${name} cannot be served on listener ${listener}; use ${SASL_MECHANISMS.join(', ')}`,
      );
  }
  const enabledMechanisms = [...new Set(names)] as SaslMechanismName[];
  const sasl: SaslListenerOptions = { enabledMechanisms };
  for (const mechanism of enabledMechanisms) {
    const scoped = `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
    const jaasProperty = props.has(scoped)
      ? scoped
      : props.has('sasl.jaas.config')
        ? 'sasl.jaas.config'
        : null;
    if (jaasProperty === null) {
      if (mechanism === 'PLAIN')
        throw new ConfigError(
          'SASL_JAAS_CONFIG_MISSING',
          `listener ${listener} enables PLAIN but ${scoped} is not set (PlainLoginModule required user_<name>="<password>" ...;)`,
        );
      continue;
    }
    consumed.add(jaasProperty);
    const module = parseJaasConfig(jaasProperty, props.get(jaasProperty)!);
    const expected = mechanism === 'PLAIN' ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
    if (module.loginModule !== expected) {
      // The listener-less sasl.jaas.config serves one mechanism; a SCRAM mechanism tolerates a PLAIN one.
      if (jaasProperty === 'sasl.jaas.config' && mechanism !== 'PLAIN') continue;
      throw new ConfigError(
        'INVALID_JAAS_CONFIG',
        `${jaasProperty}: ${mechanism} needs ${expected}, found ${module.loginModule}`,
      );
    }
    if (mechanism === 'PLAIN') {
      sasl.plainUsers = plainUsersOf(module);
      sasl.plainUsersOrigin = jaasProperty;
      if (Object.keys(sasl.plainUsers).length === 0)
        throw new ConfigError(
          'SASL_JAAS_CONFIG_MISSING',
          `${jaasProperty}: PlainLoginModule defines no user_<name>="<password>" entries, so no client could log in with PLAIN`,
        );
    }
  }
  return sasl;
}

const TLS_PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const;

function parseTlsProtocols(property: string, value: string): Array<'TLSv1.2' | 'TLSv1.3'> {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const p of list)
    if (!(TLS_PROTOCOLS as readonly string[]).includes(p))
      throw new ConfigError(
        'INVALID_CONFIG_VALUE',
        `${property}: ${p} is not offered (use TLSv1.2 and/or TLSv1.3)`,
      );
  if (list.length === 0) throw new ConfigError('INVALID_CONFIG_VALUE', `${property} is empty`);
  return list as Array<'TLSv1.2' | 'TLSv1.3'>;
}

export function parseSuperUsers(value: string): string[] {
  return value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((p) => {
      if (!/^[A-Za-z]+:.+$/.test(p))
        throw new ConfigError(
          'INVALID_CONFIG_VALUE',
          `super.users: "${p}" is not a principal (expected User:<name>, separated by ';')`,
        );
      return p;
    });
}

function parseBool(key: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError('INVALID_CONFIG_VALUE', `${key} must be true or false, got "${raw}"`);
}

function parseNonNegative(key: string, raw: string): number {
  const t = raw.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t)))
    throw new ConfigError(
      'INVALID_CONFIG_VALUE',
      `${key} must be a non-negative integer, got "${raw}"`,
    );
  return Number(t);
}
