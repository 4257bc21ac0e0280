import { describe, expect, it } from 'vitest';
import { StreamProcessor } from '../runtime/stream-processor.ts';
import { RecordFactory } from '../test-support/records.ts';
import { tumbling } from '../windows.ts';
import { TopologyBuilder } from './topology-builder.ts';

const ORDERS = 'sales.order-placed';

interface Order {
  readonly status: 'confirmed' | 'rejected';
  readonly lines: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>;
}

describe('TopologyBuilder', () => {
  it('chains map, filter and flatMap before a keyed count', () => {
    const builder = new TopologyBuilder();
    const unitsPerSku = builder
      .stream<Order>(ORDERS)
      .filter((order) => order.status === 'confirmed')
      .flatMap((record) =>
        record.value.lines.map((line) => ({ key: line.sku, value: line.quantity })),
      )
      .map((record) => ({ key: record.key, value: record.value * 10 }))
      .groupByKey()
      .aggregate(
        'units-x10',
        () => 0,
        (total, units) => total + units,
      );
    const processor = new StreamProcessor(builder.build());
    const make = new RecordFactory();
    processor.process(
      make.record(ORDERS, 1, 'o-1', {
        status: 'confirmed',
        lines: [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 2 },
        ],
      }),
    );
    processor.process(
      make.record(ORDERS, 2, 'o-2', { status: 'rejected', lines: [{ sku: 'A', quantity: 5 }] }),
    );
    processor.process(
      make.record(ORDERS, 3, 'o-3', { status: 'confirmed', lines: [{ sku: 'A', quantity: 3 }] }),
    );
    expect(processor.entries(unitsPerSku)).toEqual([
      { key: 'A', window: null, value: 40 },
      { key: 'B', window: null, value: 20 },
    ]);
  });

  it('branches: two operations chained on one stream both see every record', () => {
    const builder = new TopologyBuilder();
    const orders = builder.stream<Order>(ORDERS);
    const byStatus = orders.groupBy((record) => record.value.status).count('orders-by-status');
    const perMinute = orders
      .groupBy(() => 'all')
      .windowedBy(tumbling(60_000))
      .count('orders-per-minute');
    const processor = new StreamProcessor(builder.build());
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 1_000, 'o-1', { status: 'confirmed', lines: [] }));
    processor.process(make.record(ORDERS, 2_000, 'o-2', { status: 'rejected', lines: [] }));
    processor.process(make.record(ORDERS, 3_000, 'o-3', { status: 'confirmed', lines: [] }));
    expect(processor.entries(byStatus).map((entry) => [entry.key, entry.value])).toEqual([
      ['confirmed', 2],
      ['rejected', 1],
    ]);
    expect(processor.entries(perMinute).map((entry) => entry.value)).toEqual([3]);
  });

  it('reads event time through a timestamp extractor', () => {
    const builder = new TopologyBuilder();
    const perMinute = builder
      .stream<{ occurredAt: string }>(ORDERS, {
        timestamp: (record) => Date.parse(record.value.occurredAt),
      })
      .groupBy(() => 'all')
      .windowedBy(tumbling(60_000), { grace: 3_600_000 })
      .count('orders-per-minute');
    const processor = new StreamProcessor(builder.build());
    const make = new RecordFactory();
    // Produced (Kafka timestamp) long after it happened: the window follows occurredAt.
    processor.process(
      make.record(ORDERS, 9_999_999, 'o-1', { occurredAt: '1970-01-01T00:01:30.000Z' }),
    );
    expect(processor.entries(perMinute)).toEqual([
      { key: 'all', window: { start: 60_000, end: 120_000 }, value: 1 },
    ]);
  });

  it('refuses two stores with one name and two sources for one topic', () => {
    const builder = new TopologyBuilder();
    const orders = builder.stream<Order>(ORDERS);
    orders.groupByKey().count('orders');
    expect(() => orders.groupByKey().count('orders')).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_NAME' }),
    );
    expect(() => builder.stream(ORDERS)).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_TOPIC' }),
    );
    expect(() => builder.table(ORDERS, { name: 'orders-table' })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_TOPIC' }),
    );
  });

  it('rejects a negative grace and an invalid partition count', () => {
    const builder = new TopologyBuilder();
    expect(() =>
      builder.stream('a').groupByKey().windowedBy(tumbling(1_000), { grace: -1 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_WINDOW' }));
    expect(() => builder.stream('b', { partitions: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('describes its stores with their configuration, independent of declaration order', () => {
    const build = (reverse: boolean) => {
      const builder = new TopologyBuilder();
      const orders = builder.stream<Order>(ORDERS);
      const steps = [
        () => orders.groupByKey().count('a'),
        () => orders.groupByKey().windowedBy(tumbling(60_000), { grace: 5_000 }).count('b'),
      ];
      for (const step of reverse ? steps.reverse() : steps) step();
      return builder.build().describe();
    };
    expect(build(false)).toBe(build(true));
    expect(build(false)).toBe('aggregate a\nwindowed-aggregate b tumbling(60000) grace=5000');
  });
});
