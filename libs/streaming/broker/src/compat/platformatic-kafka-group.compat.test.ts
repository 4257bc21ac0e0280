// @platformatic/kafka consumer groups against the broker: it speaks only the newest group
// versions (FindCoordinator v4+ batched keys, JoinGroup v6-9, SyncGroup v4-5, Heartbeat v4,
// LeaveGroup v4-5, OffsetCommit/OffsetFetch v8-9 with multi-group fetches).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker } from '../index.ts';
import type { RunningBroker } from '../index.ts';
import { describeWithClient, detectNpmPackage } from './client-availability.ts';
import { kafkaClient, produceValues, waitFor } from '../group/test-support/group-harness.ts';

const platformatic = await detectNpmPackage('@platformatic/kafka');
const kafkajsAvailable = await detectNpmPackage('kafkajs');

describeWithClient(
  {
    client: '@platformatic/kafka',
    available: platformatic.available && kafkajsAvailable.available,
    reason: [platformatic.reason, kafkajsAvailable.reason].filter(Boolean).join('; '),
  },
  '@platformatic/kafka consumer groups',
  () => {
    let logDir: string;
    let broker: RunningBroker;

    beforeAll(async () => {
      logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-platformatic-group-'));
      broker = await startBroker({ port: 0, host: '127.0.0.1', logDir });
    });
    afterAll(async () => {
      await broker?.close();
      fs.rmSync(logDir, { recursive: true, force: true });
    });

    it('shares a 4-partition topic between 2 members, commits, and a restarted group resumes', async () => {
      const { Consumer, MessagesStreamModes, MessagesStreamFallbackModes, stringDeserializers } =
        await import('@platformatic/kafka');
      const topic = 'platformatic-4';
      const kafka = kafkaClient(broker.bootstrap);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
      const produced = Array.from({ length: 200 }, (_, i) => `pk-${i}`);
      await produceValues(kafka, topic, produced);

      const consumed: Array<{ member: number; partition: number; value: string }> = [];
      const start = async (member: number) => {
        const consumer = new Consumer({
          groupId: 'platformatic-group',
          clientId: `platformatic-member-${member}`,
          bootstrapBrokers: [broker.bootstrap],
          deserializers: stringDeserializers,
          sessionTimeout: 6000,
          heartbeatInterval: 300,
          rebalanceTimeout: 10_000,
        });
        const stream = await consumer.consume({
          topics: [topic],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: MessagesStreamFallbackModes.EARLIEST,
          autocommit: 100,
          maxWaitTime: 200,
        });
        stream.on('data', (m: { partition: number; value: string }) =>
          consumed.push({ member, partition: m.partition, value: m.value }),
        );
        return { consumer, stream };
      };
      const members = [await start(0), await start(1)];
      try {
        await waitFor(
          'every record consumed',
          () => new Set(consumed.map((r) => r.value)).size >= produced.length,
        );
        expect([...new Set(consumed.map((r) => r.value))].sort()).toEqual([...produced].sort());
        await waitFor('both members in the stable group', async () => {
          const [group] = (await admin.describeGroups(['platformatic-group'])).groups;
          return group.state === 'Stable' && group.members.length === 2;
        });
        await waitFor('offsets committed', async () => {
          const [offsets] = await admin.fetchOffsets({
            groupId: 'platformatic-group',
            topics: [topic],
          });
          return (
            offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) ===
            produced.length
          );
        });
      } finally {
        for (const m of members) {
          await m.stream.close();
          await m.consumer.close();
        }
      }

      // A new member of the same group starts from the committed offsets: only new records arrive.
      const more = Array.from({ length: 20 }, (_, i) => `pk-more-${i}`);
      await produceValues(kafka, topic, more);
      consumed.length = 0;
      const again = await start(2);
      try {
        await waitFor('the new records consumed', () => consumed.length >= more.length);
        expect(consumed.map((r) => r.value).sort()).toEqual([...more].sort());
      } finally {
        await again.stream.close();
        await again.consumer.close();
        await admin.disconnect();
      }
    }, 90_000);
  },
);
