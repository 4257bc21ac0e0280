import { describe, expect, it } from 'vitest';
import { StreamProcessor } from '../runtime/stream-processor.ts';
import { TopologyBuilder } from '../topology/topology-builder.ts';
import { tumbling } from '../windows.ts';
import { streamRecordFrom } from './consumed-record.ts';

describe('streamRecordFrom', () => {
  it('turns a consumer record context (string offset, Kafka timestamp) into a processor record', () => {
    expect(
      streamRecordFrom(
        {
          topic: 't',
          partition: 2,
          offset: '9007199254740993',
          key: 'k',
          timestamp: '1700000000000',
        },
        { n: 1 },
      ),
    ).toEqual({
      topic: 't',
      partition: 2,
      offset: 9007199254740993n,
      timestamp: 1_700_000_000_000,
      key: 'k',
      value: { n: 1 },
    });
  });

  it('leaves event time to the topology when the consumer does not give a timestamp', () => {
    const builder = new TopologyBuilder();
    const perMinute = builder
      .stream<{ occurredAt: string }>('sales.order-placed', {
        timestamp: (record) => Date.parse(record.value.occurredAt),
      })
      .groupBy(() => 'all')
      .windowedBy(tumbling(60_000))
      .count('orders-per-minute');
    const processor = new StreamProcessor(builder.build());
    const record = streamRecordFrom(
      { topic: 'sales.order-placed', partition: 0, offset: '0', key: 'o-1' },
      { occurredAt: '2026-11-21T10:00:30Z' },
    );
    expect(processor.process(record)).toBe('processed');
    expect(processor.entries(perMinute)[0]!.window!.start).toBe(Date.parse('2026-11-21T10:00:00Z'));
  });
});
