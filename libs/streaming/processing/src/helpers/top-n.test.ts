import { describe, expect, it } from 'vitest';
import { StreamProcessor } from '../runtime/stream-processor.ts';
import { MINUTE, RecordFactory } from '../test-support/records.ts';
import { TopologyBuilder } from '../topology/topology-builder.ts';
import { hopping } from '../windows.ts';
import { addCount, topN } from './top-n.ts';

describe('topN', () => {
  it('ranks by count, largest first, ties by key, at most n', () => {
    expect(topN({ b: 3, a: 3, c: 5, d: 1 }, 3)).toEqual([
      { key: 'c', value: 5 },
      { key: 'a', value: 3 },
      { key: 'b', value: 3 },
    ]);
    expect(topN({}, 3)).toEqual([]);
  });

  it('gives the top products of each five-minute window, refreshed every minute', () => {
    const builder = new TopologyBuilder();
    const unitsPerSku = builder
      .stream<{ sku: string; quantity: number }>('sales.order-line')
      .groupBy(() => 'all')
      .windowedBy(hopping(5 * MINUTE, MINUTE), { grace: 10 * MINUTE })
      .aggregate(
        'units-per-sku',
        () => ({}) as Record<string, number>,
        (counts, line) => addCount(counts, line.sku, line.quantity),
      );
    const processor = new StreamProcessor(builder.build());
    const make = new RecordFactory();
    const sell = (minute: number, sku: string, quantity: number) =>
      processor.process(make.record('sales.order-line', minute * MINUTE, null, { sku, quantity }));
    sell(0, 'KETTLE', 5);
    sell(1, 'TOASTER', 2);
    sell(4, 'TOASTER', 2);
    sell(5, 'MUG', 3);
    sell(6, 'MUG', 1);

    const top2 = processor
      .entries(unitsPerSku)
      .map((entry) => [
        `${entry.window!.start / MINUTE}-${entry.window!.end / MINUTE}`,
        topN(entry.value, 2),
      ]);
    expect(top2).toEqual([
      [
        '0-5',
        [
          { key: 'KETTLE', value: 5 },
          { key: 'TOASTER', value: 4 },
        ],
      ],
      [
        '1-6',
        [
          { key: 'TOASTER', value: 4 },
          { key: 'MUG', value: 3 },
        ],
      ],
      [
        '2-7',
        [
          { key: 'MUG', value: 4 },
          { key: 'TOASTER', value: 2 },
        ],
      ],
      [
        '3-8',
        [
          { key: 'MUG', value: 4 },
          { key: 'TOASTER', value: 2 },
        ],
      ],
      [
        '4-9',
        [
          { key: 'MUG', value: 4 },
          { key: 'TOASTER', value: 2 },
        ],
      ],
      ['5-10', [{ key: 'MUG', value: 4 }]],
      ['6-11', [{ key: 'MUG', value: 1 }]],
    ]);
  });
});
