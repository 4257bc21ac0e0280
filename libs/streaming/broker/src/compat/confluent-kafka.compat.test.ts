// python3-confluent-kafka (librdkafka 2.0.2) against the broker, driven by
// python/confluent_roundtrip.py: AdminClient topic creation, keyed produce with
// headers (acks=all) in every codec, and a group-less read (assign()).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithClient,
  detectConfluentKafka,
  kcatBuiltinFeatures,
} from './client-availability.ts';
import {
  CODECS,
  PARTITIONS,
  expectRoundTrip,
  makeRecords,
  startIsolatedBroker,
  writeTempJson,
} from './compat-fixture.ts';
import type { ConsumedRecord, IsolatedBroker } from './compat-fixture.ts';
import { API_KEYS, missingApis, probeApiVersions } from './broker-api-probe.ts';
import { runPythonDriver } from './python-driver.ts';

const confluent = detectConfluentKafka();

interface ProduceReport {
  acked: Array<{ seq: number; partition: number; offset: number }>;
  errors: Array<{ seq: number; error: string }>;
  notDelivered: number;
}
interface ConsumeReport {
  records: ConsumedRecord[];
  errors: string[];
  partitionsAtEnd: number[];
}

describeWithClient(
  confluent,
  `python3-confluent-kafka compatibility (${confluent.version ?? ''})`,
  () => {
    let env: IsolatedBroker;
    let tmp: string;
    beforeAll(async () => {
      env = await startIsolatedBroker('confluent');
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-confluent-data-'));
    });
    afterAll(async () => {
      await env?.close();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('creates a 3-partition topic through AdminClient.create_topics', async () => {
      const res = await runPythonDriver<{ partitions: number; error: string | null }>(
        'confluent_roundtrip.py',
        'create-topic',
        { bootstrap: env.bootstrap, topic: 'confluent-gzip', partitions: PARTITIONS },
      );
      expect(res).toEqual({ partitions: PARTITIONS, error: null });
    }, 60_000);

    // confluent-kafka links the same librdkafka build as kcat (Debian libs).
    const features = kcatBuiltinFeatures();
    for (const codec of CODECS) {
      const supported = features.length === 0 || features.includes(codec);
      it.skipIf(!supported)(
        `produces 1,000 keyed ${codec} records with headers (acks=all) and consumes them back with assign()`,
        async () => {
          const topic = `confluent-${codec}`;
          if (codec !== 'gzip') {
            await runPythonDriver('confluent_roundtrip.py', 'create-topic', {
              bootstrap: env.bootstrap,
              topic,
              partitions: PARTITIONS,
            });
          }
          const produced = makeRecords('confluent');
          const recordsFile = writeTempJson(tmp, `${codec}.json`, produced);
          const report = await runPythonDriver<ProduceReport>('confluent_roundtrip.py', 'produce', {
            bootstrap: env.bootstrap,
            topic,
            recordsFile,
            compression: codec,
          });
          expect(report.errors).toEqual([]);
          expect(report.notDelivered).toBe(0);
          expect(report.acked).toHaveLength(produced.length);

          const consumed = await runPythonDriver<ConsumeReport>(
            'confluent_roundtrip.py',
            'consume',
            {
              bootstrap: env.bootstrap,
              topic,
              partitions: PARTITIONS,
              timeoutSeconds: 30,
            },
          );
          expect(consumed.errors).toEqual([]);
          expect(consumed.partitionsAtEnd).toEqual([0, 1, 2]);
          expectRoundTrip(produced, consumed.records);
          // The offsets reported in the delivery reports are where the records are.
          const where = new Map(
            consumed.records.map((r) => [`${r.partition}/${r.offset}`, r.value]),
          );
          for (const ack of report.acked) {
            expect(where.get(`${ack.partition}/${ack.offset}`)).toBe(produced[ack.seq].value);
          }
        },
        90_000,
      );
    }

    it('produces with enable.idempotence=true and reads back', async (ctx) => {
      const missing = missingApis(
        await probeApiVersions(env.bootstrap),
        [API_KEYS.INIT_PRODUCER_ID],
        'the idempotent producer',
      );
      if (missing) ctx.skip(missing);
      await runPythonDriver('confluent_roundtrip.py', 'create-topic', {
        bootstrap: env.bootstrap,
        topic: 'confluent-idempotent',
        partitions: PARTITIONS,
      });
      const produced = makeRecords('confluent');
      const recordsFile = writeTempJson(tmp, 'idempotent.json', produced);
      const report = await runPythonDriver<ProduceReport>('confluent_roundtrip.py', 'produce', {
        bootstrap: env.bootstrap,
        topic: 'confluent-idempotent',
        recordsFile,
        compression: 'lz4',
        idempotent: true,
      });
      expect(report.errors).toEqual([]);
      expect(report.acked).toHaveLength(produced.length);
      const consumed = await runPythonDriver<ConsumeReport>('confluent_roundtrip.py', 'consume', {
        bootstrap: env.bootstrap,
        topic: 'confluent-idempotent',
        partitions: PARTITIONS,
      });
      expectRoundTrip(produced, consumed.records);
    }, 90_000);
  },
);
