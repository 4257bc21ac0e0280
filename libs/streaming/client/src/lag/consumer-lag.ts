import type { Kafka } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset, or null when it has committed nothing yet. */
  committedOffset: number | null;
  logStartOffset: number;
  logEndOffset: number;
  /** Records the group has yet to process. */
  lag: number;
}

/**
 * How far a consumer group is behind, per partition: log end offset minus committed offset (counting
 * from the log start when the group has committed nothing there yet).
 */
export async function consumerGroupLag(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionLag[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const result: PartitionLag[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const groupOffsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const raw = groupOffsets.find((entry) => entry.partition === end.partition)?.offset ?? '-1';
        const committedOffset = Number(raw) >= 0 ? Number(raw) : null;
        const logEndOffset = Number(end.high);
        const logStartOffset = Number(end.low);
        result.push({
          topic,
          partition: end.partition,
          committedOffset,
          logStartOffset,
          logEndOffset,
          lag: logEndOffset - Math.max(committedOffset ?? logStartOffset, logStartOffset),
        });
      }
    }
    return result.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}
