import { describe, expect, it } from 'vitest';
import { StreamProcessor } from '../runtime/stream-processor.ts';
import { MINUTE, RecordFactory } from '../test-support/records.ts';
import { hopping, tumbling } from '../windows.ts';
import type { AggregateResult, LateRecord } from './runtime-context.ts';
import { TopologyBuilder } from './topology-builder.ts';

const ORDERS = 'sales.order-placed';

interface Order {
  readonly amount: number;
}

/** Orders and revenue per minute, with the given grace, all orders in one group ("all"). */
function perMinute(graceMs: number) {
  const builder = new TopologyBuilder();
  const perMinute = builder
    .stream<Order>(ORDERS)
    .groupBy(() => 'all')
    .windowedBy(tumbling(MINUTE), { grace: graceMs })
    .aggregate(
      'orders-per-minute',
      () => ({ orders: 0, revenue: 0 }),
      (total, order) => ({ orders: total.orders + 1, revenue: total.revenue + order.amount }),
    );
  return { topology: builder.build(), perMinute };
}

describe('windowed aggregation', () => {
  it('counts orders and revenue per one-minute tumbling window', () => {
    const { topology, perMinute: handle } = perMinute(0);
    const finals: AggregateResult[] = [];
    const processor = new StreamProcessor(topology, {
      onResult: (result) => result.final && finals.push(result),
    });
    const make = new RecordFactory();
    for (const [time, amount] of [
      [5_000, 10],
      [59_999, 20],
      [60_000, 5],
      [61_000, 7],
      [125_000, 1],
    ] as const) {
      processor.process(make.record(ORDERS, time, 'order', { amount }));
    }
    // With no grace, a minute closes as soon as stream time reaches its end: its final value is
    // emitted and it leaves the store; the third minute is still open.
    expect(finals.map((result) => [result.window, result.value])).toEqual([
      [
        { start: 0, end: 60_000 },
        { orders: 2, revenue: 30 },
      ],
      [
        { start: 60_000, end: 120_000 },
        { orders: 2, revenue: 12 },
      ],
    ]);
    expect(processor.entries(handle)).toEqual([
      { key: 'all', window: { start: 120_000, end: 180_000 }, value: { orders: 1, revenue: 1 } },
    ]);
  });

  it('emits every update, then the final value once when the window closes', () => {
    const { topology } = perMinute(0);
    const results: AggregateResult[] = [];
    const processor = new StreamProcessor(topology, { onResult: (result) => results.push(result) });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 1_000, 'a', { amount: 3 }));
    processor.process(make.record(ORDERS, 2_000, 'b', { amount: 4 }));
    processor.process(make.record(ORDERS, 60_000, 'c', { amount: 1 }));
    const firstMinute = results.filter((result) => result.window?.start === 0);
    expect(firstMinute.map((result) => [result.value, result.final])).toEqual([
      [{ orders: 1, revenue: 3 }, false],
      [{ orders: 2, revenue: 7 }, false],
      [{ orders: 2, revenue: 7 }, true],
    ]);
  });

  it('counts an out-of-order event that arrives within the grace period in its own window', () => {
    const { topology, perMinute: handle } = perMinute(10_000);
    const processor = new StreamProcessor(topology);
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 50_000, 'a', { amount: 1 }));
    processor.process(make.record(ORDERS, 65_000, 'b', { amount: 1 })); // stream time 65 s
    processor.process(make.record(ORDERS, 58_000, 'c', { amount: 1 })); // 60 s + 10 s grace not passed
    expect(processor.entries(handle)[0]).toEqual({
      key: 'all',
      window: { start: 0, end: 60_000 },
      value: { orders: 2, revenue: 2 },
    });
    expect(processor.metrics.late).toEqual({});
  });

  it('reports an event that arrives after the grace period as late and does not count it', () => {
    const { topology } = perMinute(10_000);
    const late: LateRecord[] = [];
    const finals: AggregateResult[] = [];
    const processor = new StreamProcessor(topology, {
      onLate: (event) => late.push(event),
      onResult: (result) => result.final && finals.push(result),
    });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 50_000, 'a', { amount: 1 }));
    processor.process(make.record(ORDERS, 70_000, 'b', { amount: 1 })); // stream time 70 s: minute 0 closes
    const straggler = make.record(ORDERS, 59_000, 'c', { amount: 100 });
    processor.process(straggler);

    expect(finals.map((result) => [result.window, result.value])).toEqual([
      [
        { start: 0, end: 60_000 },
        { orders: 1, revenue: 1 },
      ],
    ]);
    expect(late).toEqual([
      {
        aggregation: 'orders-per-minute',
        key: 'all',
        // The record as the aggregation saw it: regrouped, same position and event time.
        record: { ...straggler, key: 'all' },
        windows: [{ start: 0, end: 60_000 }],
        streamTime: 70_000,
      },
    ]);
    expect(processor.metrics.late).toEqual({ 'orders-per-minute': 1 });
    // The straggler did not reopen the closed minute.
    expect(processor.entries('orders-per-minute').map((entry) => entry.window?.start)).toEqual([
      60_000,
    ]);
  });

  it('puts a record in every overlapping hopping window', () => {
    const builder = new TopologyBuilder();
    const views = builder
      .stream<Order>(ORDERS)
      .groupByKey()
      .windowedBy(hopping(3 * MINUTE, MINUTE), { grace: 5 * MINUTE })
      .count('views');
    const processor = new StreamProcessor(builder.build());
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 3 * MINUTE + 1_000, 'SKU-1', { amount: 1 }));
    expect(processor.entries(views)).toEqual([
      { key: 'SKU-1', window: { start: 1 * MINUTE, end: 4 * MINUTE }, value: 1 },
      { key: 'SKU-1', window: { start: 2 * MINUTE, end: 5 * MINUTE }, value: 1 },
      { key: 'SKU-1', window: { start: 3 * MINUTE, end: 6 * MINUTE }, value: 1 },
    ]);
  });

  it('counts a hopping record in its still-open windows and reports only the closed ones as late', () => {
    const builder = new TopologyBuilder();
    builder
      .stream<Order>(ORDERS)
      .groupByKey()
      .windowedBy(hopping(3 * MINUTE, MINUTE))
      .count('views');
    const late: LateRecord[] = [];
    const processor = new StreamProcessor(builder.build(), { onLate: (event) => late.push(event) });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 3.5 * MINUTE, 'SKU-1', null)); // windows from 1, 2, 3 min
    processor.process(make.record(ORDERS, 2 * MINUTE, 'SKU-1', null)); // windows from 0, 1, 2 min
    expect(late.map((event) => event.windows)).toEqual([[{ start: 0, end: 3 * MINUTE }]]);
    expect(
      processor
        .entries<number>('views')
        .map((entry) => [entry.window!.start / MINUTE, entry.value]),
    ).toEqual([
      [1, 2],
      [2, 2],
      [3, 1],
    ]);
  });

  it('ends with the same aggregates for out-of-order input within grace as for the same input in order', () => {
    const times = [1_000, 15_000, 31_000, 44_000, 59_000, 61_000, 75_000, 89_000, 118_000, 121_000];
    const shuffled = [
      31_000, 1_000, 61_000, 44_000, 15_000, 89_000, 59_000, 121_000, 75_000, 118_000,
    ];
    const run = (order: number[]) => {
      const { topology } = perMinute(30_000);
      const processor = new StreamProcessor(topology, { collectChanges: true });
      const make = new RecordFactory();
      for (const time of order)
        processor.process(make.record(ORDERS, time, null, { amount: time / 1_000 }));
      // The latest result per window, closed or not: what a results table upserted from the feed holds.
      const perWindow = processor
        .drainChanges()
        .map((result) => [result.window!.start, result.value] as const)
        .sort(([a], [b]) => a - b);
      return { perWindow, late: processor.metrics.late };
    };
    const inOrder = run(times);
    const outOfOrder = run(shuffled);
    expect(outOfOrder).toEqual(inOrder);
    expect(inOrder).toEqual({
      perWindow: [
        [0, { orders: 5, revenue: 150 }],
        [60_000, { orders: 4, revenue: 343 }],
        [120_000, { orders: 1, revenue: 121 }],
      ],
      late: {},
    });
  });

  it('keeps stream time per partition, so a partition that lags behind another is not late', () => {
    const builder = new TopologyBuilder();
    const handle = builder
      .stream<Order>(ORDERS, { partitions: 2 })
      .groupBy(() => 'all')
      .windowedBy(tumbling(MINUTE))
      .aggregate(
        'orders-per-minute',
        () => ({ orders: 0, revenue: 0 }),
        (total, order) => ({ orders: total.orders + 1, revenue: total.revenue + order.amount }),
      );
    const late: LateRecord[] = [];
    const processor = new StreamProcessor(builder.build(), { onLate: (event) => late.push(event) });
    const make = new RecordFactory();
    // Partition 1 is read far ahead (as in a replay); partition 0's older records are still on time.
    processor.process(make.record(ORDERS, 10 * MINUTE, 'a', { amount: 1 }, 1));
    processor.process(make.record(ORDERS, 30_000, 'b', { amount: 2 }, 0));
    processor.process(make.record(ORDERS, 40_000, 'c', { amount: 3 }, 0));
    expect(late).toEqual([]);
    expect(processor.entries(handle)[0]).toEqual({
      key: 'all',
      window: { start: 0, end: MINUTE },
      value: { orders: 2, revenue: 5 },
    });
  });

  it('closes a window only when every declared partition has passed it', () => {
    const builder = new TopologyBuilder();
    builder
      .stream<Order>(ORDERS, { partitions: 2 })
      .groupBy(() => 'all')
      .windowedBy(tumbling(MINUTE))
      .count('orders');
    const finals: AggregateResult[] = [];
    const processor = new StreamProcessor(builder.build(), {
      onResult: (result) => result.final && finals.push(result),
    });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 10_000, 'a', null, 0));
    processor.process(make.record(ORDERS, 5 * MINUTE, 'b', null, 0));
    expect(finals).toEqual([]); // partition 1 not seen yet: it may still hold minute 0
    processor.process(make.record(ORDERS, 20_000, 'c', null, 1));
    processor.process(make.record(ORDERS, 2 * MINUTE, 'd', null, 1));
    expect(finals.map((result) => [result.window!.start, result.value])).toEqual([[0, 2]]);
  });

  it('without declared partitions, reports a partition first seen after a window closed as late for it', () => {
    const { topology } = perMinute(0);
    const late: LateRecord[] = [];
    const processor = new StreamProcessor(topology, { onLate: (event) => late.push(event) });
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 10 * MINUTE, 'a', { amount: 1 }, 1));
    processor.process(make.record(ORDERS, 30_000, 'b', { amount: 2 }, 0));
    // Minute 0 already closed for good (its result is final), so it cannot take the record any more.
    expect(late.map((event) => [event.record.partition, event.windows])).toEqual([
      [0, [{ start: 0, end: MINUTE }]],
    ]);
  });

  it('drops records whose group key is null', () => {
    const builder = new TopologyBuilder();
    const counts = builder
      .stream<Order>(ORDERS)
      .groupByKey()
      .windowedBy(tumbling(MINUTE))
      .count('by-key');
    const processor = new StreamProcessor(builder.build());
    const make = new RecordFactory();
    processor.process(make.record(ORDERS, 1_000, null, { amount: 1 }));
    processor.process(make.record(ORDERS, 2_000, 'k', { amount: 1 }));
    expect(processor.entries(counts).map((entry) => [entry.key, entry.value])).toEqual([['k', 1]]);
  });
});
