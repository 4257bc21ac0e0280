import { describe, expect, it } from 'vitest';
import type { StreamRecord } from '../record.ts';
import { StreamProcessor } from '../runtime/stream-processor.ts';
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
});
