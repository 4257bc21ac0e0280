import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { E2eError } from './e2e-error.ts';

/** Sentinel values begin with this: how `readToEnd` finds the end of a topic. */
const SENTINEL = 'e2e-end-of-read:';

/**
 * Every record of `topic` a kafkajs consumer with `readUncommitted: false` (read_committed) sees, up
 * to the end. To know where the end is, a plain record (a sentinel) is written to each partition
 * first and the read stops when all are seen: read_committed delivers them only once every
 * transaction before them has ended, so what was read is everything committed, and nothing aborted.
 * Sentinels (this read's and earlier reads') are left out of the answer.
 */
export async function readCommittedToEnd(
  bootstrap: string,
  topic: string,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: 'e2e-reader',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect())).map(
    (offsets) => offsets.partition,
  );
  const sentinel = `${SENTINEL}${Math.random().toString(36).slice(2)}`;
  const producer = kafka.producer();
  await producer.connect();
  await producer
    .send({ topic, messages: partitions.map((partition) => ({ partition, value: sentinel })) })
    .finally(() => producer.disconnect());

  const ended = new Set<number>();
  return readCommitted(bootstrap, topic, `${partitions.length} sentinels`, timeoutMs, (message) => {
    const value = message.value?.toString() ?? '';
    if (value === sentinel) ended.add(message.partition);
    return {
      keep: !value.startsWith(SENTINEL),
      done: ended.size === partitions.length,
    };
  });
}

/**
 * Reads `topic` from the beginning with read_committed until `look` says done; returns the records
 * it kept. For input topics, where no sentinel may be written (their consumers would dead-letter it).
 */
export async function readCommitted(
  bootstrap: string,
  topic: string,
  what: string,
  timeoutMs: number,
  look: (message: KafkaMessage & { partition: number }) => { keep: boolean; done: boolean },
): Promise<KafkaMessage[]> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: 'e2e-reader',
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `e2e-reader-${Math.random().toString(36).slice(2)}`,
    readUncommitted: false,
  });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new E2eError(
              'WAIT_TIMEOUT',
              `read_committed of ${topic}: no ${what} in ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const { keep, done } = look({ ...message, partition });
          if (keep) messages.push(message);
          if (done) {
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
