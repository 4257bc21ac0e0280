import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestBroker } from '../test-support/cli-harness.ts';
import type { TestBroker } from '../test-support/cli-harness.ts';

describe('streaming topics', () => {
  let broker: TestBroker;
  const cli = (...args: string[]) => runCli([...args, '--bootstrap-server', broker.bootstrap]);
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('creates, lists, describes, alters and deletes a topic', async () => {
    const created = await cli(
      'topics',
      '--create',
      '--topic',
      'orders',
      '--partitions',
      '3',
      '--config',
      'retention.ms=3600000',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('created topic orders (3 partitions)\n');

    expect((await cli('topics', '--list')).stdout.split('\n')).toContain('orders');

    const again = await cli('topics', '--create', '--topic', 'orders');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('streaming: topic orders already exists\n');
    expect((await cli('topics', '--create', '--topic', 'orders', '--if-not-exists')).code).toBe(0);

    await runCli(['produce', '--topic', 'orders', '--partition', '1', '-b', broker.bootstrap], {
      input: 'a\nb\n',
    });
    const described = await cli('topics', '--describe', '--topic', 'orders');
    expect(described.code).toBe(0);
    const lines = described.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'Topic: orders\tPartitions: 3\tReplicationFactor: 1\tConfigs: retention.ms=3600000',
    );
    expect(lines[1].split(/\s+/)).toEqual([
      'PARTITION',
      'LEADER',
      'REPLICAS',
      'ISR',
      'LOG-START',
      'LOG-END',
      'RECORDS',
    ]);
    const nodeId = String(broker.broker.nodeId);
    expect(lines.slice(2).map((l) => l.split(/\s+/))).toEqual([
      ['0', nodeId, nodeId, nodeId, '0', '0', '0'],
      ['1', nodeId, nodeId, nodeId, '0', '2', '2'],
      ['2', nodeId, nodeId, nodeId, '0', '0', '0'],
    ]);

    const grown = await cli('topics', '--alter', '--topic', 'orders', '--partitions', '5');
    expect(grown.stdout).toBe('topic orders: 3 -> 5 partitions\n');
    const shrink = await cli('topics', '--alter', '--topic', 'orders', '--partitions', '2');
    expect(shrink.code).toBe(2);
    expect(shrink.stderr).toContain('partitions can only be added');

    const configured = await cli(
      'topics',
      '--alter',
      '--topic',
      'orders',
      '--config',
      'cleanup.policy=compact',
    );
    expect(configured.code).toBe(0);
    const after = (await cli('topics', '--describe', '--topic', 'orders')).stdout.split('\n')[0];
    // The earlier override survives: the change is merged, not a replacement.
    expect(after).toBe(
      'Topic: orders\tPartitions: 5\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=3600000',
    );

    expect((await cli('topics', '--delete', '--topic', 'orders')).stdout).toBe(
      'deleted topic orders\n',
    );
    expect((await cli('topics', '--list')).stdout.split('\n')).not.toContain('orders');
  });

  it('refuses --create without --topic as a usage error', async () => {
    const r = await cli('topics', '--create');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('streaming: topics --create needs --topic\n');
  });
});
