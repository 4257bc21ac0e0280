import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';

/** Sentinel values begin with this: what `readCommittedToSentinels` writes to find the end. */
const SENTINEL = 'end-of-read:';

/**
 * Every record of `topic` a read_committed reader sees, up to the end: a plain (non-transactional)
 * sentinel is written to each partition first, and the read stops once all are seen. The sentinels
 * become visible only when every transaction before them has ended (the last stable offset), so the
 * records read are all the committed ones, and nothing aborted. Sentinels (of this read and of
 * earlier ones) are left out of the answer.
 */
export async function readCommittedToSentinels(
  bootstrap: string,
  topic: string,
  /** read_uncommitted sees aborted records too: for a test that they are in the log at all. */
  isolation: 'read_committed' | 'read_uncommitted' = 'read_committed',
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: 'committed-reader',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
  await admin.disconnect();
  const sentinel = `${SENTINEL}${Math.random().toString(36).slice(2)}`;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: partitions.map((partition) => ({ partition, key: null, value: sentinel })),
  });
  await producer.disconnect();

  const consumer = kafka.consumer({
    groupId: `committed-reader-${Math.random().toString(36).slice(2)}`,
    readUncommitted: isolation === 'read_uncommitted',
  });
  const messages: KafkaMessage[] = [];
  const ended = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `read_committed reader saw ${ended.size}/${partitions.length} sentinels of ${topic}`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const value = message.value?.toString() ?? '';
          if (!value.startsWith(SENTINEL)) messages.push(message);
          else if (value === sentinel) ended.add(partition);
          if (ended.size === partitions.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}
