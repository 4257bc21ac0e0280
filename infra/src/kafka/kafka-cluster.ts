import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComposeFile } from '../compose-file.ts';
import { environmentOf, repoRoot } from '../compose-file.ts';
import { imageStart } from './image-properties.ts';
import { readKafkaConfig } from './kafka-config.ts';
import type { Endpoint, KafkaNodeConfig } from './kafka-config.ts';
import {
  enabledMechanisms,
  parseScramUsers,
  protocolMapOf,
  securityProblems,
} from './kafka-security.ts';
import { kafkaUuidProblem } from './kafka-uuid.ts';

export interface KafkaNode {
  /** The compose service, which is also the host name other containers reach it by. */
  service: string;
  clusterId: string | undefined;
  config: KafkaNodeConfig;
  /** The server.properties Kafka starts with. */
  properties: ReadonlyMap<string, string>;
  /** listener.security.protocol.map. */
  protocols: ReadonlyMap<string, string>;
  /** The SASL mechanisms a listener serves. */
  enabledMechanisms(listener: string): string[];
  /** The SCRAM users the storage is formatted with (name -> password), when it is. */
  scramUsers: ReadonlyMap<string, string> | undefined;
}

export interface KafkaCluster {
  nodes: KafkaNode[];
  /** Nodes with the broker role: the most copies a partition can have. */
  brokerCount: number;
  problems: string[];
}

/**
 * The services that run a Kafka node from Apache Kafka's image: its own start, or a command of ours
 * that ends in the image's launch step. One-shot jobs on the same image (certificates, ACLs) are not
 * nodes.
 */
export function kafkaServices(compose: ComposeFile): string[] {
  return Object.entries(compose.services)
    .filter(([, service]) => service.image?.startsWith('apache/kafka'))
    .filter(([name]) => launchesKafka(compose, name))
    .map(([name]) => name);
}

/** Whether the node's start command formats its storage with `--add-scram` users (SCRAM_USERS). */
function formatsScramUsers(compose: ComposeFile, service: string): boolean {
  const command = compose.services[service]?.command;
  const script = command && mountedScript(compose, service, command[0] ?? '');
  return (
    script !== undefined && /kafka-storage\.sh format/.test(script) && /--add-scram/.test(script)
  );
}

function launchesKafka(compose: ComposeFile, service: string): boolean {
  const command = compose.services[service]?.command;
  if (command === undefined) return true;
  const script = mountedScript(compose, service, command[0] ?? '');
  return script !== undefined && /^exec \/etc\/kafka\/docker\/launch$/m.test(script);
}

/** The repository file a container path is bind-mounted from, read; undefined when it is not one. */
export function mountedScript(
  compose: ComposeFile,
  service: string,
  containerPath: string,
): string | undefined {
  for (const volume of compose.services[service]?.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (target === containerPath && source?.startsWith('./')) {
      const file = join(repoRoot, source);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    }
  }
  return undefined;
}

/**
 * Reads every Kafka container of the compose file the way its image and Kafka would, and checks what
 * only the cluster as a whole can get wrong: one valid cluster id, distinct node ids, one quorum whose
 * voters are the controllers at their controller listeners, names other containers can resolve, and
 * replication settings the broker count can satisfy.
 */
export function readKafkaCluster(compose: ComposeFile): KafkaCluster {
  const problems: string[] = [];
  const nodes: KafkaNode[] = [];
  for (const service of kafkaServices(compose)) {
    const start = imageStart(environmentOf(compose, service));
    const { config, problems: configProblems } = readKafkaConfig(start.properties);
    problems.push(...[...start.problems, ...configProblems].map((p) => `${service}: ${p}`));
    if (start.clusterId !== undefined) {
      const invalid = kafkaUuidProblem(start.clusterId);
      if (invalid)
        problems.push(
          `${service}: kafka-storage format refuses CLUSTER_ID: Cluster ID string ${start.clusterId} does not appear to be a valid UUID: ${invalid} (make one with \`kafka-storage random-uuid\`)`,
        );
    }
    const environment = environmentOf(compose, service);
    const security = {
      service,
      properties: start.properties,
      config,
      environment,
      scramUsers: formatsScramUsers(compose, service)
        ? parseScramUsers(environment['SCRAM_USERS'])
        : undefined,
    };
    problems.push(...securityProblems(security));
    nodes.push({
      service,
      clusterId: start.clusterId,
      config,
      properties: start.properties,
      protocols: protocolMapOf(start.properties),
      enabledMechanisms: (listener) => enabledMechanisms(security, listener),
      scramUsers: security.scramUsers,
    });
  }
  if (nodes.length === 0) problems.push('no service runs the apache/kafka image');

  const clusterIds = new Set(nodes.map((n) => n.clusterId));
  if (clusterIds.size > 1)
    problems.push(
      `the nodes are formatted with different cluster ids (${[...clusterIds].join(', ')}): they can never join one cluster`,
    );
  const byId = new Map<number, KafkaNode>();
  for (const node of nodes) {
    const twin = byId.get(node.config.nodeId);
    if (twin)
      problems.push(`${twin.service} and ${node.service} both have node.id ${node.config.nodeId}`);
    byId.set(node.config.nodeId, node);
  }
  problems.push(...quorumProblems(nodes, byId), ...resolvableProblems(compose, nodes));

  const brokerCount = nodes.filter((n) => n.config.roles.includes('broker')).length;
  for (const node of nodes) problems.push(...replicationProblems(node, brokerCount));
  return { nodes, brokerCount, problems };
}

