// The benchmark's scenarios against a real broker process and real client processes: the figures
// are only worth something if a formed group, a takeover and a gated consume are detected right.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBroker } from './broker-process.ts';
import type { BenchBroker } from './broker-process.ts';
import { SYSTEM_PYTHON } from './group-members.ts';
import { GROUP_PARTITIONS, consumeRun, membershipRun } from './group-scenarios.ts';
import { createTopic } from './kafkajs-load.ts';
import { kcatProduceFile, writeRecordFile } from './kcat-load.ts';

const hasRdkafka =
  spawnSync(SYSTEM_PYTHON, ['-c', 'import confluent_kafka']).status === 0 &&
  spawnSync('kcat', ['-V']).status === 0;

describe('group benchmark scenarios', () => {
  let dir: string;
  let broker: BenchBroker;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-scenarios-'));
    broker = await spawnBroker(path.join(dir, 'data'));
  });

  afterAll(async () => {
    await broker?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees three kafkajs members form a group, the survivors take over a SIGKILLed member only after its session timeout, and a leaving member at once', async () => {
    const sessionMs = 4_000;
    await createTopic(broker.bootstrap, 'membership', GROUP_PARTITIONS);
    const r = await membershipRun('kafkajs', broker.bootstrap, 'membership', sessionMs);
    expect(r.formFromSpawnMs).toBeGreaterThan(0);
    expect(r.formFromLastStartMs).toBeLessThanOrEqual(r.formFromSpawnMs);
    // No heartbeat can come after the kill, so the broker cannot expire the member sooner than S
    // after the last one; allow 1.5 s for the gap between heartbeats on a loaded machine.
    expect(r.killRebalanceMs).toBeGreaterThan(sessionMs - 1_500);
    expect(r.killBrokerMs).toBeGreaterThan(sessionMs - 1_500);
    expect(r.killAboveSessionMs).toBeCloseTo(r.killRebalanceMs - sessionMs, 6);
    // LeaveGroup removes the member at once: no wait for the session timeout.
    expect(r.leaveRebalanceMs).toBeLessThan(sessionMs);
    expect(r.leaveBrokerMs).toBeLessThan(sessionMs);
    expect(r.leaveCloseMs).toBeLessThan(r.leaveRebalanceMs);
  });

  it.skipIf(!hasRdkafka)(
    'releases three gated librdkafka members together and counts every record exactly once',
    async () => {
      const records = 6_000;
      const file = path.join(dir, 'records.txt');
      await createTopic(broker.bootstrap, 'consume', GROUP_PARTITIONS);
      writeRecordFile(file, records, 100);
      await kcatProduceFile(broker.bootstrap, 'consume', file);
      const r = await consumeRun(
        'librdkafka',
        broker.bootstrap,
        'consume',
        records,
        3,
        10_000,
        30_000,
      );
      expect(r.consumedBeforeGo).toBe(0);
      expect(r.records).toBe(records);
      expect(r.rebalancesDuringRun).toBe(0);
      expect(r.seconds).toBeGreaterThan(0);
    },
  );
});
