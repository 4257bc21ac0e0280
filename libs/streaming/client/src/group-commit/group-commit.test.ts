import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.ts';
import { GroupCommit } from './group-commit.ts';

/** A commit that doubles each number, refuses 13, and records the batches it was given. */
function doubling(options: { unavailable?: boolean } = {}) {
  const batches: number[][] = [];
  const commits = new GroupCommit<number, number>({
    commit: async (items) => {
      batches.push([...items]);
      if (options.unavailable)
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (items.includes(13)) throw new Error('13 violates a check constraint');
      return items.map((item) => item * 2);
    },
    logger: silentLogger,
    what: 'numbers',
    maxBatch: 100,
  });
  return { commits, batches };
}

describe('group commit', () => {
  it('commits what is submitted together in one batch and answers each submitter its own result', async () => {
    const { commits, batches } = doubling();
    expect(await Promise.all([1, 2, 3].map((item) => commits.submit(item)))).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('retries a failed batch item by item, so only the refused item fails', async () => {
    const { commits, batches } = doubling();
    const outcomes = await Promise.allSettled([1, 13, 3].map((item) => commits.submit(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(batches).toEqual([[1, 13, 3], [1], [13], [3]]);
  });

  it('fails the whole batch at once when the database is unavailable', async () => {
    const { commits, batches } = doubling({ unavailable: true });
    const outcomes = await Promise.allSettled([1, 2].map((item) => commits.submit(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(batches).toEqual([[1, 2]]);
  });
});
