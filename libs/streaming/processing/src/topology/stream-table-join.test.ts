import { describe, expect, it } from 'vitest';
import type { StreamRecord } from '../record.ts';
import { StreamProcessor } from '../runtime/stream-processor.ts';
import { memoryState } from '../state/state-backend.ts';
import { RecordFactory } from '../test-support/records.ts';
import { TopologyBuilder } from './topology-builder.ts';

const ORDERS = 'sales.order-placed';
const STOCK = 'inventory.stock-level';

interface OrderLine {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
}

interface StockLevel {
  readonly available: number;
}

function ordersWithStock(options: { historyMs?: number; left?: boolean } = {}) {
  const builder = new TopologyBuilder();
  const stock = builder.table<StockLevel>(STOCK, {
    name: 'stock-level',
    historyMs: options.historyMs,
  });
  const lines = builder.stream<OrderLine>(ORDERS).selectKey((record) => record.value.sku);
  const joined: Array<StreamRecord<string>> = [];
  const describe = (line: OrderLine, level: StockLevel | undefined) =>
    `${line.orderId}:${line.sku} x${line.quantity} (available ${level?.available ?? 'unknown'})`;
  const output = options.left
    ? lines.leftJoin(stock, (line, level) => describe(line, level))
    : lines.join(stock, (line, level) => describe(line, level));
  output.forEach((record) => joined.push(record));
  return { topology: builder.build(), stock, joined };
}

