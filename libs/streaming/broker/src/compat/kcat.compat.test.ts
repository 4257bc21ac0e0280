// kcat (librdkafka 2.0.2) against the broker: metadata, keyed produce with
// headers (acks=all) in every codec librdkafka was built with, and a
// group-less read of each partition. kcat has no admin API: kafkajs creates
// the topics.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithClient,
  detectKcat,
  detectNpmPackage,
  kcatBuiltinFeatures,
} from './client-availability.ts';
import {
  CODECS,
  PARTITIONS,
  expectRoundTrip,
  makeRecords,
  readAllWithKcat,
  runCommand,
  startIsolatedBroker,
} from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';
import { API_KEYS, missingApis, probeApiVersions } from './broker-api-probe.ts';
import { createTopicWithKafkajs } from './kafkajs-admin.ts';

const kcat = detectKcat();
const kafkajsAvailable = await detectNpmPackage('kafkajs');
const features = kcat.available ? kcatBuiltinFeatures() : [];

interface KcatMetadata {
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
}

describeWithClient(
  {
    client: 'kcat',
    available: kcat.available && kafkajsAvailable.available,
    reason: [kcat.reason, kafkajsAvailable.reason].filter(Boolean).join('; '),
  },
  `kcat compatibility (${kcat.version ?? 'kcat'})`,
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('kcat');
      for (const codec of CODECS)
        await createTopicWithKafkajs(env.bootstrap, `kcat-${codec}`, PARTITIONS);
    }, 30_000);
    afterAll(async () => {
      await env?.close();
    });

    it('lists the broker and the 3 partitions of each topic, led by the broker itself (-L)', async () => {
      const res = await runCommand('kcat', ['-L', '-J', '-b', env.bootstrap, '-t', 'kcat-gzip']);
      expect(res.code, res.stderr).toBe(0);
      const metadata = JSON.parse(res.stdout) as KcatMetadata;
      expect(metadata.brokers.map((b) => b.id)).toEqual([env.broker.nodeId]);
      expect(metadata.brokers[0].name).toBe(env.bootstrap);
      const topic = metadata.topics.find((t) => t.topic === 'kcat-gzip');
      expect(topic?.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
      expect(topic?.partitions.every((p) => p.leader === env.broker.nodeId)).toBe(true);
    }, 30_000);

    for (const codec of CODECS) {
      const supported = features.includes(codec);
      it.skipIf(!supported)(
        `produces 1,000 keyed ${codec} records with headers (acks=all) that read back intact and in order${supported ? '' : ` [skipped: librdkafka built without ${codec}]`}`,
        async () => {
          const topic = `kcat-${codec}`;
          // kcat -H sets the same headers on every record of a run.
          const produced = makeRecords('kcat', { perRecordHeaders: false });
          const input = produced.map((r) => `${r.key}\t${r.value}`).join('\n') + '\n';
          const headerArgs = produced[0].headers.flatMap(([k, v]) => ['-H', `${k}=${v}`]);
          const res = await runCommand(
            'kcat',
            [
              '-P',
              '-b',
              env.bootstrap,
              '-t',
              topic,
              '-K',
              '\t',
              '-z',
              codec,
              '-X',
              'acks=all',
              '-X',
              'linger.ms=5',
              ...headerArgs,
            ],
            { input },
          );
          expect(res.code, res.stderr).toBe(0);
          expect(res.stderr).not.toMatch(/fail|error/i);
          expectRoundTrip(produced, await readAllWithKcat(env.bootstrap, topic));
        },
        60_000,
      );
    }

    it('starts a read from an offset inside a batch exactly at that offset (-o N)', async () => {
      await createTopicWithKafkajs(env.bootstrap, 'kcat-offsets', 1);
      const input = Array.from({ length: 100 }, (_, i) => `v${i}`).join('\n') + '\n';
      // One kcat run with a linger: the 100 records land in one or a few batches.
      const produced = await runCommand(
        'kcat',
        ['-P', '-b', env.bootstrap, '-t', 'kcat-offsets', '-p', '0', '-X', 'linger.ms=50'],
        { input },
      );
      expect(produced.code, produced.stderr).toBe(0);
      const res = await runCommand('kcat', [
        '-C',
        '-b',
        env.bootstrap,
        '-t',
        'kcat-offsets',
        '-p',
        '0',
        '-o',
        '37',
        '-c',
        '3',
        '-e',
        '-f',
        '%o:%s\n',
      ]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout.trim().split('\n')).toEqual(['37:v37', '38:v38', '39:v39']);
    }, 30_000);

    it('answers offset-for-timestamp queries (-Q, ListOffsets by time)', async () => {
      await createTopicWithKafkajs(env.bootstrap, 'kcat-times', 1);
      const produce = (from: number) =>
        runCommand('kcat', ['-P', '-b', env.bootstrap, '-t', 'kcat-times', '-p', '0'], {
          input: Array.from({ length: 50 }, (_, i) => `v${from + i}`).join('\n') + '\n',
        });
      expect((await produce(0)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 20));
      const between = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      expect((await produce(50)).code).toBe(0);
      const query = async (ts: number) => {
        const res = await runCommand('kcat', [
          '-Q',
          '-b',
          env.bootstrap,
          '-t',
          `kcat-times:0:${ts}`,
        ]);
        expect(res.code, res.stderr).toBe(0);
        return Number(/offset (-?\d+)/.exec(res.stdout)?.[1]);
      };
      expect(await query(1)).toBe(0);
      expect(await query(between)).toBe(50);
      expect(await query(between + 3_600_000)).toBe(-1);
    }, 30_000);

    it('produces with the idempotent producer (InitProducerId, sequence numbers) and reads back', async (ctx) => {
      const missing = missingApis(
        await probeApiVersions(env.bootstrap),
        [API_KEYS.INIT_PRODUCER_ID],
        'the idempotent producer',
      );
      if (missing) ctx.skip(missing);
      await createTopicWithKafkajs(env.bootstrap, 'kcat-idempotent', PARTITIONS);
      const produced = makeRecords('kcat', { perRecordHeaders: false });
      const input = produced.map((r) => `${r.key}\t${r.value}`).join('\n') + '\n';
      const headerArgs = produced[0].headers.flatMap(([k, v]) => ['-H', `${k}=${v}`]);
      const res = await runCommand(
        'kcat',
        [
          '-P',
          '-b',
          env.bootstrap,
          '-t',
          'kcat-idempotent',
          '-K',
          '\t',
          '-X',
          'enable.idempotence=true',
          ...headerArgs,
        ],
        { input },
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).not.toMatch(/fail|error/i);
      expectRoundTrip(produced, await readAllWithKcat(env.bootstrap, 'kcat-idempotent'));
    }, 60_000);
  },
);
