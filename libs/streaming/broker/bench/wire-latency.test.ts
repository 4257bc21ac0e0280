import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../src/index.ts';
import type { RunningBroker } from '../src/index.ts';
import { WireClient } from '../src/api/test-support/wire-client.ts';
import { API, createTopicsRequest, listOffsetsRequest } from '../src/api/test-support/requests.ts';
import { measureWireLatency } from './wire-latency.ts';

describe('measureWireLatency (the bench’s broker-only latency run)', () => {
  let logDir: string;
  let broker: RunningBroker;

  beforeAll(async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire-latency-'));
    broker = await startBroker({ port: 0, host: '127.0.0.1', logDir });
    const admin = await WireClient.connect(broker.port);
    await admin.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: 'latency' }]));
    await admin.close();
  });

  afterAll(async () => {
    await broker?.close();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('times every record it sends past the warm-up, from send to fetched', async () => {
    const res = await measureWireLatency(broker.port, 'latency', 1_000, 0.3, 50);
    expect(res.samples).toBe(300);
    expect(res.warmupDiscarded).toBe(50);
    expect(res.p50Ms).toBeGreaterThan(0);
    expect(res.p50Ms).toBeLessThanOrEqual(res.p99Ms);
    expect(res.p99Ms).toBeLessThanOrEqual(res.maxMs);
    expect(res.produceAckP50Ms).toBeGreaterThan(0);
    // Every offset arrived exactly where it was produced: the topic holds warm-up + measured records.
    const client = await WireClient.connect(broker.port);
    const offsets = await client.send(API.LIST_OFFSETS, 1, listOffsetsRequest('latency', 0, -1));
    await client.close();
    expect(offsets.topics[0].partitions[0].offset).toBe(350n);
  });
});
