// @platformatic/kafka against the broker: admin topic creation, keyed produce
// with headers (acks=all) in all four codecs, read back with the client's own
// group-less fetch API, and cross-checked with kcat.
import {
  Admin,
  Consumer,
  MessagesStreamModes,
  Producer,
  ProduceAcks,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClient, detectKcat, detectNpmPackage } from './client-availability.ts';
import {
  CODECS,
  PARTITIONS,
  RECORD_COUNT,
  expectRoundTrip,
  makeRecords,
  readAllWithKcat,
  startIsolatedBroker,
} from './compat-fixture.ts';
import type { ConsumedRecord, IsolatedBroker } from './compat-fixture.ts';
import { GROUP_APIS, missingApis, probeApiVersions } from './broker-api-probe.ts';

const platformatic = await detectNpmPackage('@platformatic/kafka');
const kcat = detectKcat();

/**
 * Reads every partition from offset 0 to the high watermark with
 * Consumer.fetch (no group: consume() would join one).
 */
async function fetchAll(
  bootstrap: string,
  topic: string,
  nodeId: number,
): Promise<ConsumedRecord[]> {
  const consumer = new Consumer({
    clientId: 'compat-platformatic-fetch',
    groupId: 'compat-unused-group',
    bootstrapBrokers: [bootstrap],
    retries: 2,
  });
  try {
    // fetch() resolves topic ids against the metadata of tracked topics only (Fetch <= 12
    // addresses topics by name, so the id must map back to it).
    consumer.topics.track(topic);
    const metadata = await consumer.metadata({ topics: [topic] });
    const topicMeta = metadata.topics.get(topic);
    if (!topicMeta) throw new Error(`metadata has no topic ${topic}`);
    const out: ConsumedRecord[] = [];
    for (let partition = 0; partition < topicMeta.partitionsCount; partition++) {
      let next = 0n;
      for (let round = 0; round < 1_000; round++) {
        const res = await consumer.fetch({
          node: nodeId,
          maxWaitTime: 50,
          topics: [
            {
              topicId: topicMeta.id,
              partitions: [
                {
                  partition,
                  fetchOffset: next,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 256 * 1024,
                },
              ],
            },
          ],
        });
        const part = res.responses
          .flatMap((t) => t.partitions)
          .find((p) => p.partitionIndex === partition);
        if (!part) throw new Error(`fetch response without partition ${partition}`);
        if (part.errorCode !== 0)
          throw new Error(`fetch partition ${partition} error ${part.errorCode}`);
        for (const batch of part.records ?? []) {
          for (const record of batch.records) {
            const offset = batch.firstOffset + BigInt(record.offsetDelta);
            if (offset < next) continue; // a fetch inside a batch returns the whole batch
            out.push({
              partition,
              offset: Number(offset),
              key: record.key?.toString('utf8') ?? null,
              value: record.value?.toString('utf8') ?? null,
              headers: record.headers.map(([k, v]) => [
                k?.toString('utf8') ?? '',
                v?.toString('utf8') ?? '',
              ]),
            });
            next = offset + 1n;
          }
        }
        if (next >= part.highWatermark) break;
      }
    }
    return out;
  } finally {
    await consumer.close();
  }
}

describeWithClient(
  {
    client: '@platformatic/kafka (+ kcat cross-check)',
    available: platformatic.available && kcat.available,
    reason: [platformatic.reason, kcat.reason].filter(Boolean).join('; '),
  },
  '@platformatic/kafka compatibility',
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('platformatic');
    });
    afterAll(async () => {
      await env?.close();
    });

    it('creates 3-partition topics through the admin API', async () => {
      const admin = new Admin({
        clientId: 'compat-platformatic-admin',
        bootstrapBrokers: [env.bootstrap],
      });
      try {
        const created = await admin.createTopics({
          topics: CODECS.map((codec) => `platformatic-${codec}`),
          partitions: PARTITIONS,
          replicas: 1,
        });
        expect(created.map((t) => t.partitions).sort()).toEqual(CODECS.map(() => PARTITIONS));
        const topics = await admin.listTopics();
        for (const codec of CODECS) expect(topics).toContain(`platformatic-${codec}`);
      } finally {
        await admin.close();
      }
    }, 30_000);

    for (const codec of CODECS) {
      it(`produces 1,000 keyed ${codec} records with headers (acks=all) and fetches them back intact and in order`, async () => {
        const topic = `platformatic-${codec}`;
        const produced = makeRecords('platformatic');
        const producer = new Producer({
          clientId: 'compat-platformatic-producer',
          bootstrapBrokers: [env.bootstrap],
          serializers: stringSerializers,
          acks: ProduceAcks.ALL,
          compression: codec,
        });
        try {
          for (let i = 0; i < produced.length; i += 100) {
            const result = await producer.send({
              messages: produced.slice(i, i + 100).map((r) => ({
                topic,
                key: r.key,
                value: r.value,
                headers: new Map(r.headers),
              })),
            });
            expect(result.offsets?.length).toBeGreaterThan(0);
          }
        } finally {
          await producer.close();
        }
        expectRoundTrip(produced, await fetchAll(env.bootstrap, topic, env.broker.nodeId));
        // Independent path: librdkafka decodes the same batches.
        expectRoundTrip(produced, await readAllWithKcat(env.bootstrap, topic));
      }, 60_000);
    }

    it('consumes 1,000 keyed records back with Consumer.consume() (consumer group, earliest)', async (ctx) => {
      const missing = missingApis(
        await probeApiVersions(env.bootstrap),
        GROUP_APIS,
        'consumer groups',
      );
      if (missing) ctx.skip(missing);
      const consumer = new Consumer({
        clientId: 'compat-platformatic-group',
        groupId: 'compat-platformatic-group',
        bootstrapBrokers: [env.bootstrap],
        deserializers: stringDeserializers,
      });
      const consumed: ConsumedRecord[] = [];
      try {
        const stream = await consumer.consume({
          topics: ['platformatic-gzip'],
          mode: MessagesStreamModes.EARLIEST,
          autocommit: false,
        });
        for await (const message of stream) {
          consumed.push({
            partition: message.partition,
            offset: Number(message.offset),
            key: message.key ?? null,
            value: message.value ?? null,
            headers: [...message.headers.entries()],
          });
          if (consumed.length >= RECORD_COUNT) break;
        }
        await stream.close();
      } finally {
        await consumer.close(true);
      }
      // The gzip test above produced these records.
      expectRoundTrip(makeRecords('platformatic'), consumed);
    }, 60_000);
  },
);
