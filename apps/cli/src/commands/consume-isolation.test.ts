// produce --transactional-id [--abort] and consume --isolation-level: a committed and an aborted
// transaction, as each isolation level prints them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestBroker } from '../test-support/cli-harness.ts';
import type { TestBroker } from '../test-support/cli-harness.ts';

describe('streaming produce --transactional-id and consume --isolation-level', () => {
  let broker: TestBroker;
  const cli = (args: string[], input?: string) =>
    runCli([...args, '--bootstrap-server', broker.bootstrap], { input });
  beforeAll(async () => {
    broker = await startTestBroker();
    await cli(['topics', '--create', '--topic', 'txn-lab', '--partitions', '1']);
    const committed = await cli(
      ['produce', '--topic', 'txn-lab', '--transactional-id', 'cli-txn'],
      'committed\n',
    );
    expect(committed.stderr).toContain('transaction cli-txn committed');
    const aborted = await cli(
      ['produce', '--topic', 'txn-lab', '--transactional-id', 'cli-txn', '--abort'],
      'aborted\n',
    );
    expect(aborted.stderr).toContain('transaction cli-txn aborted');
  });
  afterAll(async () => {
    await broker?.close();
  });

  const consume = (level?: string) =>
    cli([
      'consume',
      '--topic',
      'txn-lab',
      '--from-beginning',
      '--exit-at-end',
      ...(level ? ['--isolation-level', level] : []),
    ]);

  it('prints only committed transactions with read_committed', async () => {
    const res = await consume('read_committed');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('committed\n');
  });

  it('prints aborted records too with read_uncommitted, the default as in Kafka', async () => {
    for (const level of ['read_uncommitted', undefined]) {
      const res = await consume(level);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe('committed\naborted\n');
    }
  });

  it('refuses --abort without a transactional id', async () => {
    const res = await cli(['produce', '--topic', 'txn-lab', '--abort'], 'x\n');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--abort needs --transactional-id');
  });

  it('refuses an unknown isolation level', async () => {
    const res = await consume('serializable');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(
      '--isolation-level must be one of read_committed, read_uncommitted',
    );
  });
});
