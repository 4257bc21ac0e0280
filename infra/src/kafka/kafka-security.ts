/**
 * The security checks Kafka 3.9 and the apache/kafka image apply when a node with SASL or SSL
 * listeners starts, and the ones a cluster only fails later at run time (the brokers cannot log in
 * to each other, a super user is missing): over the properties the image renders for one node, and
 * the SCRAM users its start command formats the storage with.
 */
import type { KafkaNodeConfig } from './kafka-config.ts';

export interface SecurityInput {
  service: string;
  /** The server.properties Kafka starts with (imageStart). */
  properties: ReadonlyMap<string, string>;
  config: KafkaNodeConfig;
  /** The container's environment (KAFKA_OPTS may name a static JAAS file). */
  environment: Readonly<Record<string, string>>;
  /** name -> password of the users `kafka-storage format --add-scram` creates; undefined: none. */
  scramUsers: ReadonlyMap<string, string> | undefined;
}

const SASL = new Set(['SASL_PLAINTEXT', 'SASL_SSL']);
const TLS = new Set(['SSL', 'SASL_SSL']);
const LOGIN_MODULES: Readonly<Record<string, string>> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};
const KRAFT_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

/** Every reason this node would not start, or would start and not work, for security. */
export function securityProblems(input: SecurityInput): string[] {
  const problems: string[] = [];
  const { config } = input;
  const protocols = protocolMapOf(input.properties);
  for (const listener of config.listeners) {
    const protocol = protocols.get(listener.name);
    if (protocol && SASL.has(protocol))
      problems.push(...saslListenerProblems(input, listener.name));
    if (protocol && TLS.has(protocol)) problems.push(...tlsListenerProblems(input, listener.name));
  }
  const interBroker = config.interBrokerListenerName;
  if (SASL.has(protocols.get(interBroker) ?? ''))
    problems.push(
      ...clientLoginProblems(input, interBroker, 'sasl.mechanism.inter.broker.protocol'),
    );
  for (const name of config.controllerListenerNames)
    if (SASL.has(protocols.get(name) ?? ''))
      problems.push(...clientLoginProblems(input, name, 'sasl.mechanism.controller.protocol'));
  problems.push(...authorizerProblems(input, protocols));
  return problems.map((problem) => `${input.service}: ${problem}`);
}

export function protocolMapOf(properties: ReadonlyMap<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of (properties.get('listener.security.protocol.map') ?? '').split(',')) {
    const [name, protocol] = entry.split(':').map((part) => part.trim().toUpperCase());
    if (name && protocol) map.set(name, protocol);
  }
  return map;
}

/** A listener-prefixed property (`listener.name.<l>.<key>`), else the global one. */
function listenerProperty(input: SecurityInput, listener: string, key: string): string | undefined {
  return (
    input.properties.get(`listener.name.${listener.toLowerCase()}.${key}`) ??
    input.properties.get(key)
  );
}

export function enabledMechanisms(input: SecurityInput, listener: string): string[] {
  return (listenerProperty(input, listener, 'sasl.enabled.mechanisms') ?? 'GSSAPI')
    .split(',')
    .map((m) => m.trim().toUpperCase())
    .filter((m) => m !== '');
}

/** The JAAS config a broker uses for one listener and mechanism (KIP-86: listener-prefixed only). */
function jaasOf(input: SecurityInput, listener: string, mechanism: string): string | undefined {
  return input.properties.get(
    `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`,
  );
}

function jaasOption(jaas: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\s)${key}\\s*=\\s*"([^"]*)"`).exec(jaas)?.[1];
}

function saslListenerProblems(input: SecurityInput, listener: string): string[] {
  const problems: string[] = [];
  const staticJaas = /java\.security\.auth\.login\.config/.test(
    input.environment['KAFKA_OPTS'] ?? '',
  );
  for (const mechanism of enabledMechanisms(input, listener)) {
    const module = LOGIN_MODULES[mechanism];
    if (!module) {
      problems.push(
        `listener ${listener} enables ${mechanism}, which needs Kerberos or an OAuth handler this file does not configure (sasl.enabled.mechanisms defaults to GSSAPI)`,
      );
      continue;
    }
    const jaas = jaasOf(input, listener, mechanism);
    if (jaas === undefined) {
      if (!staticJaas)
        problems.push(
          `Could not find a 'KafkaServer' or '${listener.toLowerCase()}.KafkaServer' entry in the JAAS configuration: set listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`,
        );
    } else if (!jaas.trim().startsWith(module)) {
      problems.push(
        `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config must use ${module} for ${mechanism}`,
      );
    }
  }
  return problems;
}

