// kafka-python 2.0.2 against the broker, driven by
// python/kafka_python_roundtrip.py: KafkaAdminClient topic creation, keyed
// produce with headers (acks=all), group-less read (assign + seek_to_beginning).
// Its snappy/lz4/zstd support needs optional python libraries: detected, and
// skipped with the reason when missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClient, detectKafkaPython } from './client-availability.ts';
import {
  CODECS,
  PARTITIONS,
  expectRoundTrip,
  makeRecords,
  startIsolatedBroker,
  writeTempJson,
} from './compat-fixture.ts';
import type { Codec, ConsumedRecord, IsolatedBroker } from './compat-fixture.ts';
import { runPythonDriver } from './python-driver.ts';

const kafkaPython = detectKafkaPython();

const CODEC_LIBRARY: Record<Codec, string> = {
  gzip: 'built in',
  snappy: 'apt-get install -y python3-snappy',
  lz4: 'apt-get install -y python3-lz4',
  zstd: 'apt-get install -y python3-zstandard',
};

const codecSupport: Record<string, boolean> = kafkaPython.available
  ? await runPythonDriver<Record<string, boolean>>('kafka_python_roundtrip.py', 'codecs', {})
  : {};

interface ProduceReport {
  acked: Array<{ seq: number; partition: number; offset: number }>;
  errors: Array<{ seq: number; error: string }>;
}
interface ConsumeReport {
  records: ConsumedRecord[];
  endOffsets: Record<string, number>;
}

describeWithClient(kafkaPython, `kafka-python compatibility (${kafkaPython.version ?? ''})`, () => {
  let env: IsolatedBroker;
  let tmp: string;
  beforeAll(async () => {
    env = await startIsolatedBroker('kafka-python');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-kafka-python-data-'));
  });
  afterAll(async () => {
    await env?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('creates a 3-partition topic through KafkaAdminClient.create_topics', async () => {
    const res = await runPythonDriver<{ partitions: number }>(
      'kafka_python_roundtrip.py',
      'create-topic',
      {
        bootstrap: env.bootstrap,
        topic: 'kafka-python-gzip',
        partitions: PARTITIONS,
      },
    );
    expect(res.partitions).toBe(PARTITIONS);
  }, 60_000);

  for (const codec of CODECS) {
    const supported = codecSupport[codec] === true;
    it.skipIf(!supported)(
      `produces 1,000 keyed ${codec} records with headers (acks=all) and consumes them back with assign()${supported ? '' : ` [skipped: kafka-python lacks the ${codec} library: ${CODEC_LIBRARY[codec]}]`}`,
      async () => {
        const topic = `kafka-python-${codec}`;
        if (codec !== 'gzip') {
          await runPythonDriver('kafka_python_roundtrip.py', 'create-topic', {
            bootstrap: env.bootstrap,
            topic,
            partitions: PARTITIONS,
          });
        }
        const produced = makeRecords('kafka-python');
        const recordsFile = writeTempJson(tmp, `${codec}.json`, produced);
        const report = await runPythonDriver<ProduceReport>(
          'kafka_python_roundtrip.py',
          'produce',
          {
            bootstrap: env.bootstrap,
            topic,
            recordsFile,
            compression: codec,
          },
        );
        expect(report.errors).toEqual([]);
        expect(report.acked).toHaveLength(produced.length);

        const consumed = await runPythonDriver<ConsumeReport>(
          'kafka_python_roundtrip.py',
          'consume',
          {
            bootstrap: env.bootstrap,
            topic,
            partitions: PARTITIONS,
            timeoutSeconds: 30,
          },
        );
        const total = Object.values(consumed.endOffsets).reduce((a, b) => a + b, 0);
        expect(total).toBe(produced.length);
        expectRoundTrip(produced, consumed.records);
        const where = new Map(consumed.records.map((r) => [`${r.partition}/${r.offset}`, r.value]));
        for (const ack of report.acked) {
          expect(where.get(`${ack.partition}/${ack.offset}`)).toBe(produced[ack.seq].value);
        }
      },
      90_000,
    );
  }
});
