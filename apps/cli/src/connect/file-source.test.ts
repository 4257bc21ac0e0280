import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from '../kafka/kafkajs.ts';
import { runCli, spawnCli, startTestBroker, tempDir } from '../test-support/cli-harness.ts';
import type { CliProcess, TestBroker } from '../test-support/cli-harness.ts';

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

describe('connect file-source', () => {
  let broker: TestBroker;
  let admin: ReturnType<InstanceType<typeof Kafka>['admin']>;
  const dirs: string[] = [];
  const running: CliProcess[] = [];

  beforeAll(async () => {
    broker = await startTestBroker();
    admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });
  afterEach(() => {
    for (const p of running.splice(0)) p.kill('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await admin?.disconnect();
    await broker?.close();
  });

  const cli = (args: string[]) => runCli([...args, '--bootstrap-server', broker.bootstrap]);
  const source = (
    file: string,
    topic: string,
    extra: string[] = [],
    env?: Record<string, string>,
  ) => {
    const p = spawnCli(
      [
        'connect',
        'file-source',
        '--file',
        file,
        '--topic',
        topic,
        '--poll-ms',
        '50',
        ...extra,
        '-b',
        broker.bootstrap,
      ],
      { env },
    );
    running.push(p);
    return p;
  };
  const recordCount = async (topic: string) =>
    (await admin.fetchTopicOffsets(topic)).reduce(
      (sum, p) => sum + Number(p.high) - Number(p.low),
      0,
    );
  /** Polls (no clock in the assertion) until the topic holds `n` records. */
  const waitForRecords = async (topic: string, n: number) => {
    while ((await recordCount(topic)) < n) await sleep(50);
  };
  const values = async (topic: string) => {
    const r = await cli([
      'consume',
      '--topic',
      topic,
      '--from-beginning',
      '--exit-at-end',
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as { partition: number; value: string; headers: Record<string, string> },
      );
  };
  const stop = async (p: CliProcess, signal: NodeJS.Signals = 'SIGTERM') => {
    p.kill(signal);
    const r = await p.exit;
    expect(r.code, r.stderr).toBe(0);
    return r;
  };

  it('publishes each line once across a restart and two rotations (one while stopped)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'access.log');
    await cli(['topics', '--create', '--topic', 'logs.access', '--partitions', '2']);

    fs.writeFileSync(file, lines(1, 50));
    const first = source(file, 'logs.access', ['--batch-size', '7']);
    await waitForRecords('logs.access', 50);
    fs.appendFileSync(file, lines(51, 60));
    await waitForRecords('logs.access', 60);

    // Rotation while running: the writer still finishes the old file after the rename.
    fs.renameSync(file, `${file}.1`);
    fs.appendFileSync(`${file}.1`, lines(61, 65));
    fs.writeFileSync(file, lines(66, 70));
    await waitForRecords('logs.access', 70);
    const firstRun = await stop(first);
    expect(firstRun.stderr).toContain('was rotated: finishing the old file');

    // While stopped: more lines, then another rotation.
    fs.appendFileSync(file, lines(71, 75));
    fs.renameSync(file, `${file}.2`);
    fs.writeFileSync(file, lines(76, 80));
    const second = source(file, 'logs.access', ['--batch-size', '7']);
    await waitForRecords('logs.access', 80);
    // Appended after the catch-up: still followed.
    fs.appendFileSync(file, lines(81, 85));
    await waitForRecords('logs.access', 85);
    const secondRun = await stop(second, 'SIGINT');
    expect(secondRun.stderr).toContain(`resuming ${file}.2 at byte`);

    const records = await values('logs.access');
    expect(records.map((r) => Number(r.value)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 85 }, (_, i) => i + 1),
    );
    // Order is kept within each partition.
    for (const p of [0, 1]) {
      const seq = records.filter((r) => r.partition === p).map((r) => Number(r.value));
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    expect(records[0].headers['connect.source']).toBe('file-source-access.log');
  });

  it('neither skips nor repeats lines after kill -9 between publishing and recording the position', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'app.log');
    await cli(['topics', '--create', '--topic', 'logs.app', '--partitions', '1']);
    fs.writeFileSync(file, lines(1, 30));

    const killed = source(file, 'logs.app', ['--batch-size', '10', '--name', 'app'], {
      STREAMING_TEST_KILL_AFTER_BATCH: '2',
    });
    const died = await killed.exit;
    expect(died.signal).toBe('SIGKILL');
    // Two batches are in the topic; only the first one's position was recorded.
    expect(await recordCount('logs.app')).toBe(20);

    const restarted = source(file, 'logs.app', ['--batch-size', '10', '--name', 'app']);
    await waitForRecords('logs.app', 30);
    // Truncation (copytruncate rotation): read again from the start.
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, 'after-truncate-1\nafter-truncate-2\n');
    await waitForRecords('logs.app', 32);
    const run = await stop(restarted);
    expect(run.stderr).toContain('10 line(s) were published but not recorded before the last stop');
    expect(run.stderr).toContain('was truncated: reading it again from its start');

    expect((await values('logs.app')).map((r) => r.value)).toEqual([
      ...Array.from({ length: 30 }, (_, i) => String(i + 1)),
      'after-truncate-1',
      'after-truncate-2',
    ]);
  });

  it('tails several files from one process, each once across kill -9 and a restart', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const a = path.join(dir, 'sales.access.log');
    const b = path.join(dir, 'inventory.access.log');
    await cli(['topics', '--create', '--topic', 'logs.both', '--partitions', '2']);
    fs.writeFileSync(a, lines(1, 30));
    fs.writeFileSync(b, lines(101, 130));
    const both = ['--file', b, '--batch-size', '10'];

    // Killed right after a batch is acknowledged and before its position is recorded.
    const killed = source(a, 'logs.both', both, { STREAMING_TEST_KILL_AFTER_BATCH: '2' });
    expect((await killed.exit).signal).toBe('SIGKILL');

    const restarted = source(a, 'logs.both', both);
    await waitForRecords('logs.both', 60);
    fs.appendFileSync(a, lines(31, 35));
    fs.appendFileSync(b, lines(131, 135));
    await waitForRecords('logs.both', 70);
    const run = await stop(restarted);
    // The killed batch was found in the topic, not sent again.
    expect(run.stderr).toMatch(/line\(s\) were published but not recorded before the last stop/);

    const records = await values('logs.both');
    const from = (source: string) =>
      records
        .filter((r) => r.headers['connect.source'] === source)
        .map((r) => Number(r.value))
        .sort((x, y) => x - y);
    expect(records).toHaveLength(70);
    expect(from('file-source-sales.access.log')).toEqual(
      Array.from({ length: 35 }, (_, i) => i + 1),
    );
    expect(from('file-source-inventory.access.log')).toEqual(
      Array.from({ length: 35 }, (_, i) => i + 101),
    );
  });

  it('refuses --name with several files, and two files of the same name', async () => {
    const withName = await cli([
      'connect',
      'file-source',
      '--file',
      'a.log',
      '--file',
      'b.log',
      '--name',
      'x',
      '--topic',
      'logs.access',
    ]);
    expect(withName.code).toBe(2);
    expect(withName.stderr).toContain('--name names the connector of one file');
    const sameName = await cli([
      'connect',
      'file-source',
      '--file',
      'one/access.log',
      '--file',
      'two/access.log',
      '--topic',
      'logs.access',
    ]);
    expect(sameName.code).toBe(2);
    expect(sameName.stderr).toContain('share the connector name file-source-access.log');
    const none = await cli(['connect', 'file-source', '--topic', 'logs.access']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('at least one --file');
  });

  it('waits for a file that does not exist yet, and keeps an unfinished last line until it ends', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'late.log');
    await cli(['topics', '--create', '--topic', 'logs.late', '--partitions', '1']);
    const p = source(file, 'logs.late');
    await p.waitFor(/waiting for .*late\.log to appear/, 'stderr');
    fs.writeFileSync(file, 'one\ntw');
    await waitForRecords('logs.late', 1);
    fs.appendFileSync(file, 'o\nthree\r\n');
    await waitForRecords('logs.late', 3);
    await stop(p);
    expect((await values('logs.late')).map((r) => r.value)).toEqual(['one', 'two', 'three']);
  });
});
