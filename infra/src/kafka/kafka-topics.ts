import type { TopicDefinition } from '@retail-streams/contracts';
import { replicationFactorFor } from '@retail-streams/streaming-client';
import type { KafkaCluster } from './kafka-cluster.ts';

/**
 * Kafka's validators for the topic-level configs the registry sets (LogConfig / TopicConfig). Kafka
 * refuses a CreateTopics request naming a config it does not know, so a name missing here is an error
 * too: add the rule Kafka applies when a topic starts using a new config.
 */
const TOPIC_CONFIGS: Readonly<Record<string, (value: string) => string | undefined>> = {
  'cleanup.policy': (v) =>
    v
      .split(',')
      .map((p) => p.trim())
      .every((p) => p === 'delete' || p === 'compact')
      ? undefined
      : 'must be delete, compact or both',
  'min.cleanable.dirty.ratio': (v) =>
    isNumber(v) && Number(v) >= 0 && Number(v) <= 1 ? undefined : 'must be between 0 and 1',
  'segment.ms': (v) => (isLong(v) && Number(v) >= 1 ? undefined : 'must be at least 1'),
  'retention.ms': (v) => (isLong(v) && Number(v) >= -1 ? undefined : 'must be at least -1'),
  'retention.bytes': (v) => (isLong(v) ? undefined : 'must be a whole number'),
  'min.insync.replicas': (v) => (isLong(v) && Number(v) >= 1 ? undefined : 'must be at least 1'),
};

/**
 * Whether the topics the services provision at start fit the cluster: with auto-create off they are
 * the only topics there will be, each created with the replication factor the client library picks
 * for this many brokers (as its dead-letter topics are), and with fewer in-sync replicas required than
 * copies so that producers with acks=all go on while a broker is down.
 */
export function topicProblems(cluster: KafkaCluster, topics: readonly TopicDefinition[]): string[] {
  const problems: string[] = [];
  const replicas = replicationFactorFor(cluster.brokerCount);
  for (const node of cluster.nodes) {
    if (node.config.autoCreateTopics)
      problems.push(
        `${node.service}: auto.create.topics.enable is on: a mistyped topic name would be created with ${node.config.int('num.partitions')} partition(s) instead of failing; turn it off (the services provision their topics)`,
      );
  }
  for (const topic of topics) {
    const name = `topic ${topic.name}`;
    const nameProblem = topicNameProblem(topic.name);
    if (nameProblem) problems.push(`${name}: ${nameProblem}`);
    if (!Number.isInteger(topic.partitions) || topic.partitions < 1)
      problems.push(`${name}: partitions=${topic.partitions}; Kafka needs a whole number >= 1`);
    const configs: Record<string, string> = {
      'cleanup.policy': topic.cleanupPolicy,
      ...topic.configs,
    };
    for (const [config, value] of Object.entries(configs)) {
      const validate = TOPIC_CONFIGS[config];
      const invalid = validate
        ? validate(value)
        : 'is not a topic config this check knows (Kafka refuses unknown ones)';
      if (invalid) problems.push(`${name}: ${config}=${value} ${invalid}`);
    }
    if (replicas > cluster.brokerCount)
      problems.push(
        `${name}: replication factor ${replicas} exceeds the ${cluster.brokerCount} broker(s)`,
      );
    for (const node of cluster.nodes) {
      const minInsync = Number(
        configs['min.insync.replicas'] ?? node.config.int('min.insync.replicas'),
      );
      if (minInsync >= replicas)
        problems.push(
          `${name}: ${replicas} replica(s) with min.insync.replicas=${minInsync} (on ${node.service}): acks=all writes fail as soon as one broker is down`,
        );
    }
  }
  return problems;
}

/** Kafka's Topic.validate: 1 to 249 characters of [a-zA-Z0-9._-], and not "." or "..". */
function topicNameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'is not a legal topic name';
  if (name.length > 249) return 'is longer than the 249 characters Kafka allows';
  if (!/^[a-zA-Z0-9._-]+$/.test(name))
    return 'may only contain ASCII letters, digits, ".", "_" and "-"';
  return undefined;
}

const isNumber = (v: string) => v.trim() !== '' && Number.isFinite(Number(v));
const isLong = (v: string) => /^-?\d+$/.test(v.trim());
