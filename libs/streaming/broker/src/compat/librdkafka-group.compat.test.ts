// librdkafka 2.0.2 consumer groups against the broker: kcat's balanced consumer (-G) and
// python3-confluent-kafka members with each assignment strategy (range, roundrobin,
// cooperative-sticky). librdkafka only enables its group consumer when the broker advertises
// FindCoordinator/JoinGroup/SyncGroup/Heartbeat/LeaveGroup from v0, which this also checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker } from '../index.ts';
import type { RunningBroker } from '../index.ts';
import {
  describeWithClient,
  detectConfluentKafka,
  detectKcat,
  detectNpmPackage,
} from './client-availability.ts';
import { runCommand } from './compat-fixture.ts';
import { runPythonGroup } from '../group/test-support/python-group.ts';
import { kafkaClient, produceValues } from '../group/test-support/group-harness.ts';

const kcat = detectKcat();
const confluent = detectConfluentKafka();
const kafkajsAvailable = await detectNpmPackage('kafkajs');
function values(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

async function committedTotal(bootstrap: string, groupId: string, topic: string): Promise<number> {
  const admin = kafkaClient(bootstrap).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

describeWithClient(
  {
    client: 'kcat + python3-confluent-kafka (librdkafka)',
    available: kcat.available && confluent.available && kafkajsAvailable.available,
    reason: [kcat.reason, confluent.reason, kafkajsAvailable.reason].filter(Boolean).join('; '),
  },
  'librdkafka consumer groups',
  () => {
    let logDir: string;
    let broker: RunningBroker;

    beforeAll(async () => {
      logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-librdkafka-group-'));
      broker = await startBroker({ port: 0, host: '127.0.0.1', logDir });
    });
    afterAll(async () => {
      await broker?.close();
      fs.rmSync(logDir, { recursive: true, force: true });
    });

    async function topicWith(topic: string, produced: string[], partitions = 6): Promise<void> {
      const admin = kafkaClient(broker.bootstrap).admin();
      await admin.connect();
      try {
        await admin.createTopics({
          topics: [{ topic, numPartitions: partitions }],
          waitForLeaders: true,
        });
      } finally {
        await admin.disconnect();
      }
      await produceValues(kafkaClient(broker.bootstrap), topic, produced);
    }

    it('kcat -G consumes everything, commits, and a rerun of the group resumes after the commit', async () => {
      const produced = values('kcat', 300);
      await topicWith('kcat-group', produced);
      // auto.offset.reset rather than -o: in -G mode -o would override the committed offsets.
      const kcatGroup = (extra: string[] = []) =>
        runCommand(
          'kcat',
          [
            '-b',
            broker.bootstrap,
            '-G',
            'kcat-readers',
            '-X',
            'auto.offset.reset=earliest',
            '-e',
            '-q',
            '-f',
            '%s\\n',
            ...extra,
            'kcat-group',
          ],
          {
            timeoutMs: 60_000,
          },
        );
      const first = await kcatGroup();
      expect(first.code, first.stderr).toBe(0);
      const lines = first.stdout.split('\n').filter(Boolean);
      expect(lines.sort()).toEqual([...produced].sort());
      expect(await committedTotal(broker.bootstrap, 'kcat-readers', 'kcat-group')).toBe(
        produced.length,
      );

      const more = values('kcat-more', 20);
      await produceValues(kafkaClient(broker.bootstrap), 'kcat-group', more);
      const second = await kcatGroup();
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout.split('\n').filter(Boolean).sort()).toEqual([...more].sort());
    }, 90_000);

    for (const strategy of ['range', 'roundrobin', 'cooperative-sticky']) {
      it(`python3-confluent-kafka: 3 members with ${strategy} share 6 partitions and commit every record`, async () => {
        const topic = `confluent-${strategy}`;
        const group = `confluent-${strategy}-group`;
        const produced = values(strategy, 600);
        await topicWith(topic, produced);
        const run = await runPythonGroup('confluent', {
          bootstrap: broker.bootstrap,
          topic,
          group,
          members: 3,
          expected: produced.length,
          strategy,
        });
        const seen = new Set(run.records.map((r) => r[3]));
        expect([...seen].sort()).toEqual([...produced].sort());
        // The final assignment: every partition owned by exactly one member, each member busy.
        const owned = run.assignments.flat().sort((a, b) => a - b);
        expect(owned).toEqual([0, 1, 2, 3, 4, 5]);
        expect(run.assignments.map((a) => a.length)).toEqual([2, 2, 2]);
        expect(await committedTotal(broker.bootstrap, group, topic)).toBe(produced.length);
      }, 90_000);
    }
  },
);