describe('stream-table join', () => {
  it('joins each order line with the latest stock level of its sku at the time of the order', () => {
    const { topology, stock, joined } = ordersWithStock();
    const processor = new StreamProcessor(topology);
    const make = new RecordFactory();
    processor.process(make.record(STOCK, 1_000, 'SKU-1', { available: 10 }));
    processor.process(make.record(STOCK, 1_000, 'SKU-2', { available: 4 }));
    processor.process(
      make.record(ORDERS, 2_000, 'o-1', { orderId: 'o-1', sku: 'SKU-1', quantity: 2 }),
    );
    processor.process(make.record(STOCK, 3_000, 'SKU-1', { available: 8 }));
    processor.process(
      make.record(ORDERS, 4_000, 'o-2', { orderId: 'o-2', sku: 'SKU-1', quantity: 1 }),
    );
    processor.process(
      make.record(ORDERS, 4_000, 'o-3', { orderId: 'o-3', sku: 'SKU-2', quantity: 1 }),
    );

    expect(joined.map((record) => record.value)).toEqual([
      'o-1:SKU-1 x2 (available 10)',
      'o-2:SKU-1 x1 (available 8)',
      'o-3:SKU-2 x1 (available 4)',
    ]);
    expect(joined[1]).toMatchObject({ key: 'SKU-1', topic: ORDERS, offset: 1n, timestamp: 4_000 });
    expect(processor.tableValue(stock, 'SKU-1')).toEqual({ available: 8 });
  });

  it('drops a stream record with no table value (inner join), and keeps it for a left join', () => {
    const inner = ordersWithStock();
    const left = ordersWithStock({ left: true });
    for (const { topology } of [inner, left]) {
      const processor = new StreamProcessor(topology);
      const make = new RecordFactory();
      processor.process(
        make.record(ORDERS, 1_000, 'o-1', { orderId: 'o-1', sku: 'SKU-9', quantity: 1 }),
      );
    }
    expect(inner.joined).toEqual([]);
    expect(left.joined.map((record) => record.value)).toEqual(['o-1:SKU-9 x1 (available unknown)']);
  });

  it('forgets a key when the compacted topic carries a tombstone (null value) for it', () => {
    const { topology, stock, joined } = ordersWithStock();
    const processor = new StreamProcessor(topology);
    const make = new RecordFactory();
    processor.process(make.record(STOCK, 1_000, 'SKU-1', { available: 10 }));
    processor.process(make.record(STOCK, 2_000, 'SKU-1', null));
    processor.process(
      make.record(ORDERS, 3_000, 'o-1', { orderId: 'o-1', sku: 'SKU-1', quantity: 1 }),
    );
    expect(joined).toEqual([]);
    expect(processor.tableValue(stock, 'SKU-1')).toBeUndefined();
    expect(processor.snapshot().tables).toEqual({ 'stock-level': [] });
  });

  it('with history, joins an out-of-order stream record with the value current at its event time', () => {
    const { topology, joined } = ordersWithStock({ historyMs: 60_000 });
    const processor = new StreamProcessor(topology);
    const make = new RecordFactory();
    processor.process(make.record(STOCK, 1_000, 'SKU-1', { available: 10 }));
    processor.process(make.record(STOCK, 5_000, 'SKU-1', { available: 7 }));
    processor.process(
      make.record(ORDERS, 6_000, 'o-2', { orderId: 'o-2', sku: 'SKU-1', quantity: 3 }),
    );
    // Placed at 3 s, read after the 5 s update: it sees the level of 3 s.
    processor.process(
      make.record(ORDERS, 3_000, 'o-1', { orderId: 'o-1', sku: 'SKU-1', quantity: 1 }),
    );
    expect(joined.map((record) => record.value)).toEqual([
      'o-2:SKU-1 x3 (available 7)',
      'o-1:SKU-1 x1 (available 10)',
    ]);
  });

  it('without history, joins with the latest value whatever the stream record time', () => {
    const { topology, joined } = ordersWithStock();
    const processor = new StreamProcessor(topology);
    const make = new RecordFactory();
    processor.process(make.record(STOCK, 1_000, 'SKU-1', { available: 10 }));
    processor.process(make.record(STOCK, 5_000, 'SKU-1', { available: 7 }));
    processor.process(
      make.record(ORDERS, 3_000, 'o-1', { orderId: 'o-1', sku: 'SKU-1', quantity: 1 }),
    );
    expect(joined.map((record) => record.value)).toEqual(['o-1:SKU-1 x1 (available 7)']);
  });

  it('looks up by a key function when the stream is keyed otherwise', () => {
    const builder = new TopologyBuilder();
    const stock = builder.table<StockLevel>(STOCK, { name: 'stock-level' });
    const seen: number[] = [];
    builder
      .stream<OrderLine>(ORDERS)
      .join(stock, (line, level) => level.available - line.quantity, {
        key: (record) => record.value.sku,
      })
      .forEach((record) => seen.push(record.value));
    const processor = new StreamProcessor(builder.build());
    const make = new RecordFactory();
    processor.process(make.record(STOCK, 1_000, 'SKU-1', { available: 10 }));
    processor.process(
      make.record(ORDERS, 2_000, 'o-1', { orderId: 'o-1', sku: 'SKU-1', quantity: 4 }),
    );
    expect(seen).toEqual([6]);
  });

  describe('a table that keeps part of each value', () => {
    interface StockEvent {
      readonly id: string;
      readonly available: number;
      readonly reorderPoint: number;
    }
    const low = (event: StockEvent) => ({ low: event.available <= event.reorderPoint });

    function lowStockTable(keepName = 'low') {
      const builder = new TopologyBuilder();
      const stock = builder.table<StockEvent, { low: boolean }>(STOCK, {
        name: 'stock-level',
        historyMs: 60_000,
        keep: { name: keepName, select: low },
      });
      const joined: string[] = [];
      builder
        .stream<OrderLine>(ORDERS)
        .selectKey((record) => record.value.sku)
        .leftJoin(stock, (line, status) => `${line.orderId} low=${status?.low ?? 'unknown'}`)
        .forEach((record) => joined.push(record.value));
      return { topology: builder.build(), stock, joined };
    }
    const level = (id: string, available: number) => ({ id, available, reorderPoint: 3 });
    const order = (orderId: string) => ({ orderId, sku: 'SKU-1', quantity: 1 });

    it('joins and reads only the kept part, and stores a version only when it changes', () => {
      const { topology, stock, joined } = lowStockTable();
      const state = memoryState();
      const processor = new StreamProcessor(topology, { state });
      const make = new RecordFactory();
      processor.process(make.record(STOCK, 1_000, 'SKU-1', level('e1', 9)));
      processor.process(make.record(STOCK, 2_000, 'SKU-1', level('e2', 8)));
      processor.process(make.record(STOCK, 3_000, 'SKU-1', level('e3', 3)));
      processor.process(make.record(STOCK, 4_000, 'SKU-1', level('e4', 2)));
      processor.process(make.record(STOCK, 5_000, 'SKU-1', level('e5', 10)));
      for (const [at, id] of [
        [1_500, 'o-1'],
        [2_500, 'o-2'],
        [3_500, 'o-3'],
        [4_500, 'o-4'],
        [5_500, 'o-5'],
      ] as const) {
        processor.process(make.record(ORDERS, at, id, order(id)));
      }

      expect(joined).toEqual([
        'o-1 low=false',
        'o-2 low=false',
        'o-3 low=true',
        'o-4 low=true',
        'o-5 low=false',
      ]);
      expect(processor.tableValue(stock, 'SKU-1')).toEqual({ low: false });
      processor.checkpoint();
      // Three changes of the kept value, not five events (and none of their ids).
      expect(state.load()?.stores['stock-level']).toEqual([
        [
          'SKU-1',
          [
            { timestamp: 1_000, value: { low: false } },
            { timestamp: 3_000, value: { low: true } },
            { timestamp: 5_000, value: { low: false } },
          ],
        ],
      ]);
    });

    it('answers as if every version were kept when an update arrives out of order', () => {
      const { topology, joined } = lowStockTable();
      const processor = new StreamProcessor(topology);
      const make = new RecordFactory();
      processor.process(make.record(STOCK, 1_000, 'SKU-1', level('e1', 9)));
      processor.process(make.record(STOCK, 5_000, 'SKU-1', level('e3', 2)));
      // Late: the level was already low at 3 s, which makes the 5 s version a repeat.
      processor.process(make.record(STOCK, 3_000, 'SKU-1', level('e2', 1)));
      processor.process(make.record(ORDERS, 2_000, 'o-1', order('o-1')));
      processor.process(make.record(ORDERS, 4_000, 'o-2', order('o-2')));
      processor.process(make.record(ORDERS, 6_000, 'o-3', order('o-3')));
      expect(joined).toEqual(['o-1 low=false', 'o-2 low=true', 'o-3 low=true']);
    });

    it('keeps a tombstone a tombstone', () => {
      const { topology, stock } = lowStockTable();
      const processor = new StreamProcessor(topology);
      const make = new RecordFactory();
      processor.process(make.record(STOCK, 1_000, 'SKU-1', level('e1', 9)));
      processor.process(make.record(STOCK, 2_000, 'SKU-1', null));
      expect(processor.tableValue(stock, 'SKU-1')).toBeUndefined();
    });

    it('names what it keeps in the topology, so a checkpoint kept otherwise is not resumed', () => {
      const state = memoryState();
      const first = new StreamProcessor(lowStockTable('low').topology, { state });
      first.process(new RecordFactory().record(STOCK, 1_000, 'SKU-1', level('e1', 9)));
      first.checkpoint();
      expect(() =>
        new StreamProcessor(lowStockTable('low-and-out').topology, { state }).restore(),
      ).toThrow(expect.objectContaining({ code: 'STATE_TOPOLOGY_MISMATCH' }));
      expect(new StreamProcessor(lowStockTable('low').topology, { state }).restore()).toEqual(
        first.restore(),
      );
    });
  });
});
