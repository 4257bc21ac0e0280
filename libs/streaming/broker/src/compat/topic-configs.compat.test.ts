// Topic and broker configs with the clients whose own test suites found them refused or missing
// (issue #18 points 2 and 3): kafkajs's produce and createTopics specs, librdkafka's
// 0092_mixed_msgver (through python3-confluent-kafka).
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithClient,
  detectConfluentKafka,
  detectNpmPackage,
} from './client-availability.ts';
import { startIsolatedBroker } from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';
import { runPythonDriver } from './python-driver.ts';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
const kafkajsAvailable = await detectNpmPackage('kafkajs');
const confluent = detectConfluentKafka();

/** librdkafka's ConfigSource numbering, as confluent-kafka reports it. */
const SOURCE_TOPIC = 1;
const SOURCE_DEFAULT = 5;

describeWithClient(kafkajsAvailable, 'topic and broker configs with kafkajs (issue #18)', () => {
  let env: IsolatedBroker;
  let kafka: kafkajs.Kafka;
  beforeAll(async () => {
    env = await startIsolatedBroker('configs-kafkajs');
    kafka = new Kafka({
      clientId: 'configs',
      brokers: [env.bootstrap],
      logLevel: logLevel.NOTHING,
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('creates a topic with message.timestamp.difference.max.ms and produce enforces it', async () => {
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    try {
      await admin.createTopics({
        topics: [
          {
            topic: 'configs-clocked',
            configEntries: [{ name: 'message.timestamp.difference.max.ms', value: '60000' }],
          },
        ],
      });
      const send = (timestamp: number) =>
        producer.send({
          topic: 'configs-clocked',
          messages: [{ value: 'x', timestamp: String(timestamp) }],
        });
      await expect(send(Date.now())).resolves.toEqual([expect.objectContaining({ errorCode: 0 })]);
      await expect(send(Date.now() - 2 * 3_600_000)).rejects.toMatchObject({
        type: 'INVALID_TIMESTAMP',
      });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'configs-clocked' }],
      });
      const byName = new Map(resources[0].configEntries.map((e) => [e.configName, e]));
      expect(byName.get('message.timestamp.difference.max.ms')).toMatchObject({
        configValue: '60000',
        isDefault: false,
      });
      for (const name of [
        'file.delete.delay.ms',
        'preallocate',
        'unclean.leader.election.enable',
        'segment.jitter.ms',
      ])
        expect(byName.has(name), name).toBe(true);
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
  }, 60_000);

  it("reads the broker's default.replication.factor, as kafkajs's createTopics spec does", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.BROKER,
            name: String(env.broker.nodeId),
            configNames: ['default.replication.factor'],
          },
        ],
      });
      expect(resources[0].configEntries).toEqual([
        expect.objectContaining({ configName: 'default.replication.factor', configValue: '1' }),
      ]);
    } finally {
      await admin.disconnect();
    }
  }, 60_000);
});

interface AlterReport {
  error: string | null;
  configs: Record<string, { value: string | null; source: number }>;
}

describeWithClient(
  confluent,
  `topic configs with python3-confluent-kafka (${confluent.version ?? ''})`,
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('configs-confluent');
    });
    afterAll(async () => {
      await env?.close();
    });

    it('alters message.format.version as librdkafka 0092_mixed_msgver does, and refuses a malformed one', async () => {
      await runPythonDriver('confluent_roundtrip.py', 'create-topic', {
        bootstrap: env.bootstrap,
        topic: 'configs-msgver',
        partitions: 1,
      });
      const altered = await runPythonDriver<AlterReport>(
        'confluent_roundtrip.py',
        'alter-topic-configs',
        {
          bootstrap: env.bootstrap,
          topic: 'configs-msgver',
          configs: { 'message.format.version': '0.10.0.0' },
        },
      );
      expect(altered.error).toBeNull();
      expect(altered.configs['message.format.version']).toEqual({
        value: '0.10.0.0',
        source: SOURCE_TOPIC,
      });
      expect(altered.configs['preallocate']).toEqual({ value: 'false', source: SOURCE_DEFAULT });

      const refused = await runPythonDriver<AlterReport>(
        'confluent_roundtrip.py',
        'alter-topic-configs',
        {
          bootstrap: env.bootstrap,
          topic: 'configs-msgver',
          configs: { 'message.format.version': 'banana' },
        },
      );
      expect(refused.error).toMatch(/message\.format\.version/);
      // Nothing lost: the earlier value is still there.
      expect(refused.configs['message.format.version'].value).toBe('0.10.0.0');
    }, 120_000);
  },
);
