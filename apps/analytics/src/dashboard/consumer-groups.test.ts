import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@retail-streams/streaming-broker';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsumerGroupMonitor, type ConsumerGroupView } from './consumer-groups.ts';

const TOPIC = 'dashboard.groups-spec';

describe('ConsumerGroupMonitor', () => {
  let logDir: string;
  let broker: RunningBroker;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'dashboard-groups-'));
    broker = await startBroker({ port: 0, logDir });
    kafka = new Kafka({
      brokers: [broker.bootstrap],
      clientId: 'spec',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    // Partition 0 holds 5 records, partition 1 holds 2, partition 2 none.
    await producer.send({
      topic: TOPIC,
      messages: [
        ...Array.from({ length: 5 }, (_, i) => ({ key: `a${i}`, value: 'x', partition: 0 })),
        ...Array.from({ length: 2 }, (_, i) => ({ key: `b${i}`, value: 'x', partition: 1 })),
      ],
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await broker?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  async function groupOf(
    monitor: ConsumerGroupMonitor,
    groupId: string,
    until: (g: ConsumerGroupView) => boolean,
  ) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const group = (await monitor.snapshot()).groups.find((entry) => entry.groupId === groupId);
      if (group && until(group)) return group;
      if (Date.now() > deadline)
        throw new Error(`group ${groupId} never matched: ${JSON.stringify(group)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('reports lag per partition of a group without members, counting from the log start where it committed nothing', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId: 'behind',
      topic: TOPIC,
      partitions: [{ partition: 0, offset: '2' }],
    });
    await admin.disconnect();
    const monitor = new ConsumerGroupMonitor({ brokers: [broker.bootstrap], maxAgeMs: 0 });
    try {
      const group = await groupOf(monitor, 'behind', () => true);
      expect(group.state).toBe('Empty');
      expect(group.members).toEqual([]);
      expect(group.partitions).toEqual([
        {
          topic: TOPIC,
          partition: 0,
          committedOffset: 2,
          logEndOffset: 5,
          lag: 3,
          ownerMemberId: null,
        },
        {
          topic: TOPIC,
          partition: 1,
          committedOffset: null,
          logEndOffset: 2,
          lag: 2,
          ownerMemberId: null,
        },
        {
          topic: TOPIC,
          partition: 2,
          committedOffset: null,
          logEndOffset: 0,
          lag: 0,
          ownerMemberId: null,
        },
      ]);
      expect(group.totalLag).toBe(5);
    } finally {
      await monitor.close();
    }
  });

  it('names the member that owns each partition and shows zero lag once the group caught up', async () => {
    let seen = 0;
    for (const clientId of ['worker-a', 'worker-b']) {
      const client = new Kafka({
        brokers: [broker.bootstrap],
        clientId,
        logLevel: logLevel.NOTHING,
      });
      const consumer = client.consumer({ groupId: 'workers', heartbeatInterval: 500 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async () => {
          seen += 1;
        },
      });
    }
    const monitor = new ConsumerGroupMonitor({ brokers: [broker.bootstrap], maxAgeMs: 0 });
    try {
      const group = await groupOf(
        monitor,
        'workers',
        (g) =>
          g.state === 'Stable' &&
          g.members.length === 2 &&
          g.partitions.length === 3 &&
          g.partitions.every((p) => p.ownerMemberId !== null) &&
          g.totalLag === 0,
      );
      expect(seen).toBeGreaterThanOrEqual(7);
      expect(group.members.map((member) => member.clientId).sort()).toEqual([
        'worker-a',
        'worker-b',
      ]);
      // Each partition has exactly one owner, and the owners' assignments cover the topic.
      const assigned = group.members.flatMap((member) =>
        (member.assignment[TOPIC] ?? []).map((partition) => ({
          partition,
          memberId: member.memberId,
        })),
      );
      expect(assigned.map((entry) => entry.partition).sort()).toEqual([0, 1, 2]);
      for (const partition of group.partitions) {
        const owner = assigned.find((entry) => entry.partition === partition.partition);
        expect(partition.ownerMemberId).toBe(owner?.memberId);
      }
    } finally {
      await monitor.close();
    }
  });

  it('serves concurrent callers from one admin round within maxAgeMs', async () => {
    const monitor = new ConsumerGroupMonitor({ brokers: [broker.bootstrap], maxAgeMs: 60_000 });
    try {
      const [first, second] = await Promise.all([monitor.snapshot(), monitor.snapshot()]);
      expect(second).toBe(first);
      expect(await monitor.snapshot()).toBe(first);
    } finally {
      await monitor.close();
    }
  });

  it('fails a round when the broker is unreachable', async () => {
    const monitor = new ConsumerGroupMonitor({ brokers: ['127.0.0.1:9'], maxAgeMs: 0 });
    try {
      await expect(monitor.snapshot()).rejects.toThrow();
    } finally {
      await monitor.close();
    }
  });
});
