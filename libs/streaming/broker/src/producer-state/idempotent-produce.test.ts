// Idempotent produce end to end over the wire: real server, real codecs, exact bytes resent.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker } from '../api/test-support/broker-fixture.ts';
import type { TestBroker } from '../api/test-support/broker-fixture.ts';
import { API, createTopicsRequest, produceRequest } from '../api/test-support/requests.ts';
import type { WireClient } from '../api/test-support/wire-client.ts';
import { decodeRecords, encodeRecordBatch } from '../storage/index.ts';
import { ErrorCode as ProducerErrorCode } from '../errors/index.ts';
import { SNAPSHOT_FILE } from './snapshot-file.ts';

const INIT_PRODUCER_ID = 22;
const TOPIC = 'idem';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE = process.execPath;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function broker(logDir?: string): Promise<TestBroker> {
  const b = await startTestBroker(logDir ? { logDir } : {});
  cleanups.push(() => b.stop());
  return b;
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idempotent-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function initProducerId(c: WireClient, version = 1): Promise<{ id: bigint; epoch: number }> {
  const res = await c.send(INIT_PRODUCER_ID, version, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  expect(res.errorCode).toBe(0);
  return { id: res.producerId, epoch: res.producerEpoch };
}

function idempotentBatch(
  producer: { id: bigint; epoch: number },
  baseSequence: number,
  values: string[],
): Buffer {
  return encodeRecordBatch({
    records: values.map((v) => ({ key: null, value: v })),
    baseTimestamp: 1_700_000_000_000,
    producerId: Number(producer.id),
    producerEpoch: producer.epoch,
    baseSequence,
  });
}

async function produce(c: WireClient, records: Buffer, version = 7) {
  const res = await c.send(API.PRODUCE, version, produceRequest(TOPIC, 0, records));
  const p = res.responses[0].partitionResponses[0];
  return { errorCode: p.errorCode as number, baseOffset: p.baseOffset as bigint };
}

function storedValues(b: TestBroker): string[] {
  const log = b.broker.logs.partition(TOPIC, 0)!;
  return decodeRecords(log.read(log.logStartOffset, 1 << 24, true)).map((r) => r.value!.toString());
}

async function withTopic(b: TestBroker): Promise<WireClient> {
  const c = await b.connect();
  const created = await c.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: TOPIC }]));
  expect(created.topics[0].errorCode).toBe(0);
  return c;
}

/** Starts the broker in a child process over `logDir`; resolves with its port and a kill -9. */
function startChild(
  logDir: string,
  cleanerBackoffMs?: number,
): Promise<{ port: number; kill: () => Promise<void> }> {
  const args = [path.join(HERE, 'test-support/broker-child.ts'), logDir];
  if (cleanerBackoffMs !== undefined) args.push(String(cleanerBackoffMs));
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    cleanups.push(kill);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), kill });
    });
    child.on('exit', (code) => {
      if (!/ready/.test(out)) reject(new Error(`broker child exited (${code}): ${err}`));
    });
  });
}

