// kafkajs 2.2.4 against the broker: admin topic creation, keyed produce with
// headers (acks=all, gzip), read back through an independent client (kcat).
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClient, detectKcat, detectNpmPackage } from './client-availability.ts';
import {
  PARTITIONS,
  expectRoundTrip,
  makeRecords,
  readAllWithKcat,
  startIsolatedBroker,
} from './compat-fixture.ts';
import type { ConsumedRecord, IsolatedBroker } from './compat-fixture.ts';
import { GROUP_APIS, missingApis, probeApiVersions } from './broker-api-probe.ts';

const { Kafka, CompressionTypes, logLevel } = kafkajs;

const kafkajsAvailable = await detectNpmPackage('kafkajs');
const kcat = detectKcat();
const available = kafkajsAvailable.available && kcat.available;

describeWithClient(
  {
    client: 'kafkajs (+ kcat to read back)',
    available,
    reason: [kafkajsAvailable.reason, kcat.reason].filter(Boolean).join('; '),
  },
  'kafkajs 2.2.4 compatibility',
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('kafkajs');
    });
    afterAll(async () => {
      await env?.close();
    });

    function client() {
      return new Kafka({
        clientId: 'compat-kafkajs',
        brokers: [env.bootstrap],
        logLevel: logLevel.NOTHING,
      });
    }

    it('creates a 3-partition topic through the admin API and lists it in metadata', async () => {
      const admin = client().admin();
      await admin.connect();
      try {
        expect(
          await admin.createTopics({
            topics: [{ topic: 'kafkajs-gzip', numPartitions: PARTITIONS, replicationFactor: 1 }],
            waitForLeaders: true,
          }),
        ).toBe(true);
        const metadata = await admin.fetchTopicMetadata({ topics: ['kafkajs-gzip'] });
        expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
        expect(await admin.listTopics()).toContain('kafkajs-gzip');
      } finally {
        await admin.disconnect();
      }
    }, 30_000);

    it('produces 1,000 keyed gzip records with headers (acks=all) that read back intact and in order', async () => {
      const produced = makeRecords('kafkajs');
      const producer = client().producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const acked: Array<{ partition: number; baseOffset: string }> = [];
      try {
        for (let i = 0; i < produced.length; i += 100) {
          const metadata = await producer.send({
            topic: 'kafkajs-gzip',
            acks: -1,
            compression: CompressionTypes.GZIP,
            messages: produced.slice(i, i + 100).map((r) => ({
              key: r.key,
              value: r.value,
              headers: Object.fromEntries(r.headers),
            })),
          });
          for (const m of metadata) {
            expect(m.errorCode).toBe(0);
            acked.push({ partition: m.partition, baseOffset: m.baseOffset ?? '' });
          }
        }
      } finally {
        await producer.disconnect();
      }
      expect(new Set(acked.map((a) => a.partition)).size).toBeGreaterThan(1);
      expectRoundTrip(produced, await readAllWithKcat(env.bootstrap, 'kafkajs-gzip'));
    }, 60_000);

    it.skip('snappy, lz4 and zstd: kafkajs 2.2.4 ships only gzip (other codecs are third-party plug-ins)', () =>
      undefined);

    it('consumes 1,000 keyed records back with the kafkajs Consumer (consumer group, fromBeginning)', async (ctx) => {
      const missing = missingApis(
        await probeApiVersions(env.bootstrap),
        GROUP_APIS,
        'consumer groups',
      );
      if (missing) ctx.skip(missing);
      const admin = client().admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: 'kafkajs-group', numPartitions: PARTITIONS }],
        waitForLeaders: true,
      });
      await admin.disconnect();
      const produced = makeRecords('kafkajs');
      const producer = client().producer({ allowAutoTopicCreation: false });
      await producer.connect();
      for (let i = 0; i < produced.length; i += 100) {
        await producer.send({
          topic: 'kafkajs-group',
          acks: -1,
          messages: produced.slice(i, i + 100).map((r) => ({
            key: r.key,
            value: r.value,
            headers: Object.fromEntries(r.headers),
          })),
        });
      }
      await producer.disconnect();

      const consumer = client().consumer({ groupId: 'compat-kafkajs-group' });
      const consumed: ConsumedRecord[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: ['kafkajs-group'], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
          void consumer.run({
            eachMessage: async ({ partition, message }) => {
              consumed.push({
                partition,
                offset: Number(message.offset),
                key: message.key?.toString('utf8') ?? null,
                value: message.value?.toString('utf8') ?? null,
                headers: Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              });
              if (consumed.length >= produced.length) resolve();
            },
          });
        });
      } finally {
        await consumer.disconnect();
      }
      expectRoundTrip(produced, consumed);
    }, 60_000);
  },
);
