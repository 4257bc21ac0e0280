import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { BatchCombiner } from './batch-combiner.ts';
import type { BatchItem } from './consumer-runner.ts';

function batch(partition: number, ...events: string[]): BatchItem<unknown>[] {
  return events.map((event, index) => ({
    event,
    context: {
      topic: 't',
      partition,
      offset: String(index),
      key: null,
      headers: {},
      attempt: 1,
      groupId: 'g',
      trace: ROOT_CONTEXT,
    },
  }));
}

const eventsOf = (items: readonly BatchItem<unknown>[]) => items.map((item) => item.event);

describe('BatchCombiner', () => {
  it('runs the batches handed over at the same moment as one call, each in its own order', async () => {
    const calls: unknown[][] = [];
    const combiner = new BatchCombiner(async (items) => {
      calls.push(eventsOf(items));
    });
    await Promise.all([
      combiner.handle(batch(0, 'a1', 'a2')),
      combiner.handle(batch(1, 'b1')),
      combiner.handle(batch(2, 'c1', 'c2')),
    ]);
    expect(calls).toEqual([['a1', 'a2', 'b1', 'c1', 'c2']]);
    // A batch handed over later is a call of its own.
    await combiner.handle(batch(0, 'a3'));
    expect(calls.at(-1)).toEqual(['a3']);
  });

  it('when the shared call fails, runs each batch alone and fails only the one that fails', async () => {
    const calls: unknown[][] = [];
    const combiner = new BatchCombiner(async (items) => {
      calls.push(eventsOf(items));
      if (eventsOf(items).includes('poison')) throw new Error('cannot apply poison');
    });
    const outcomes = await Promise.allSettled([
      combiner.handle(batch(0, 'a1')),
      combiner.handle(batch(1, 'b1', 'poison')),
      combiner.handle(batch(2, 'c1')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('cannot apply poison'));
    expect(calls).toEqual([['a1', 'b1', 'poison', 'c1'], ['a1'], ['b1', 'poison'], ['c1']]);
  });

  it('passes a lone batch straight through, its error included', async () => {
    let calls = 0;
    const combiner = new BatchCombiner(async () => {
      calls += 1;
      throw new Error('database unavailable');
    });
    await expect(combiner.handle(batch(0, 'a1'))).rejects.toThrow('database unavailable');
    expect(calls).toBe(1);
  });
});
