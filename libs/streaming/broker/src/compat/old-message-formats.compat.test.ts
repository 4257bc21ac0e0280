// Clients of the message formats before RecordBatch v2 (issue #18 point 5): kcat (librdkafka 2.0.2)
// told the broker is 0.9 or 0.10 (no ApiVersions request, Produce/Fetch v1 or v2 with message sets
// of magic 0 or 1), and kafka-python pinned to api_version (0, 9) / (0, 10). The broker up-converts
// what they produce and down-converts what they fetch; a current client reads the same records.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithClient,
  detectKafkaPython,
  detectKcat,
  detectNpmPackage,
} from './client-availability.ts';
import { runCommand, startIsolatedBroker } from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';
import { createTopicWithKafkajs } from './kafkajs-admin.ts';
import { runPythonDriver } from './python-driver.ts';

const kcat = detectKcat();
const kafkajsAvailable = await detectNpmPackage('kafkajs');
const kafkaPython = detectKafkaPython();

/** Old-broker settings for kcat: no ApiVersions request, the protocol of `version`. */
const oldBroker = (version: string) => [
  '-X',
  'api.version.request=false',
  '-X',
  `broker.version.fallback=${version}`,
];

describeWithClient(
  {
    client: 'kcat and kafkajs',
    available: kcat.available && kafkajsAvailable.available,
    reason: [kcat.reason, kafkajsAvailable.reason].filter(Boolean).join('; '),
  },
  'old message formats with kcat (issue #18)',
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('old-formats-kcat');
    });
    afterAll(async () => {
      await env?.close();
    });

    for (const [fallback, codec] of [
      ['0.9.0.1', 'none'],
      ['0.9.0.1', 'gzip'],
      ['0.10.0.0', 'snappy'],
      ['0.10.0.0', 'lz4'],
    ] as const) {
      it(`produces and consumes as a ${fallback} client (${codec})`, async () => {
        const topic = `old-${fallback.replaceAll('.', '-')}-${codec}`;
        await createTopicWithKafkajs(env.bootstrap, topic, 1);
        const lines = Array.from({ length: 50 }, (_, i) => `k${i}:v${i}`);
        const produced = await runCommand(
          'kcat',
          ['-P', '-b', env.bootstrap, '-t', topic, '-K:', '-z', codec, ...oldBroker(fallback)],
          { input: lines.join('\n') + '\n', timeoutMs: 60_000 },
        );
        expect(produced.stderr).toBe('');
        expect(produced.code).toBe(0);
        const format = ['-f', '%o %k=%s\n', '-o', 'beginning', '-e', '-q'];
        const expected = lines.map((l, i) => `${i} ${l.replace(':', '=')}`);
        // The old client reads what it wrote (down-converted), and so does a current one.
        for (const extra of [oldBroker(fallback), []]) {
          const read = await runCommand(
            'kcat',
            ['-C', '-b', env.bootstrap, '-t', topic, ...format, ...extra],
            { timeoutMs: 60_000 },
          );
          expect(read.stdout.trim().split('\n')).toEqual(expected);
        }
      }, 120_000);
    }
  },
);

interface OldRoundTrip {
  producedOffsets: number[];
  records: Array<{ offset: number; key: string; value: string; timestamp: number }>;
}

describeWithClient(kafkaPython, 'old message formats with kafka-python (issue #18)', () => {
  let env: IsolatedBroker;
  beforeAll(async () => {
    env = await startIsolatedBroker('old-formats-kafka-python');
  });
  afterAll(async () => {
    await env?.close();
  });

  for (const [apiVersion, codec] of [
    [[0, 10], 'gzip'],
    [[0, 9], 'none'],
  ] as const) {
    it(`round-trips with api_version=(${apiVersion.join(', ')}) (${codec})`, async () => {
      const topic = `old-kafka-python-${apiVersion.join('-')}`;
      const timestampMs = Date.now();
      const res = await runPythonDriver<OldRoundTrip>(
        'kafka_python_roundtrip.py',
        'old-roundtrip',
        {
          bootstrap: env.bootstrap,
          topic,
          apiVersion,
          compression: codec,
          count: 20,
          timestampMs,
        },
      );
      expect(res.producedOffsets).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(res.records).toEqual(
        Array.from({ length: 20 }, (_, i) => ({
          offset: i,
          key: `k${i}`,
          value: `v${i}`,
          // Message format 0 has no timestamps: kafka-python shows None.
          timestamp: apiVersion[1] === 10 ? timestampMs + i : null,
        })),
      );
    }, 120_000);
  }
});