/** Every node must name the same voters, and each voter must be a controller at its controller port. */
function quorumProblems(nodes: KafkaNode[], byId: Map<number, KafkaNode>): string[] {
  const problems: string[] = [];
  const votersOf = (node: KafkaNode) =>
    node.config.voters.map((v) => `${v.id}@${v.host}:${v.port}`).join(',');
  const first = nodes[0];
  for (const node of nodes.slice(1))
    if (first && votersOf(node) !== votersOf(first))
      problems.push(
        `${node.service}: controller.quorum.voters=${votersOf(node)} differs from ${first.service}'s ${votersOf(first)}: the nodes would not agree on the quorum`,
      );
  for (const voter of first?.config.voters ?? []) {
    const node = byId.get(voter.id);
    if (!node || !node.config.roles.includes('controller')) {
      problems.push(
        `controller.quorum.voters names node ${voter.id}, but no controller has that node.id`,
      );
      continue;
    }
    const listener = controllerListener(node.config);
    if (voter.host !== node.service || voter.port !== listener?.port)
      problems.push(
        `controller.quorum.voters has ${voter.id}@${voter.host}:${voter.port}, but node ${voter.id} is ${node.service} with its controller listener on port ${listener?.port ?? '(none)'}: expected ${voter.id}@${node.service}:${listener?.port ?? '?'}`,
      );
  }
  return problems;
}

/** The listener a controller serves the quorum on: the first controller.listener.names entry bound. */
export function controllerListener(config: KafkaNodeConfig): Endpoint | undefined {
  for (const name of config.controllerListenerNames) {
    const listener = config.listeners.find((l) => l.name === name);
    if (listener) return listener;
  }
  return undefined;
}

/**
 * The inter-broker listener is advertised to the other brokers, so its host must be a name they
 * resolve on the compose network: the node's own service name.
 */
function resolvableProblems(compose: ComposeFile, nodes: KafkaNode[]): string[] {
  const problems: string[] = [];
  for (const node of nodes) {
    const interBroker = node.config.advertised.find(
      (l) => l.name === node.config.interBrokerListenerName,
    );
    if (interBroker && !resolvesTo(compose, interBroker.host, node.service))
      problems.push(
        `${node.service}: the inter-broker listener ${interBroker.name} is advertised as ${interBroker.host}:${interBroker.port}, which the other brokers cannot reach; advertise ${node.service}:${interBroker.port}`,
      );
  }
  return problems;
}

/** Whether `host`, looked up from another container of the compose network, reaches `service`. */
export function resolvesTo(compose: ComposeFile, host: string, service: string): boolean {
  return host === service || compose.services[service]?.hostname === host;
}

/**
 * Replication settings a cluster of `brokerCount` brokers can satisfy: no more copies than brokers,
 * and fewer in-sync replicas required than copies, so that writes with acks=all go on while one
 * broker is down (a rolling restart, a crash).
 */
function replicationProblems(node: KafkaNode, brokerCount: number): string[] {
  const problems: string[] = [];
  const int = node.config.int;
  for (const [setting, consequence] of [
    ['default.replication.factor', 'topics created without a replication factor would fail'],
    [
      'offsets.topic.replication.factor',
      '__consumer_offsets cannot be created, so no consumer group ever gets a coordinator',
    ],
    [
      'transaction.state.log.replication.factor',
      '__transaction_state cannot be created, so no transactional producer can start',
    ],
  ] as const) {
    if (int(setting) > brokerCount)
      problems.push(
        `${node.service}: ${setting}=${int(setting)} but the cluster has ${brokerCount} broker(s): ${consequence}`,
      );
  }
  for (const [isr, factor] of [
    ['min.insync.replicas', 'default.replication.factor'],
    ['transaction.state.log.min.isr', 'transaction.state.log.replication.factor'],
  ] as const) {
    if (int(isr) >= int(factor))
      problems.push(
        `${node.service}: ${isr}=${int(isr)} must be less than ${factor}=${int(factor)}, or acks=all writes stop as soon as one replica is down`,
      );
  }
  return problems;
}
