import { allTopics } from '@retail-streams/contracts';
import type { TopicDefinition } from '@retail-streams/contracts';
import { describe, expect, it } from 'vitest';
import { readComposeFile } from '../compose-file.ts';
import type { ComposeFile } from '../compose-file.ts';
import { readKafkaCluster } from './kafka-cluster.ts';
import { topicProblems } from './kafka-topics.ts';

const compose = readComposeFile();
const cluster = readKafkaCluster(compose);

function withKafkaEnv(changes: Record<string, string>): ComposeFile {
  const copy = structuredClone(compose);
  for (const broker of ['kafka-1', 'kafka-2', 'kafka-3'])
    copy.services[broker] = {
      ...copy.services[broker],
      environment: { ...copy.services[broker]?.environment, ...changes },
    };
  return copy;
}

const stockLevel = allTopics.find((t) => t.name === 'inventory.stock-level') as TopicDefinition;

describe('the topics the services provision, on the compose cluster', () => {
  it('fit: 3 replicas on 3 brokers, 2 in sync required, auto-create off, configs Kafka accepts', () => {
    expect(allTopics.length).toBeGreaterThan(0);
    expect(topicProblems(cluster, allTopics)).toEqual([]);
  });

  it('refuse auto-create, which would turn a mistyped topic into a new one-partition topic', () => {
    const problems = topicProblems(
      readKafkaCluster(withKafkaEnv({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true' })),
      allTopics,
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^kafka-1: auto.create.topics.enable is on/);
  });

  it('refuse a cluster where acks=all stops with one broker down', () => {
    const problems = topicProblems(
      readKafkaCluster(withKafkaEnv({ KAFKA_MIN_INSYNC_REPLICAS: '3' })),
      [stockLevel],
    );
    expect(problems).toContain(
      'topic inventory.stock-level: 3 replica(s) with min.insync.replicas=3 (on kafka-1): acks=all writes fail as soon as one broker is down',
    );
  });

  it('refuse a topic whose own min.insync.replicas needs every replica', () => {
    const strict = { ...stockLevel, configs: { 'min.insync.replicas': '3' } };
    expect(topicProblems(cluster, [strict])).toHaveLength(3);
  });

  it('refuse topic configs Kafka would reject, and names it cannot hold', () => {
    const broken = {
      ...stockLevel,
      name: 'inventory/stock level',
      partitions: 0,
      configs: { 'min.cleanable.dirty.ratio': '1.5', 'retention.hours': '24' },
    };
    expect(topicProblems(cluster, [broken])).toEqual([
      'topic inventory/stock level: may only contain ASCII letters, digits, ".", "_" and "-"',
      'topic inventory/stock level: partitions=0; Kafka needs a whole number >= 1',
      'topic inventory/stock level: min.cleanable.dirty.ratio=1.5 must be between 0 and 1',
      'topic inventory/stock level: retention.hours=24 is not a topic config this check knows (Kafka refuses unknown ones)',
    ]);
  });
});
