import { describe, expect, it } from 'vitest';
import { consoleTable, markdown, median, summarise } from './group-report.ts';
import type { GroupBenchResults } from './group-report.ts';
import type { MembershipRun } from './group-scenarios.ts';

const run = (k: number): MembershipRun => ({
  formFromSpawnMs: 1000 * k,
  formFromLastStartMs: 300 * k,
  killRebalanceMs: 2000 + 100 * k,
  killAboveSessionMs: 100 * k,
  leaveRebalanceMs: 400 * k,
  leaveCloseMs: 50 * k,
  killBrokerMs: 2000 + 50 * k,
  leaveBrokerMs: 20 * k,
});

function results(): GroupBenchResults {
  const runs = [run(1), run(3), run(2)];
  return {
    date: '2026-11-21T00:00:00.000Z',
    quick: false,
    durationSeconds: 90,
    machine: {
      cpu: 'test cpu',
      cores: 2,
      memoryGiB: 24,
      kernel: 'k',
      node: 'v24',
      loadAverage1mAtStart: 1,
    },
    settings: {
      partitions: 6,
      sessionTimeoutMs: 2000,
      heartbeatIntervalMs: 300,
      kafkajsMaxWaitMs: 100,
      consumeSessionTimeoutMs: 10000,
      membershipRuns: 3,
    },
    membership: [{ client: 'kafkajs', runs, median: summarise(runs) }],
    consume: [
      {
        client: 'kafkajs',
        members: 1,
        recordBytes: 100,
        records: 1000,
        seconds: 1,
        recordsPerSec: 1000,
        mbPerSec: 0.1,
        formMs: 5,
      },
      {
        client: 'kafkajs',
        members: 3,
        recordBytes: 100,
        records: 1000,
        seconds: 0.5,
        recordsPerSec: 2000,
        mbPerSec: 0.2,
        formMs: 5,
        note: '7 records delivered twice',
      },
    ],
    errors: ['librdkafka consume 100 B with 3 member(s): [GROUP_BENCH_TIMEOUT] not reached'],
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summarise', () => {
  it('takes the median of each figure over the runs', () => {
    expect(summarise([run(1), run(3), run(2)])).toEqual(run(2));
    expect(summarise([])).toBeNull();
  });
});

describe('the group benchmark report', () => {
  it('shows the medians with their range, the consume rows with notes, and the errors', () => {
    const text = consoleTable(results());
    expect(text).toMatch(/\| kafkajs +\| 3 +\| 2000 ms \(1000\.\.3000\)/);
    expect(text).toMatch(/\| kafkajs +\| SIGKILL \(S = 2000 ms\) +\| 2100 ms \(2050\.\.2150\)/);
    expect(text).toContain('7 records delivered twice');
    expect(text).toContain('[GROUP_BENCH_TIMEOUT]');
  });

  it('writes a page with method, machine, both tables, the 3-vs-1 ratio and the errors', () => {
    const page = markdown(results());
    for (const heading of [
      '## Method',
      '## Machine',
      '## Group formation',
      '## Rebalance after losing a member',
      '## Consume throughput in group mode',
      '## What bounds these figures',
      '## Errors',
    ]) {
      expect(page).toContain(heading);
    }
    expect(page).toContain('kafkajs 2.00x (100 B)');
    expect(page).toContain('S = 2000 ms');
  });
});
