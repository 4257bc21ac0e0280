import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, startTestBroker } from '../test-support/cli-harness.ts';
import type { TestBroker } from '../test-support/cli-harness.ts';

interface DescribedGroup {
  group: string;
  state: string;
  members: { memberId: string; assignment: Record<string, number[]> }[];
  partitions: {
    topic: string;
    partition: number;
    committed: number | null;
    logEnd: number;
    lag: number | null;
    memberId: string | null;
  }[];
  totalLag: number;
}

describe('streaming groups', () => {
  let broker: TestBroker;
  const cli = (args: string[], input?: string) =>
    runCli([...args, '--bootstrap-server', broker.bootstrap], { input });
  const describeJson = async (group: string) => {
    const r = await cli(['groups', '--describe', '--group', group, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as DescribedGroup;
  };
  beforeAll(async () => {
    broker = await startTestBroker();
    await cli(['topics', '--create', '--topic', 'orders', '--partitions', '2']);
    await cli(['produce', '-t', 'orders', '-p', '0'], 'o1\no2\no3\no4\n');
    await cli(['produce', '-t', 'orders', '-p', '1'], 'o5\no6\n');
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('describes committed offsets, log end and lag per partition', async () => {
    // Partition 0 first (4 records), max 3: the group commits 3 on partition 0 and 0 on partition 1.
    const read = await cli([
      'consume',
      '-t',
      'orders',
      '-g',
      'billing',
      '--partition',
      '0',
      '--from-beginning',
      '-n',
      '3',
    ]);
    expect(read.stdout).toBe('o1\no2\no3\n');

    expect((await cli(['groups', '--list'])).stdout).toBe('billing\n');
    const table = await cli(['groups', '--describe', '--group', 'billing']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toBe('Group: billing\tState: Empty\tMembers: 0\tProtocol: -\tTotal lag: 1');
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      [
        'TOPIC',
        'PARTITION',
        'CURRENT-OFFSET',
        'LOG-END-OFFSET',
        'LAG',
        'CONSUMER-ID',
        'HOST',
        'CLIENT-ID',
      ],
      ['orders', '0', '3', '4', '1', '-', '-', '-'],
    ]);

    // Lag follows new records.
    await cli(['produce', '-t', 'orders', '-p', '0'], 'o7\no8\n');
    const json = await describeJson('billing');
    expect(json.partitions).toEqual([
      {
        topic: 'orders',
        partition: 0,
        committed: 3,
        logEnd: 6,
        lag: 3,
        memberId: null,
        clientId: null,
        host: null,
      },
    ]);
    expect(json.totalLag).toBe(3);
  });

  it('resets offsets, which changes what the group reads next; --dry-run changes nothing', async () => {
    await cli(['consume', '-t', 'orders', '-g', 'audit', '--from-beginning', '-e']);
    const before = await describeJson('audit');
    expect(before.partitions.map((p) => p.lag)).toEqual([0, 0]);

    const dry = await cli([
      'groups',
      '--reset-offsets',
      '--group',
      'audit',
      '--topic',
      'orders',
      '--to-earliest',
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(
      dry.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
      ['audit', 'orders', '0', '6', '0'],
      ['audit', 'orders', '1', '2', '0'],
      ['dry', 'run:', 'nothing', 'changed'],
    ]);
    expect((await describeJson('audit')).partitions.map((p) => p.committed)).toEqual([6, 2]);

    const shifted = await cli([
      'groups',
      '--reset-offsets',
      '--group',
      'audit',
      '--topic',
      'orders',
      '--shift-by',
      '-2',
    ]);
    expect(shifted.code).toBe(0);
    expect((await describeJson('audit')).partitions.map((p) => [p.committed, p.lag])).toEqual([
      [4, 2],
      [0, 2],
    ]);
    const next = await cli(['consume', '-t', 'orders', '-g', 'audit', '-e']);
    expect(next.stdout.trim().split('\n').sort()).toEqual(['o5', 'o6', 'o7', 'o8']);

    await cli([
      'groups',
      '--reset-offsets',
      '--group',
      'audit',
      '--all-topics',
      '--to-offset',
      '5',
    ]);
    expect((await describeJson('audit')).partitions.map((p) => p.committed)).toEqual([5, 2]);

    // A time after every record: the end of each partition.
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await cli([
      'groups',
      '--reset-offsets',
      '--group',
      'audit',
      '--topic',
      'orders',
      '--to-datetime',
      future,
    ]);
    expect((await describeJson('audit')).partitions.map((p) => p.committed)).toEqual([6, 2]);
    await cli([
      'groups',
      '--reset-offsets',
      '--group',
      'audit',
      '--topic',
      'orders',
      '--to-datetime',
      '2000-01-01T00:00:00Z',
    ]);
    expect((await describeJson('audit')).partitions.map((p) => p.committed)).toEqual([0, 0]);
  });

  it('shows two members splitting the partitions, refuses to reset an active group, and Ctrl-C leaves cleanly', async () => {
    const a = spawnCli(['consume', '-t', 'orders', '-g', 'shipping', '-b', broker.bootstrap]);
    const b = spawnCli(['consume', '-t', 'orders', '-g', 'shipping', '-b', broker.bootstrap]);
    try {
      // Wait (without a clock) until the group settled with both members, one partition each.
      let described: DescribedGroup | null;
      do {
        const r = await cli(['groups', '--describe', '--group', 'shipping', '--json']);
        described = r.code === 0 ? (JSON.parse(r.stdout) as DescribedGroup) : null;
      } while (
        !described ||
        described.state !== 'Stable' ||
        described.members.length !== 2 ||
        described.members.some((m) => (m.assignment.orders ?? []).length !== 1)
      );
      expect(described.members.flatMap((m) => m.assignment.orders).sort()).toEqual([0, 1]);

      const refused = await cli([
        'groups',
        '--reset-offsets',
        '--group',
        'shipping',
        '--topic',
        'orders',
        '--to-earliest',
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^streaming: group shipping has 2 active member\(s\) \(state Stable\): stop its consumers first\n$/,
      );
    } finally {
      a.kill('SIGINT');
      b.kill('SIGINT');
    }
    expect((await a.exit).code).toBe(0);
    expect((await b.exit).code).toBe(0);
    expect((await describeJson('shipping')).members).toEqual([]);
  });

  it('fails clearly for an unknown group', async () => {
    const r = await cli(['groups', '--describe', '--group', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('streaming: unknown group nobody\n');
  });
});
