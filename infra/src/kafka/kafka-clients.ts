import type { ComposeFile } from '../compose-file.ts';
import { environmentOf } from '../compose-file.ts';
import type { KafkaCluster } from './kafka-cluster.ts';
import { resolvesTo } from './kafka-cluster.ts';

/**
 * Whether each service's KAFKA_BROKERS reaches the cluster and stays reachable. A client bootstraps
 * from one of the addresses, then reconnects to whatever the broker advertises for the listener it
 * came in on: so each address must be a broker's service at a broker (not controller) listener's
 * port, and that listener must be advertised under a name the service can resolve.
 */
export function kafkaClientProblems(compose: ComposeFile, cluster: KafkaCluster): string[] {
  const problems: string[] = [];
  for (const service of Object.keys(compose.services)) {
    const environment = environmentOf(compose, service);
    // A service's own connection, and the dashboard's (analytics) when it has one.
    for (const prefix of ['', 'DASHBOARD_']) {
      const brokers = environment[`${prefix}KAFKA_BROKERS`];
      if (brokers === undefined) continue;
      for (const address of brokers.split(',').map((a) => a.trim())) {
        const problem =
          addressProblem(compose, cluster, address) ??
          loginProblem(compose, service, cluster, address, prefix);
        if (problem) problems.push(`${service}: ${prefix}KAFKA_BROKERS has ${address}, ${problem}`);
      }
    }
  }
  return problems;
}

/**
 * Whether the client can log in on the listener it reaches: the protocol it speaks is the
 * listener's, its SASL mechanism is enabled there, its SCRAM user is one the storage was formatted
 * with (same password), and over TLS it has a CA file from a mounted volume to check the brokers by.
 */
function loginProblem(
  compose: ComposeFile,
  service: string,
  cluster: KafkaCluster,
  address: string,
  prefix: string,
): string | undefined {
  const env = environmentOf(compose, service);
  const [host, port] = address.split(':');
  const node = cluster.nodes.find((n) => resolvesTo(compose, host ?? '', n.service));
  const listener = node?.config.listeners.find((l) => l.port === Number(port));
  if (!node || !listener) return undefined;
  const protocol = node.protocols.get(listener.name) ?? 'PLAINTEXT';
  const speaks = env[`${prefix}KAFKA_SECURITY_PROTOCOL`] ?? 'PLAINTEXT';
  if (speaks !== protocol)
    return `whose listener ${listener.name} speaks ${protocol}, but ${prefix}KAFKA_SECURITY_PROTOCOL is ${speaks}`;
  if (protocol.startsWith('SASL_')) {
    const mechanism = env[`${prefix}KAFKA_SASL_MECHANISM`] ?? '';
    if (!node.enabledMechanisms(listener.name).includes(mechanism))
      return `whose listener ${listener.name} does not enable ${prefix}KAFKA_SASL_MECHANISM=${mechanism || '(unset)'}`;
    const user = env[`${prefix}KAFKA_SASL_USERNAME`] ?? '';
    if (
      mechanism.startsWith('SCRAM') &&
      node.scramUsers?.get(user) !== env[`${prefix}KAFKA_SASL_PASSWORD`]
    )
      return `but ${user || '(no user)'} is not a SCRAM user the brokers were formatted with (SCRAM_USERS), with that password: the login would fail`;
  }
  if (protocol.endsWith('SSL')) {
    const ca = env[`${prefix}KAFKA_SSL_CA_LOCATION`];
    const mounted = (compose.services[service]?.volumes ?? []).some((volume) => {
      const target = volume.split(':')[1];
      return target !== undefined && ca?.startsWith(`${target}/`);
    });
    if (!ca || !mounted)
      return `over TLS, but ${prefix}KAFKA_SSL_CA_LOCATION (${ca ?? 'unset'}) is not a file of a volume the service mounts: it could not check the brokers' certificate`;
  }
  return undefined;
}

function addressProblem(
  compose: ComposeFile,
  cluster: KafkaCluster,
  address: string,
): string | undefined {
  const match = /^([^:]+):(\d+)$/.exec(address);
  if (!match?.[1] || !match[2]) return 'which is not host:port';
  const [host, port] = [match[1], Number(match[2])];
  const node = cluster.nodes.find((n) => resolvesTo(compose, host, n.service));
  if (!node)
    return `but ${host} is not a Kafka node of this file (${cluster.nodes.map((n) => n.service).join(', ')})`;
  const listener = node.config.listeners.find((l) => l.port === port);
  if (!listener)
    return `but ${node.service} listens on ${node.config.listeners.map((l) => `${l.name}:${l.port}`).join(', ')}`;
  if (node.config.controllerListenerNames.includes(listener.name))
    return `which is ${node.service}'s controller listener: clients are served on broker listeners only`;
  const advertised = node.config.advertised.find((l) => l.name === listener.name);
  if (!advertised)
    return `but ${node.service} does not advertise its ${listener.name} listener, so a client that bootstraps there is given no broker to use`;
  if (!resolvesTo(compose, advertised.host, node.service))
    return `but ${node.service} advertises that listener (${listener.name}) as ${advertised.host}:${advertised.port}, which the service cannot reach from its container; use a listener advertised as ${node.service}:<port>`;
  return undefined;
}
