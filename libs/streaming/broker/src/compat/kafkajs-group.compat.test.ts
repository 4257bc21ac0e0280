// kafkajs 2.2.4 consumer groups against the broker: a queue shared by three members, a crashed
// member's partitions taken over, a second group getting its own copy (pub/sub), and committed
// offsets surviving a broker restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBroker } from '../index.ts';
import type { RunningBroker } from '../index.ts';
import { describeWithClient, detectNpmPackage } from './client-availability.ts';
import {
  coversExactly,
  kafkaClient,
  produceValues,
  startChildMember,
  startMember,
  waitFor,
} from '../group/test-support/group-harness.ts';
import type { GroupMember } from '../group/test-support/group-harness.ts';

const kafkajsAvailable = await detectNpmPackage('kafkajs');

const PARTITIONS = 6;

function values(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

function countsOf(members: readonly GroupMember[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of members.flatMap((m) => m.records))
    counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
  return counts;
}

describeWithClient(kafkajsAvailable, 'kafkajs 2.2.4 consumer groups', () => {
  let logDir: string;
  let broker: RunningBroker;

  beforeAll(async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-kafkajs-group-'));
    broker = await startBroker({ port: 0, host: '127.0.0.1', logDir });
  });
  afterAll(async () => {
    await broker?.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  async function createTopic(topic: string, partitions = PARTITIONS): Promise<void> {
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
  }

  it('shares a 6-partition topic among 3 members: every record consumed exactly once; a second group gets its own copy', async () => {
    const topic = 'queue-6';
    await createTopic(topic);
    const kafka = kafkaClient(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    const started = performance.now();
    const members: GroupMember[] = [];
    try {
      for (let i = 0; i < 3; i++) members.push(await startMember(kafka, 'queue', topic, `m${i}`));
      await waitFor('3 members sharing 6 partitions', async () => {
        if (!coversExactly(members, PARTITIONS)) return false;
        const [group] = (await admin.describeGroups(['queue'])).groups;
        return group.state === 'Stable' && group.members.length === 3;
      });
      const formedMs = performance.now() - started;
      console.info(
        `[groups] kafkajs: 3 members formed a stable group in ${Math.round(formedMs)} ms`,
      );
      expect(members.map((m) => m.partitions.length)).toEqual([2, 2, 2]);

      const produced = values('q', 600);
      await produceValues(kafka, topic, produced);
      await waitFor(
        '600 records consumed',
        () => members.reduce((n, m) => n + m.records.length, 0) >= produced.length,
      );

      const counts = countsOf(members);
      expect([...counts.keys()].sort()).toEqual([...produced].sort());
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
      // Each record came from a partition its member owned.
      for (const m of members)
        expect(m.records.every((r) => m.partitions.includes(r.partition))).toBe(true);

      // Pub/sub: another group reads the same topic independently, from the beginning.
      const audit = [
        await startMember(kafka, 'audit', topic, 'a0'),
        await startMember(kafka, 'audit', topic, 'a1'),
      ];
      members.push(...audit);
      await waitFor(
        'the audit group to read its own copy',
        () => audit.reduce((n, m) => n + m.records.length, 0) >= produced.length,
      );
      await waitFor('audit members to settle', () => coversExactly(audit, PARTITIONS));
      const auditCounts = countsOf(audit);
      expect([...auditCounts.keys()].sort()).toEqual([...produced].sort());

      // Both groups show up, with their committed offsets adding up to everything produced.
      await waitFor('queue offsets committed', async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: 'queue', topics: [topic] });
        return (
          offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) ===
          produced.length
        );
      });
      const listed = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
      expect(listed).toEqual(['audit', 'queue']);
    } finally {
      for (const m of members) await m.stop();
      await admin.disconnect();
    }
  }, 120_000);

  it('hands a crashed member’s partitions to the others after its session times out, losing nothing', async () => {
    const topic = 'crash-6';
    await createTopic(topic);
    const kafka = kafkaClient(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    const doomed = startChildMember(broker.bootstrap, 'crashers', topic, 'doomed');
    const survivors: GroupMember[] = [];
    try {
      await waitFor('the child member to join', () => doomed.joins > 0);
      survivors.push(
        await startMember(kafka, 'crashers', topic, 's0'),
        await startMember(kafka, 'crashers', topic, 's1'),
      );
      const all = [doomed, ...survivors];
      await waitFor('3 members sharing 6 partitions', async () => {
        if (!coversExactly(all, PARTITIONS)) return false;
        const [group] = (await admin.describeGroups(['crashers'])).groups;
        return group.state === 'Stable' && group.members.length === 3;
      });
      const doomedPartitions = [...doomed.partitions];
      expect(doomedPartitions.length).toBe(2);

      const before = values('before', 300);
      await produceValues(kafka, topic, before);
      await waitFor(
        'the first 300 records consumed',
        () => new Set(all.flatMap((m) => m.records.map((r) => r.value))).size >= 300,
      );

      const killedAt = performance.now();
      doomed.kill();
      const after = values('after', 300);
      await produceValues(kafka, topic, after);
      await waitFor('the survivors to take over all 6 partitions', async () => {
        if (!coversExactly(survivors, PARTITIONS)) return false;
        const [group] = (await admin.describeGroups(['crashers'])).groups;
        return group.state === 'Stable' && group.members.length === 2;
      });
      console.info(
        `[groups] kafkajs: survivors owned the crashed member's partitions ${Math.round(performance.now() - killedAt)} ms after SIGKILL (session timeout 3000 ms)`,
      );
      await waitFor('every record consumed at least once', () => {
        const seen = new Set(all.flatMap((m) => m.records.map((r) => r.value)));
        return [...before, ...after].every((v) => seen.has(v));
      });
      // The dead member's partitions were consumed by the survivors after the crash.
      const takenOver = survivors
        .flatMap((m) => m.records)
        .filter((r) => doomedPartitions.includes(r.partition) && r.value.startsWith('after-'));
      expect(takenOver.length).toBeGreaterThan(0);
    } finally {
      doomed.kill();
      for (const m of survivors) await m.stop();
      await admin.disconnect();
    }
  }, 120_000);

  it('resumes from the committed offsets after a broker restart', async () => {
    const topic = 'resume-3';
    await createTopic(topic, 3);
    let kafka = kafkaClient(broker.bootstrap);
    const first = values('first', 90);
    await produceValues(kafka, topic, first);
    const reader = await startMember(kafka, 'resumer', topic, 'r0');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor('the first 90 records consumed', () => reader.records.length >= first.length);
      await waitFor('offsets committed', async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: 'resumer', topics: [topic] });
        return (
          offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === first.length
        );
      });
    } finally {
      await reader.stop();
      await admin.disconnect();
    }

    await broker.close();
    broker = await startBroker({ port: 0, host: '127.0.0.1', logDir });
    kafka = kafkaClient(broker.bootstrap);
    const admin2 = kafka.admin();
    await admin2.connect();
    try {
      const [offsets] = await admin2.fetchOffsets({ groupId: 'resumer', topics: [topic] });
      expect(offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0)).toBe(
        first.length,
      );
      const second = values('second', 30);
      await produceValues(kafka, topic, second);
      const resumed = await startMember(kafka, 'resumer', topic, 'r1');
      try {
        await waitFor('the 30 new records consumed', () => resumed.records.length >= second.length);
        // Nothing from before the restart is delivered again.
        expect(resumed.records.map((r) => r.value).sort()).toEqual([...second].sort());
      } finally {
        await resumed.stop();
      }
    } finally {
      await admin2.disconnect();
    }
  }, 120_000);

  it('keeps live members going across a broker restart: no rejoin, nothing delivered twice', async () => {
    const topic = 'live-restart-4';
    await createTopic(topic, 4);
    const kafka = kafkaClient(broker.bootstrap);
    const members = [
      await startMember(kafka, 'steady', topic, 'l0'),
      await startMember(kafka, 'steady', topic, 'l1'),
    ];
    try {
      await waitFor('2 members sharing 4 partitions', () => coversExactly(members, 4));
      const before = values('pre', 100);
      await produceValues(kafka, topic, before);
      await waitFor(
        'the first 100 records consumed',
        () => members.reduce((n, m) => n + m.records.length, 0) >= 100,
      );
      const joinsBefore = members.map((m) => m.joins);
      const admin = kafka.admin();
      await admin.connect();
      await waitFor('offsets committed', async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: 'steady', topics: [topic] });
        return offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === 100;
      });
      await admin.disconnect();

      // Same port, so the running clients find the broker again by themselves.
      const port = broker.port;
      await broker.close();
      broker = await startBroker({ port, host: '127.0.0.1', logDir });
      const after = values('post', 100);
      await produceValues(kafkaClient(broker.bootstrap), topic, after);
      await waitFor('the next 100 records consumed', () => {
        const seen = new Set(members.flatMap((m) => m.records.map((r) => r.value)));
        return after.every((v) => seen.has(v));
      });
      const all = members.flatMap((m) => m.records.map((r) => r.value));
      expect(all.length).toBe(new Set(all).size);
      expect(members.map((m) => m.joins)).toEqual(joinsBefore);
    } finally {
      for (const m of members) await m.stop();
    }
  }, 120_000);

  it('describes, refuses to delete a live group (NON_EMPTY_GROUP) and deletes it once empty', async () => {
    const topic = 'admin-groups';
    await createTopic(topic, 2);
    const kafka = kafkaClient(broker.bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    const member = await startMember(kafka, 'doomed-group', topic, 'd0');
    try {
      await waitFor('the member to join', () => member.joins > 0);
      const [described] = (await admin.describeGroups(['doomed-group'])).groups;
      expect(described).toMatchObject({
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'RoundRobinAssigner',
      });
      expect(described.members).toHaveLength(1);
      await expect(admin.deleteGroups(['doomed-group'])).rejects.toThrow();
      await member.stop();
      const [deleted] = await admin.deleteGroups(['doomed-group']);
      expect(deleted).toMatchObject({ groupId: 'doomed-group', errorCode: 0 });
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('doomed-group');
    } finally {
      await member.stop();
      await admin.disconnect();
    }
  }, 60_000);
});
