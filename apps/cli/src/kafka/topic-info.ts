import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicMetadata, Producer } from 'kafkajs';
import { CliError } from '../errors.ts';
import { kafkaErrorType } from './translate-error.ts';

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
  if (!names.includes(topic)) {
    await refuseIfHiddenByAcl(admin, topic);
    throw new CliError('UNKNOWN_TOPIC', `unknown topic ${topic}`);
  }
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const found = topics.find((t) => t.name === topic);
  if (!found) throw new CliError('UNKNOWN_TOPIC', `unknown topic ${topic}`);
  return found;
}

export async function assertTopicExists(admin: Admin, topic: string): Promise<void> {
  await topicMetadata(admin, topic);
}

export async function topicExists(admin: Admin, topic: string): Promise<boolean> {
  return (await admin.listTopics()).includes(topic);
}

/**
 * A secured broker leaves out of the topic list what the principal may not describe, so "not listed"
 * can mean "not yours". Asked by name (the admin client never auto-creates), it says which: this
 * throws the broker's TOPIC_AUTHORIZATION_FAILED instead of letting the topic pass for missing.
 */
export async function refuseIfHiddenByAcl(admin: Admin, topic: string): Promise<void> {
  try {
    await admin.fetchTopicMetadata({ topics: [topic] });
  } catch (err) {
    if (kafkaErrorType(err) === 'TOPIC_AUTHORIZATION_FAILED') throw err;
  }
}

/**
 * The metadata of a topic a producer is about to write, creating the topic first when it is missing
 * and the broker allows it (auto.create.topics.enable), as Kafka's console producer and Connect's
 * workers do: their first Metadata request for a topic allows auto-creation. `producer` must be
 * connected and made with `allowAutoTopicCreation: true`; an empty send is exactly that request
 * (kafkajs refreshes the topic's metadata, allowing creation, and with no messages produces nothing).
 * `onCreated` is told when the topic did not exist before. Where the broker refuses, the error says
 * how to create the topic.
 */
export async function producerTopic(
  admin: Admin,
  producer: Producer,
  topic: string,
  onCreated?: () => void,
): Promise<ITopicMetadata> {
  if (!(await topicExists(admin, topic))) {
    try {
      await producer.send({ topic, messages: [] });
    } catch (err) {
      const type = kafkaErrorType(err);
      if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
        throw new CliError(
          'UNKNOWN_TOPIC',
          `unknown topic ${topic}, and the broker does not create topics on first use ` +
            `(auto.create.topics.enable=false): create it first with ` +
            `kafka-topics --create --topic ${topic}`,
        );
      }
      throw err;
    }
    onCreated?.();
  }
  return topicMetadata(admin, topic);
}

export interface WaitForTopicOptions {
  signal?: AbortSignal;
  /** Give up after this long (ms); resolves false then. */
  timeoutMs?: number;
  pollMs?: number;
  /** Called once if the topic is not there at the first look. */
  onWaiting?: () => void;
}

/**
 * Waits until `topic` exists, as a reader of a topic that nobody has written yet must: Kafka's console
 * consumer keeps polling too. Resolves true once it exists, false when stopped or timed out first.
 */
export async function waitForTopic(
  admin: Admin,
  topic: string,
  options: WaitForTopicOptions = {},
): Promise<boolean> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let told = false;
  while (!(await topicExists(admin, topic))) {
    if (!told) await refuseIfHiddenByAcl(admin, topic);
    if (!told) options.onWaiting?.();
    told = true;
    const left = deadline - Date.now();
    if (options.signal?.aborted || left <= 0) return false;
    await sleep(Math.min(options.pollMs ?? 250, left), undefined, {
      signal: options.signal,
    }).catch(() => undefined);
  }
  return true;
}

export async function partitionOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const rows = await admin.fetchTopicOffsets(topic);
  return rows
    .map((r) => ({ partition: r.partition, low: BigInt(r.low), high: BigInt(r.high) }))
    .sort((a, b) => a.partition - b.partition);
}
