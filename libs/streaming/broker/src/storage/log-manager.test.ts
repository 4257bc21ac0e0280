import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode as StorageErrorCode } from '../errors/index.ts';
import { StorageError } from './errors.ts';
import { CLEAN_SHUTDOWN_FILE, LogManager } from './log-manager.ts';
import { decodeRecords, encodeRecordBatch } from './record-batch.ts';
import { segmentFileName } from './segment.ts';
import { TOPICS_FILE } from './topic-registry-file.ts';

let logDir: string;
const managers: LogManager[] = [];

beforeEach(() => {
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-manager-'));
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
  fs.rmSync(logDir, { recursive: true, force: true });
});

async function openManager(defaults = {}): Promise<LogManager> {
  const m = await LogManager.open({ logDir, defaults, retentionCheckIntervalMs: null });
  managers.push(m);
  return m;
}

async function closeManager(m: LogManager): Promise<void> {
  await m.close();
  managers.splice(managers.indexOf(m), 1);
}

async function codeOf(fn: () => unknown): Promise<number | undefined> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return undefined;
}

const batch = (...values: string[]): Buffer =>
  encodeRecordBatch({ records: values.map((value) => ({ value })) });

describe('LogManager', () => {
  it('creates topics with one directory per partition and a uuid topic id', async () => {
    const m = await openManager();
    const info = m.createTopic('orders', 3, { 'retention.ms': '1000' });
    expect(info).toMatchObject({
      name: 'orders',
      partitionCount: 3,
      overrides: { 'retention.ms': '1000' },
    });
    expect(info.topicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(info.config.retentionMs).toBe(1000);
    expect(info.config.segmentBytes).toBe(1073741824);
    for (const p of [0, 1, 2])
      expect(fs.statSync(path.join(logDir, `orders-${p}`)).isDirectory()).toBe(true);
    expect(m.partition('orders', 2)?.logEndOffset).toBe(0);
    expect(m.partition('orders', 3)).toBeUndefined();
    expect(m.getTopicById(info.topicId)?.name).toBe('orders');
    expect(m.listTopics().map((t) => t.name)).toEqual(['orders']);
  });

  it('applies broker-level defaults under topic overrides', async () => {
    const m = await openManager({ retentionMs: 5000, segmentBytes: 4096 });
    const t = m.createTopic('a', 1, { 'segment.bytes': '8192' });
    expect([t.config.retentionMs, t.config.segmentBytes]).toEqual([5000, 8192]);
  });

  it('keeps topics, ids, overrides and records across a restart', async () => {
    let m = await openManager();
    const created = m.createTopic('payments', 2, { 'cleanup.policy': 'delete,compact' });
    m.partition('payments', 1)!.append(batch('x', 'y'), Date.now());
    await closeManager(m);
    expect(fs.existsSync(path.join(logDir, CLEAN_SHUTDOWN_FILE))).toBe(true);
    m = await openManager();
    expect(fs.existsSync(path.join(logDir, CLEAN_SHUTDOWN_FILE))).toBe(false);
    expect(m.getTopic('payments')).toEqual({
      ...created,
      overrides: { 'cleanup.policy': 'compact,delete' },
    });
    const log = m.partition('payments', 1)!;
    expect(log.logEndOffset).toBe(2);
    expect(decodeRecords(log.read(0, 1 << 20, true)).map((r) => r.value!.toString())).toEqual([
      'x',
      'y',
    ]);
  });

  it('recovers a torn tail when the previous run did not shut down cleanly', async () => {
    let m = await openManager();
    m.createTopic('t', 1);
    m.partition('t', 0)!.append(batch('a'), Date.now());
    m.partition('t', 0)!.append(batch('b'), Date.now());
    await closeManager(m);
    fs.rmSync(path.join(logDir, CLEAN_SHUTDOWN_FILE));
    const file = path.join(logDir, 't-0', segmentFileName(0, '.log'));
    fs.truncateSync(file, fs.statSync(file).size - 5);
    m = await openManager();
    expect(m.partition('t', 0)!.logEndOffset).toBe(1);
  });

  it('validates topic names with INVALID_TOPIC_EXCEPTION', async () => {
    const m = await openManager();
    for (const bad of ['', '.', '..', 'a/b', 'spaces here', 'ü', 'x'.repeat(250)]) {
      expect(await codeOf(() => m.createTopic(bad, 1))).toBe(
        StorageErrorCode.INVALID_TOPIC_EXCEPTION,
      );
    }
    expect(m.createTopic('x'.repeat(249), 1).name).toHaveLength(249);
    expect(m.createTopic('Valid.name_with-chars.09', 1).partitionCount).toBe(1);
  });

  it('rejects topics that collide on "." versus "_"', async () => {
    const m = await openManager();
    m.createTopic('a.b', 1);
    expect(await codeOf(() => m.createTopic('a_b', 1))).toBe(
      StorageErrorCode.INVALID_TOPIC_EXCEPTION,
    );
  });

  it('rejects duplicates, bad partition counts and bad configs with Kafka codes', async () => {
    const m = await openManager();
    m.createTopic('dup', 1);
    expect(await codeOf(() => m.createTopic('dup', 1))).toBe(StorageErrorCode.TOPIC_ALREADY_EXISTS);
    expect(await codeOf(() => m.createTopic('zero', 0))).toBe(StorageErrorCode.INVALID_PARTITIONS);
    expect(await codeOf(() => m.createTopic('cfg', 1, { 'retention.ms': 'soon' }))).toBe(
      StorageErrorCode.INVALID_CONFIG,
    );
    expect(await codeOf(() => m.createTopic('cfg', 1, { 'no.such.key': '1' }))).toBe(
      StorageErrorCode.INVALID_CONFIG,
    );
    expect(await codeOf(() => m.createTopic('cfg', 1, { 'cleanup.policy': 'shred' }))).toBe(
      StorageErrorCode.INVALID_CONFIG,
    );
    expect(m.getTopic('cfg')).toBeUndefined();
    expect(fs.existsSync(path.join(logDir, 'cfg-0'))).toBe(false);
  });

  it('deletes topics with their files, also after a restart', async () => {
    let m = await openManager();
    m.createTopic('gone', 2);
    m.partition('gone', 0)!.append(batch('a'), Date.now());
    m.deleteTopic('gone');
    expect(m.getTopic('gone')).toBeUndefined();
    expect(fs.existsSync(path.join(logDir, 'gone-0'))).toBe(false);
    expect(await codeOf(() => m.deleteTopic('gone'))).toBe(
      StorageErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    await closeManager(m);
    m = await openManager();
    expect(m.listTopics()).toEqual([]);
    // A new topic with the same name starts empty.
    m.createTopic('gone', 1);
    expect(m.partition('gone', 0)!.logEndOffset).toBe(0);
  });

  it('adds partitions but never removes them', async () => {
    let m = await openManager();
    m.createTopic('grow', 2);
    expect(m.createPartitions('grow', 5).partitionCount).toBe(5);
    expect(m.partition('grow', 4)).toBeDefined();
    expect(await codeOf(() => m.createPartitions('grow', 5))).toBe(
      StorageErrorCode.INVALID_PARTITIONS,
    );
    expect(await codeOf(() => m.createPartitions('grow', 3))).toBe(
      StorageErrorCode.INVALID_PARTITIONS,
    );
    expect(await codeOf(() => m.createPartitions('nope', 3))).toBe(
      StorageErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    await closeManager(m);
    m = await openManager();
    expect(m.getTopic('grow')!.partitionCount).toBe(5);
  });

  it('alters topic configs by replacement or incrementally, and persists them', async () => {
    let m = await openManager();
    m.createTopic('c', 1, { 'retention.ms': '1000', 'segment.bytes': '2048' });
    let info = m.alterTopicConfigs(
      'c',
      { 'retention.bytes': '500', 'retention.ms': null },
      'incremental',
    );
    expect(info.overrides).toEqual({ 'segment.bytes': '2048', 'retention.bytes': '500' });
    expect(info.config.retentionMs).toBe(604800000);
    expect(m.partition('c', 0)!.config.retentionBytes).toBe(500);
    info = m.alterTopicConfigs('c', { 'max.message.bytes': '100' }, 'replace');
    expect(info.overrides).toEqual({ 'max.message.bytes': '100' });
    expect(await codeOf(() => m.alterTopicConfigs('c', { 'segment.ms': '0' }, 'incremental'))).toBe(
      StorageErrorCode.INVALID_CONFIG,
    );
    expect(await codeOf(() => m.alterTopicConfigs('c', { bogus: null }, 'incremental'))).toBe(
      StorageErrorCode.INVALID_CONFIG,
    );
    expect(m.getTopic('c')!.overrides).toEqual({ 'max.message.bytes': '100' });
    // The new max.message.bytes applies to the open partition.
    expect(
      await codeOf(() => m.partition('c', 0)!.append(batch('x'.repeat(200)), Date.now())),
    ).toBe(StorageErrorCode.MESSAGE_TOO_LARGE);
    await closeManager(m);
    m = await openManager();
    expect(m.getTopic('c')!.config.maxMessageBytes).toBe(100);
  });

  it('notifies onAppend listeners synchronously and stops after unsubscribe', async () => {
    const m = await openManager();
    m.createTopic('n', 2);
    const seen: string[] = [];
    const off = m.onAppend((topic, partition) => seen.push(`${topic}/${partition}`));
    m.partition('n', 1)!.append(batch('a'), Date.now());
    expect(seen).toEqual(['n/1']);
    off();
    m.partition('n', 0)!.append(batch('b'), Date.now());
    expect(seen).toEqual(['n/1']);
  });

  it('runs retention over every partition', async () => {
    const m = await openManager();
    m.createTopic('r', 2, { 'retention.ms': '1000' });
    const old = encodeRecordBatch({ records: [{ value: 'old', timestamp: 1000 }] });
    m.partition('r', 0)!.append(old, 1000);
    m.partition('r', 1)!.append(Buffer.from(old), 1000);
    expect(m.runRetention(10_000)).toBe(2);
    expect(m.partition('r', 0)!.logStartOffset).toBe(1);
  });

  it('refuses a second manager on the same directory while the first holds the lock', async () => {
    const m = await openManager();
    const err = await LogManager.open({ logDir, defaults: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe(StorageErrorCode.KAFKA_STORAGE_ERROR);
    expect((err as StorageError).message).toMatch(/locked/);
    await closeManager(m);
    const again = await openManager();
    expect(again.listTopics()).toEqual([]);
  });

  it('refuses a directory locked by another live process, and takes it over once that process is gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    try {
      fs.writeFileSync(path.join(logDir, '.lock'), `${child.pid}\n`);
      const err = await LogManager.open({ logDir, defaults: {} }).catch((e: unknown) => e);
      expect((err as StorageError).code).toBe(StorageErrorCode.KAFKA_STORAGE_ERROR);
      expect((err as StorageError).message).toContain(`process ${child.pid}`);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    const m = await openManager();
    expect(m.listTopics()).toEqual([]);
  });

  it('takes over a stale lock left by a dead process', async () => {
    fs.writeFileSync(path.join(logDir, '.lock'), '999999999\n');
    const m = await openManager();
    expect(m.listTopics()).toEqual([]);
  });

  it('fails with a clear StorageError when the log directory cannot be used', async () => {
    const file = path.join(logDir, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const err = await LogManager.open({ logDir: path.join(file, 'logs'), defaults: {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe(StorageErrorCode.KAFKA_STORAGE_ERROR);
    expect((err as StorageError).message).toMatch(/not usable/);
  });

  it('fails clearly on a corrupt topics file instead of starting empty', async () => {
    fs.writeFileSync(path.join(logDir, TOPICS_FILE), '{ not json');
    const err = await LogManager.open({ logDir, defaults: {} }).catch((e: unknown) => e);
    expect((err as StorageError).code).toBe(StorageErrorCode.KAFKA_STORAGE_ERROR);
    // The failed open released its lock.
    fs.rmSync(path.join(logDir, TOPICS_FILE));
    await openManager();
  });
});
