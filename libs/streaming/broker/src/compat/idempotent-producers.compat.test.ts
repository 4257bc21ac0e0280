// Idempotent producers of kafkajs 2.2.4 and @platformatic/kafka against the broker
// (InitProducerId, sequence numbers on every batch), read back with kcat. The
// librdkafka clients are covered in kcat.compat and confluent-kafka.compat.
import { Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';
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
import type { IsolatedBroker } from './compat-fixture.ts';
import { createTopicWithKafkajs } from './kafkajs-admin.ts';

const { Kafka, CompressionTypes, logLevel } = kafkajs;

const kafkajsAvailable = await detectNpmPackage('kafkajs');
const platformatic = await detectNpmPackage('@platformatic/kafka');
const kcat = detectKcat();
const all = [kafkajsAvailable, platformatic, kcat];

describeWithClient(
  {
    client: 'kafkajs + @platformatic/kafka (+ kcat to read back)',
    available: all.every((a) => a.available),
    reason: all
      .map((a) => a.reason)
      .filter(Boolean)
      .join('; '),
  },
  'idempotent producers (kafkajs, @platformatic/kafka)',
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('idempotent');
    });
    afterAll(async () => {
      await env?.close();
    });

    function kafka() {
      return new Kafka({
        clientId: 'compat-idempotent',
        brokers: [env.bootstrap],
        logLevel: logLevel.NOTHING,
      });
    }

    it('kafkajs idempotent: true produces 1,000 keyed records exactly once and in order', async () => {
      const topic = 'kafkajs-idempotent';
      await createTopicWithKafkajs(env.bootstrap, topic, PARTITIONS);
      const produced = makeRecords('kafkajs-idem');
      const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        for (let i = 0; i < produced.length; i += 100) {
          const metadata = await producer.send({
            topic,
            compression: CompressionTypes.GZIP,
            messages: produced.slice(i, i + 100).map((r) => ({
              key: r.key,
              value: r.value,
              headers: Object.fromEntries(r.headers),
            })),
          });
          for (const m of metadata) expect(m.errorCode).toBe(0);
        }
      } finally {
        await producer.disconnect();
      }
      expectRoundTrip(produced, await readAllWithKcat(env.bootstrap, topic));
    }, 60_000);

    it('@platformatic/kafka idempotent: true produces 1,000 keyed records exactly once and in order', async () => {
      const topic = 'platformatic-idempotent';
      await createTopicWithKafkajs(env.bootstrap, topic, PARTITIONS);
      const produced = makeRecords('platformatic-idem');
      const producer = new Producer({
        clientId: 'compat-platformatic-idempotent',
        bootstrapBrokers: [env.bootstrap],
        serializers: stringSerializers,
        idempotent: true,
        acks: ProduceAcks.ALL,
        compression: 'zstd',
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
      expectRoundTrip(produced, await readAllWithKcat(env.bootstrap, topic));
      // Every stored batch carries the producer id the broker granted.
      const log = env.broker.logs.partition(topic, 0)!;
      const first = log.read(0, 1 << 20, true);
      expect(first.readBigInt64BE(43)).toBeGreaterThanOrEqual(0n);
    }, 60_000);
  },
);
