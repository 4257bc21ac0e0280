import type { TopicDefinition } from '@retail-streams/contracts';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { clusterReplicationFactor } from './replication-factor.ts';

export interface ProvisionOptions {
  /** Defaults to what the cluster can hold: 1 on the embedded broker, 3 on the compose cluster. */
  replicationFactor?: number;
  logger: Logger;
}

/**
 * Creates the registry's topics that do not exist yet, with their partition count and cleanup policy.
 * Safe to run from every service at every start: existing topics are left as they are (a partition
 * count that differs is reported, not changed, because changing it would move keys between partitions).
 */
export async function provisionTopics(
  kafka: Kafka,
  definitions: readonly TopicDefinition[],
  options: ProvisionOptions,
): Promise<{ created: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = definitions.filter((definition) => !existing.has(definition.name));
    if (missing.length > 0) {
      const replicationFactor =
        options.replicationFactor ?? (await clusterReplicationFactor(admin));
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((definition) => ({
          topic: definition.name,
          numPartitions: definition.partitions,
          replicationFactor,
          configEntries: Object.entries({
            'cleanup.policy': definition.cleanupPolicy,
            ...definition.configs,
          }).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const present = definitions.filter((definition) => existing.has(definition.name));
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present.map((d) => d.name) });
      for (const topic of metadata.topics) {
        const expected = present.find((d) => d.name === topic.name)?.partitions;
        if (expected !== undefined && topic.partitions.length !== expected) {
          options.logger.warn(
            { topic: topic.name, expected, actual: topic.partitions.length },
            'topic exists with a different partition count; leaving it as it is',
          );
        }
      }
    }
    const created = missing.map((definition) => definition.name);
    if (created.length > 0) options.logger.info({ created }, 'provisioned topics');
    return { created };
  } finally {
    await admin.disconnect();
  }
}
