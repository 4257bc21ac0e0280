// Load generation with @platformatic/kafka, the fastest pure-JavaScript client:
// produce from the bench process, consume with its group-less fetch API.
import { Consumer, Producer, ProduceAcks } from '@platformatic/kafka';

/**
 * Produces `size`-byte records in 1,000-record sends (acks=all, up to 4 in
 * flight) for `seconds`; returns what was acknowledged.
 */
export async function platformaticProduceFor(
  bootstrap: string,
  topic: string,
  size: number,
  seconds: number,
): Promise<{ records: number; seconds: number }> {
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: [bootstrap],
    acks: ProduceAcks.ALL,
  });
  const value = Buffer.alloc(size, 'p');
  let acked = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const inFlight = new Set<Promise<void>>();
  let partition = 0;
  try {
    while (performance.now() < deadline) {
      // Explicit partitions: null-key records would all go to one partition otherwise.
      const messages = Array.from({ length: 1_000 }, () => ({
        topic,
        value,
        partition: partition++ % 3,
      }));
      const p: Promise<void> = producer
        .send({ messages })
        .then(() => {
          acked += messages.length;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.close();
  }
  return { records: acked, seconds: (performance.now() - t0) / 1000 };
}

/** Reads every partition from offset 0 to its high watermark with Consumer.fetch (no group). */
export async function platformaticFetchAll(
  bootstrap: string,
  topic: string,
): Promise<{ records: number; seconds: number }> {
  const consumer = new Consumer({
    clientId: 'bench-platformatic-fetch',
    groupId: 'bench-unused-group',
    bootstrapBrokers: [bootstrap],
  });
  try {
    // fetch() maps topic ids through the metadata of tracked topics only.
    consumer.topics.track(topic);
    const metadata = await consumer.metadata({ topics: [topic] });
    const meta = metadata.topics.get(topic);
    if (!meta) throw new Error(`no metadata for ${topic}`);
    const nodeId = [...metadata.brokers.keys()][0];
    const t0 = performance.now();
    let records = 0;
    const next = Array.from({ length: meta.partitionsCount }, () => 0n);
    const done = new Set<number>();
    while (done.size < meta.partitionsCount) {
      const res = await consumer.fetch({
        node: nodeId,
        maxWaitTime: 10,
        maxBytes: 50 * 1024 * 1024,
        topics: [
          {
            topicId: meta.id,
            partitions: next
              .map((offset, partition) => ({ offset, partition }))
              .filter(({ partition }) => !done.has(partition))
              .map(({ offset, partition }) => ({
                partition,
                fetchOffset: offset,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 1024 * 1024,
              })),
          },
        ],
      });
      for (const part of res.responses.flatMap((t) => t.partitions)) {
        if (part.errorCode !== 0) throw new Error(`fetch error ${part.errorCode}`);
        for (const batch of part.records ?? []) {
          for (const record of batch.records) {
            const offset = batch.firstOffset + BigInt(record.offsetDelta);
            if (offset < next[part.partitionIndex]) continue;
            records++;
            next[part.partitionIndex] = offset + 1n;
          }
        }
        if (next[part.partitionIndex] >= part.highWatermark) done.add(part.partitionIndex);
      }
    }
    return { records, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await consumer.close();
  }
}
