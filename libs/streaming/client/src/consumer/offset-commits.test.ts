import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EachBatchPayload } from 'kafkajs';
import { silentLogger } from '../logger.ts';
import { OffsetCommits } from './offset-commits.ts';

type Commit = EachBatchPayload['commitOffsetsIfNecessary'];

/** kafkajs' two commit functions of a batch payload, recording how they are called. */
function client(commit: Commit = async () => undefined) {
  const calls: ('due' | 'all')[] = [];
  const uncommitted = { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '7' }] }] };
  return {
    calls,
    uncommitted,
    payload: {
      commitOffsetsIfNecessary: vi.fn<Commit>(async (offsets) => {
        calls.push(offsets === undefined ? 'due' : 'all');
        await commit(offsets);
      }),
      uncommittedOffsets: () => uncommitted,
    },
  };
}

describe('offset commits', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks the client for a due commit every half interval once it has seen a batch', async () => {
    const commits = new OffsetCommits({ groupId: 'g', intervalMs: 1_000, logger: silentLogger });
    const kafka = client();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(kafka.calls).toEqual([]);
    commits.track(kafka.payload);
    await vi.advanceTimersByTimeAsync(1_000);
    // kafkajs decides whether the interval has passed and sends nothing when no offset changed.
    expect(kafka.calls).toEqual(['due', 'due']);
    commits.dispose();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(kafka.calls).toHaveLength(2);
  });

  it('forgets a crashed client: nothing goes through it any more', async () => {
    const commits = new OffsetCommits({ groupId: 'g', intervalMs: 1_000, logger: silentLogger });
    const crashed = client();
    commits.track(crashed.payload);
    commits.forget();
    await vi.advanceTimersByTimeAsync(2_000);
    await commits.commitAll();
    expect(crashed.calls).toEqual([]);
    const restarted = client();
    commits.track(restarted.payload);
    await commits.commitAll();
    expect(restarted.calls).toEqual(['all']);
    commits.dispose();
  });

  it('commits every resolved offset on demand, whatever the interval', async () => {
    const commits = new OffsetCommits({ groupId: 'g', intervalMs: 60_000, logger: silentLogger });
    const kafka = client();
    commits.track(kafka.payload);
    await commits.commitAll();
    expect(kafka.payload.commitOffsetsIfNecessary).toHaveBeenCalledWith(kafka.uncommitted);
    commits.dispose();
  });

  it('sends one commit after another, so an older one never overtakes a newer one', async () => {
    const order: string[] = [];
    const { promise: first, resolve: release } = Promise.withResolvers<void>();
    let calls = 0;
    const kafka = client(async () => {
      calls += 1;
      const call = calls;
      order.push(`start ${call}`);
      if (call === 1) await first;
      order.push(`end ${call}`);
    });
    const commits = new OffsetCommits({ groupId: 'g', intervalMs: 60_000, logger: silentLogger });
    commits.track(kafka.payload);
    const one = commits.commitAll();
    const two = commits.commitAll();
    await vi.advanceTimersByTimeAsync(10);
    expect(order).toEqual(['start 1']);
    release();
    await Promise.all([one, two]);
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    commits.dispose();
  });

  it('logs a failed commit and goes on: its records are delivered again', async () => {
    const warnings: object[] = [];
    const logger = { ...silentLogger, warn: (fields: object) => warnings.push(fields) };
    const kafka = client(async () => {
      throw new Error('The group is rebalancing');
    });
    const commits = new OffsetCommits({ groupId: 'g', intervalMs: 60_000, logger });
    commits.track(kafka.payload);
    await expect(commits.commitAll()).resolves.toBeUndefined();
    expect(warnings).toEqual([{ groupId: 'g', error: 'The group is rebalancing' }]);
    await expect(commits.commitAll()).resolves.toBeUndefined();
    expect(kafka.calls).toEqual(['all', 'all']);
    commits.dispose();
  });
});
