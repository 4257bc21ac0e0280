import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestBroker, tempDir } from '../test-support/cli-harness.ts';
import type { TestBroker } from '../test-support/cli-harness.ts';

describe('connect file-sink', () => {
  let broker: TestBroker;
  let dir: string;
  const cli = (args: string[], input?: string) =>
    runCli([...args, '--bootstrap-server', broker.bootstrap], { input });
  beforeAll(async () => {
    broker = await startTestBroker();
    dir = tempDir();
  });
  afterAll(async () => {
    await broker?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('appends each value as a line and, as a group, carries on where it stopped', async () => {
    const file = path.join(dir, 'copy.log');
    await cli(['topics', '--create', '--topic', 'logs.copy', '--partitions', '1']);
    await cli(['produce', '--topic', 'logs.copy'], 'GET /orders 200\nPOST /orders 201\n');

    const first = await cli([
      'connect',
      'file-sink',
      '--topic',
      'logs.copy',
      '--file',
      file,
      '--exit-at-end',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe(`connect-file-sink-logs.copy: wrote 2 line(s) to ${file}\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe('GET /orders 200\nPOST /orders 201\n');

    await cli(['produce', '--topic', 'logs.copy'], 'GET /stock 404\n');
    const second = await cli([
      'connect',
      'file-sink',
      '--topic',
      'logs.copy',
      '--file',
      file,
      '--exit-at-end',
    ]);
    expect(second.stderr).toBe(`connect-file-sink-logs.copy: wrote 1 line(s) to ${file}\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe(
      'GET /orders 200\nPOST /orders 201\nGET /stock 404\n',
    );
  });
});
