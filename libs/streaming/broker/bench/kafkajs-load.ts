// Load generation with kafkajs, the most used Node client: it runs in the
// bench process itself, so its figures include its own (considerable) CPU cost.
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export function kafkajsClient(bootstrap: string, clientId: string) {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export async function createTopic(
  bootstrap: string,
  topic: string,
  partitions: number,
): Promise<void> {
  const admin = kafkajsClient(bootstrap, 'bench-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces `size`-byte records in 1,000-record batches (acks=all, up to 4 in
 * flight) for `seconds`, or until `maxRecords`; returns what was acknowledged.
 */
export async function kafkajsProduceFor(
  bootstrap: string,
  topic: string,
  size: number,
  seconds: number,
  maxRecords: number,
): Promise<{ records: number; seconds: number }> {
  const producer = kafkajsClient(bootstrap, 'bench-kafkajs').producer({
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const value = Buffer.alloc(size, 'k');
  const messages = Array.from({ length: 1_000 }, () => ({ value }));
  let acked = 0;
  let sent = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const inFlight = new Set<Promise<void>>();
  while (performance.now() < deadline && sent < maxRecords) {
    sent += messages.length;
    const p: Promise<void> = producer
      .send({ topic, acks: -1, messages })
      .then(() => {
        acked += messages.length;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return { records: acked, seconds: elapsed };
}

/**
 * Consumes with the kafkajs Consumer, which always joins a consumer group.
 * Returns null when the group cannot be joined or nothing arrives within
 * `timeoutMs` (consumer groups not working).
 */
export async function kafkajsConsumeAll(
  bootstrap: string,
  topic: string,
  expected: number,
  timeoutMs: number,
): Promise<{ records: number; seconds: number } | null> {
  const consumer = kafkajsClient(bootstrap, 'bench-kafkajs-consumer').consumer({
    groupId: `bench-${topic}-${Date.now()}`,
    retry: { retries: 0 },
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let count = 0;
    // The clock starts when the group is joined, so the join is not counted as consume time.
    let joinedAt = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joinedAt = performance.now();
    });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachBatch: async ({ batch }) => {
          count += batch.messages.length;
          if (count >= expected) resolve();
        },
      });
    });
    const timedOut = await Promise.race([
      done.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs)),
    ]);
    if (joinedAt === 0 || (timedOut && count === 0)) return null;
    return { records: count, seconds: (performance.now() - joinedAt) / 1000 };
  } catch {
    return null;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
