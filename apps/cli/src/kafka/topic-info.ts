import type { Admin, ITopicMetadata } from 'kafkajs';
import { CliError } from '../errors.ts';

export interface PartitionOffsets {
  partition: number;
  /** Log start offset (earliest still stored). */
  low: bigint;
  /** Log end offset (high watermark): the offset the next record will get. */
  high: bigint;
}

/** Metadata of one topic, or UNKNOWN_TOPIC. Asking by name would auto-create it on some brokers. */
export async function topicMetadata(admin: Admin, topic: string): Promise<ITopicMetadata> {
  const names = await admin.listTopics();
  if (!names.includes(topic)) throw new CliError('UNKNOWN_TOPIC', `unknown topic ${topic}`);
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const found = topics.find((t) => t.name === topic);
  if (!found) throw new CliError('UNKNOWN_TOPIC', `unknown topic ${topic}`);
  return found;
}

export async function assertTopicExists(admin: Admin, topic: string): Promise<void> {
  await topicMetadata(admin, topic);
}

export async function partitionOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const rows = await admin.fetchTopicOffsets(topic);
  return rows
    .map((r) => ({ partition: r.partition, low: BigInt(r.low), high: BigInt(r.high) }))
    .sort((a, b) => a.partition - b.partition);
}