describe('idempotent produce', () => {
  it('writes a retried batch once and answers the retry with the original base offset', async () => {
    const b = await broker();
    const c = await withTopic(b);
    await produce(c, encodeRecordBatch({ records: [{ value: 'plain' }] }));
    const producer = await initProducerId(c);
    const first = idempotentBatch(producer, 0, ['a', 'b', 'c']);
    expect(await produce(c, first)).toEqual({ errorCode: 0, baseOffset: 1n });
    expect(await produce(c, first)).toEqual({ errorCode: 0, baseOffset: 1n });
    expect(await produce(c, idempotentBatch(producer, 3, ['d']))).toEqual({
      errorCode: 0,
      baseOffset: 4n,
    });
    // An older batch (not the latest) is still recognised while it is among the last five.
    expect(await produce(c, first, 3)).toEqual({ errorCode: 0, baseOffset: 1n });
    expect(storedValues(b)).toEqual(['plain', 'a', 'b', 'c', 'd']);
  });

  it('rejects a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and writes nothing', async () => {
    const b = await broker();
    const c = await withTopic(b);
    const producer = await initProducerId(c);
    await produce(c, idempotentBatch(producer, 0, ['a', 'b']));
    expect((await produce(c, idempotentBatch(producer, 3, ['gap']))).errorCode).toBe(
      ProducerErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect((await produce(c, idempotentBatch(producer, 2, ['c']))).errorCode).toBe(0);
    expect(storedValues(b)).toEqual(['a', 'b', 'c']);
  });

  it('fences batches of an older epoch with INVALID_PRODUCER_EPOCH after a v3 re-init', async () => {
    const b = await broker();
    const c = await withTopic(b);
    const old = await initProducerId(c, 3);
    await produce(c, idempotentBatch(old, 0, ['a']));
    const res = await c.send(INIT_PRODUCER_ID, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: old.id,
      producerEpoch: old.epoch,
    });
    expect(res).toMatchObject({ errorCode: 0, producerId: old.id, producerEpoch: old.epoch + 1 });
    const bumped = { id: old.id, epoch: old.epoch + 1 };
    expect((await produce(c, idempotentBatch(bumped, 0, ['b']))).errorCode).toBe(0);
    expect((await produce(c, idempotentBatch(old, 1, ['zombie']))).errorCode).toBe(
      ProducerErrorCode.INVALID_PRODUCER_EPOCH,
    );
    expect(storedValues(b)).toEqual(['a', 'b']);
  });

  it('refuses an idempotent payload of several batches with INVALID_RECORD', async () => {
    const b = await broker();
    const c = await withTopic(b);
    const producer = await initProducerId(c);
    const two = Buffer.concat([
      idempotentBatch(producer, 0, ['a']),
      idempotentBatch(producer, 1, ['b']),
    ]);
    expect((await produce(c, two)).errorCode).toBe(ProducerErrorCode.INVALID_RECORD);
  });

  it('still recognises a retry after a clean restart (from the snapshot)', async () => {
    const logDir = tempDir();
    const b1 = await broker(logDir);
    const c1 = await withTopic(b1);
    const producer = await initProducerId(c1);
    const retried = idempotentBatch(producer, 0, ['a', 'b']);
    await produce(c1, retried);
    await b1.stop();
    expect(fs.existsSync(path.join(logDir, `${TOPIC}-0`, SNAPSHOT_FILE))).toBe(true);

    const b2 = await broker(logDir);
    const c2 = await b2.connect();
    expect(await produce(c2, retried)).toEqual({ errorCode: 0, baseOffset: 0n });
    expect((await produce(c2, idempotentBatch(producer, 5, ['gap']))).errorCode).toBe(
      ProducerErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(storedValues(b2)).toEqual(['a', 'b']);
    // Producer ids are never handed out twice across restarts.
    expect((await initProducerId(c2)).id).not.toBe(producer.id);
  });

  it('still recognises a retry after kill -9 (state replayed from the log)', async () => {
    const logDir = tempDir();
    const child = await startChild(logDir);
    const { WireClient } = await import('../api/test-support/wire-client.ts');
    const c1 = await WireClient.connect(child.port);
    cleanups.push(() => c1.close());
    const created = await c1.send(API.CREATE_TOPICS, 4, createTopicsRequest([{ name: TOPIC }]));
    expect(created.topics[0].errorCode).toBe(0);
    const producer = await initProducerId(c1);
    for (let seq = 0; seq < 8; seq++) {
      const r = await produce(c1, idempotentBatch(producer, seq, [`v${seq}`]));
      expect(r.errorCode).toBe(0);
    }
    const lastBatch = idempotentBatch(producer, 7, ['v7']);
    await child.kill();
    expect(fs.existsSync(path.join(logDir, `${TOPIC}-0`, SNAPSHOT_FILE))).toBe(false);

    const b2 = await broker(logDir);
    const c2 = await b2.connect();
    expect(await produce(c2, lastBatch)).toEqual({ errorCode: 0, baseOffset: 7n });
    expect(await produce(c2, idempotentBatch(producer, 8, ['v8']))).toEqual({
      errorCode: 0,
      baseOffset: 8n,
    });
    expect(storedValues(b2)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']);
    expect((await initProducerId(c2)).id).not.toBe(producer.id);
  });

  it('recognises a retry after compaction removed its batch and the broker was killed', async () => {
    const logDir = tempDir();
    const child = await startChild(logDir, 50);
    const { WireClient } = await import('../api/test-support/wire-client.ts');
    const c1 = await WireClient.connect(child.port);
    cleanups.push(() => c1.close());
    const created = await c1.send(
      API.CREATE_TOPICS,
      4,
      createTopicsRequest([
        { name: TOPIC, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '100' } },
      ]),
    );
    expect(created.topics[0].errorCode).toBe(0);
    const producer = await initProducerId(c1);
    const keyed = (seq: number) =>
      encodeRecordBatch({
        records: [{ key: 'same-key', value: `v${seq}` }],
        baseTimestamp: 1_700_000_000_000,
        producerId: Number(producer.id),
        producerEpoch: producer.epoch,
        baseSequence: seq,
      });
    for (let seq = 0; seq < 8; seq++) expect((await produce(c1, keyed(seq))).errorCode).toBe(0);
    // Every batch rolled a segment (segment.bytes=100); wait for the cleaner to drop the old ones.
    const partDir = path.join(logDir, `${TOPIC}-0`);
    const segmentFiles = () => fs.readdirSync(partDir).filter((f) => f.endsWith('.log')).length;
    while (segmentFiles() > 2) await new Promise((r) => setTimeout(r, 50));
    await child.kill();

    const b2 = await broker(logDir);
    const c2 = await b2.connect();
    // Batch seq 5 is no longer in the log, but the producer state saved before compaction knows it.
    expect(storedValues(b2)).not.toContain('v5');
    expect(await produce(c2, keyed(5))).toEqual({ errorCode: 0, baseOffset: 5n });
    expect(await produce(c2, keyed(8))).toEqual({ errorCode: 0, baseOffset: 8n });
  });
});
