// kafka-python 2.0.2 consumer groups against the broker: three members in one group (JoinGroup
// v0-2, SyncGroup v0-1, OffsetCommit v2, OffsetFetch v1) sharing a 6-partition topic.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker } from '../index.ts';
import type { RunningBroker } from '../index.ts';
import { describeWithClient, detectKafkaPython, detectNpmPackage } from './client-availability.ts';
import { kafkaClient, produceValues } from '../group/test-support/group-harness.ts';
import { runPythonGroup } from '../group/test-support/python-group.ts';

const kafkaPython = detectKafkaPython();
const kafkajsAvailable = await detectNpmPackage('kafkajs');

describeWithClient(
  {
    client: 'kafka-python',
    available: kafkaPython.available && kafkajsAvailable.available,
    reason: [kafkaPython.reason, kafkajsAvailable.reason].filter(Boolean).join('; '),
  },
  'kafka-python consumer groups',
  () => {
    let logDir: string;
    let broker: RunningBroker;

    beforeAll(async () => {
      logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-kafka-python-group-'));
      broker = await startBroker({ port: 0, host: '127.0.0.1', logDir });
    });
    afterAll(async () => {
      await broker?.close();
      fs.rmSync(logDir, { recursive: true, force: true });
    });

    it('shares a 6-partition topic among 3 members and commits every record', async () => {
      const topic = 'kafka-python-6';
      const kafka = kafkaClient(broker.bootstrap);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
        const produced = Array.from({ length: 600 }, (_, i) => `kp-${i}`);
        await produceValues(kafka, topic, produced);
        const run = await runPythonGroup('kafka-python', {
          bootstrap: broker.bootstrap,
          topic,
          group: 'kafka-python-group',
          members: 3,
          expected: produced.length,
        });
        expect([...new Set(run.records.map((r) => r[3]))].sort()).toEqual([...produced].sort());
        expect(run.assignments.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(run.assignments.map((a) => a.length)).toEqual([2, 2, 2]);
        const [offsets] = await admin.fetchOffsets({
          groupId: 'kafka-python-group',
          topics: [topic],
        });
        expect(offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0)).toBe(
          produced.length,
        );
      } finally {
        await admin.disconnect();
      }
    }, 90_000);
  },
);
