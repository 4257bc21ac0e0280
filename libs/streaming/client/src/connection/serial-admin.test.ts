import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@retail-streams/streaming-broker';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialAdmin } from './serial-admin.ts';

let broker: RunningBroker;
let logDir: string;
let kafka: Kafka;
const topics = ['offsets-asked', 'other-a', 'other-b', 'other-c'];

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'serial-admin-'));
  broker = await startBroker({ port: 0, logDir });
  kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'serial-admin',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })) });
  await admin.disconnect();
});
afterAll(async () => {
  await broker?.close();
  rmSync(logDir, { recursive: true, force: true });
});

/**
 * Asks one topic's offsets again and again while another task on the same admin asks the metadata
 * of other topics, each one missing from the admin's cache when asked. Returns the failed asks.
 */
async function offsetsWhileMetadataChurns(admin: Admin, asks: number): Promise<string[]> {
  let stop = false;
  const churn = (async () => {
    for (let i = 0; !stop; i++) await admin.fetchTopicMetadata({ topics: [topics[1 + (i % 3)]] });
  })();
  const failures: string[] = [];
  for (let i = 0; i < asks; i++) {
    const offsets = await admin.fetchTopicOffsets(topics[0]).catch((error: unknown) => {
      failures.push(String(error));
      return undefined;
    });
    if (offsets) expect(offsets.map((entry) => entry.partition).sort()).toEqual([0, 1, 2]);
  }
  stop = true;
  await churn;
  return failures;
}

describe('an admin shared by concurrent tasks', () => {
  it("loses topic offsets on kafkajs's own admin when another call replaces its metadata (why serialAdmin exists)", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const failures = await offsetsWhileMetadataChurns(admin, 50);
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0]).toContain("Cannot destructure property 'partitions'");
    } finally {
      await admin.disconnect();
    }
  });

  it('answers every ask through serialAdmin', async () => {
    const admin = serialAdmin(kafka.admin());
    await admin.connect();
    try {
      expect(await offsetsWhileMetadataChurns(admin, 50)).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('goes on with the next call after a call fails', async () => {
    const admin = serialAdmin(kafka.admin());
    await admin.connect();
    try {
      await expect(admin.fetchTopicOffsets('')).rejects.toThrow(/Invalid topic/);
      expect(await admin.listTopics()).toEqual(expect.arrayContaining(topics));
    } finally {
      await admin.disconnect();
    }
  });
});