function tlsListenerProblems(input: SecurityInput, listener: string): string[] {
  const location = listenerProperty(input, listener, 'ssl.keystore.location');
  const type = (listenerProperty(input, listener, 'ssl.keystore.type') ?? 'JKS').toUpperCase();
  if (location === undefined && !listenerProperty(input, listener, 'ssl.keystore.key'))
    return [`listener ${listener} speaks TLS but has no key store (ssl.keystore.location)`];
  if (type !== 'PEM' && listenerProperty(input, listener, 'ssl.keystore.password') === undefined)
    return [`listener ${listener}: a ${type} key store needs ssl.keystore.password`];
  return [];
}

/**
 * How a node logs in as a client on the inter-broker or controller listener: the mechanism must be
 * enabled there (KafkaConfig's check), the JAAS config must name a user and password, and that user
 * must exist where the server side looks: the PLAIN JAAS users, or the SCRAM users of the format.
 */
function clientLoginProblems(input: SecurityInput, listener: string, property: string): string[] {
  const mechanism = (input.properties.get(property) ?? 'GSSAPI').toUpperCase();
  const enabled = enabledMechanisms(input, listener);
  if (!enabled.includes(mechanism))
    return [
      `${property}=${mechanism} must be included in sasl.enabled.mechanisms of listener ${listener} (${enabled.join(',')})`,
    ];
  const isController = property === 'sasl.mechanism.controller.protocol';
  if (isController && mechanism.startsWith('SCRAM'))
    return [
      `the controller quorum cannot log in with ${mechanism}: SCRAM credentials live in the metadata the quorum itself serves; use PLAIN (or SSL) on ${listener}`,
    ];
  const jaas = jaasOf(input, listener, mechanism) ?? '';
  const user = jaasOption(jaas, 'username');
  const password = jaasOption(jaas, 'password');
  if (!user || !password)
    return [
      `listener ${listener}: the node logs in there as a client (${property}), so its ${mechanism} JAAS config needs username="..." password="..."`,
    ];
  if (mechanism === 'PLAIN' && jaasOption(jaas, `user_${user}`) !== password)
    return [
      `listener ${listener}: PLAIN user ${user} is not among the user_${user}="..." entries with the password the node logs in with`,
    ];
  if (mechanism.startsWith('SCRAM') && input.scramUsers?.get(user) !== password)
    return [
      `listener ${listener}: the node logs in as SCRAM user ${user}, which kafka-storage format --add-scram does not create with that password (SCRAM_USERS): the brokers could not log in to each other`,
    ];
  return [];
}

function authorizerProblems(input: SecurityInput, protocols: Map<string, string>): string[] {
  const authorizer = input.properties.get('authorizer.class.name');
  if (!authorizer) return [];
  if (authorizer !== KRAFT_AUTHORIZER)
    return [
      `authorizer.class.name=${authorizer} needs ZooKeeper; a KRaft node uses ${KRAFT_AUTHORIZER}`,
    ];
  const superUsers = (input.properties.get('super.users') ?? '').split(';').map((u) => u.trim());
  const problems: string[] = [];
  const internal = [
    [input.config.interBrokerListenerName, 'sasl.mechanism.inter.broker.protocol'],
    ...input.config.controllerListenerNames.map((name) => [
      name,
      'sasl.mechanism.controller.protocol',
    ]),
  ] as const;
  for (const [listener, property] of internal) {
    const protocol = protocols.get(listener) ?? '';
    const mechanism = (input.properties.get(property) ?? 'GSSAPI').toUpperCase();
    const user = SASL.has(protocol)
      ? jaasOption(jaasOf(input, listener, mechanism) ?? '', 'username')
      : protocol === 'PLAINTEXT'
        ? 'ANONYMOUS'
        : undefined;
    if (user && !superUsers.includes(`User:${user}`))
      problems.push(
        `super.users lacks User:${user}, the principal the nodes use on ${listener}: with ACLs on, they could not ${listener === input.config.interBrokerListenerName ? 'replicate' : 'register with the controllers'} (CLUSTER_ACTION denied)`,
      );
  }
  return problems;
}

/** `name:password,...` as start-with-scram.sh reads SCRAM_USERS. */
export function parseScramUsers(value: string | undefined): Map<string, string> | undefined {
  if (value === undefined) return undefined;
  const users = new Map<string, string>();
  for (const entry of value.split(',')) {
    const at = entry.indexOf(':');
    if (at > 0) users.set(entry.slice(0, at).trim(), entry.slice(at + 1));
  }
  return users;
}
