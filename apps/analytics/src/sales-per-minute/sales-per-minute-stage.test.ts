import { decodeEvent, encodeEvent, keyOf, topics, type EventOf } from '@retail-streams/contracts';
import {
  startStreamingFixture,
  type StreamingFixture,
} from '@retail-streams/streaming-client/testing';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../test-support/analytics-environment.ts';
import { readCommittedToSentinels } from './committed-reader.ts';
import { SALES_PER_MINUTE_GROUP, salesPerMinuteStage } from './sales-per-minute-stage.ts';
import { minuteStart, rejectedAt, reservedAt, second } from './sales-test-events.ts';

const OUTPUT = topics.salesPerMinute.name;
const settings = { windowMs: 60_000, graceMs: 10_000 };

let fixture: StreamingFixture;

beforeAll(async () => {
  fixture = await startStreamingFixture('sales-per-minute-test');
});

afterAll(async () => {
  await fixture.stop();
});

async function publish(
  events: EventOf<typeof topics.reservationResult>[],
  partition: number,
): Promise<void> {
  await fixture.streaming.producer.sendRecords(
    topics.reservationResult.name,
    events.map((event) => ({
      key: keyOf(topics.reservationResult, event),
      value: encodeEvent(event),
      partition,
    })),
  );
}

/** "<window start> <sku> <units>/<orders>" for each committed output record, in read order per key. */
function lines(messages: KafkaMessage[]): string[] {
  return messages
    .map((message) => {
      const event = decodeEvent(topics.salesPerMinute, message.value);
      const { windowStart, sku, quantity, orders } = event.data;
      return `${windowStart} ${sku} ${quantity}/${orders}`;
    })
    .sort();
}

async function committedOffsets(): Promise<Map<number, string>> {
  const admin = fixture.kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({
      groupId: SALES_PER_MINUTE_GROUP,
      topics: [topics.reservationResult.name],
    });
    return new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

describe('the sales-per-minute stage on a real broker', () => {
  it('publishes each closed window once per SKU, exact across a stop that loses its open windows', async () => {
    const first = salesPerMinuteStage(fixture.streaming, settings);
    await first.start();
    await publish(
      [
        reservedAt(second(5), [{ sku: 'SKU-A', quantity: 2 }]),
        reservedAt(second(50), [{ sku: 'SKU-B', quantity: 1 }]),
        rejectedAt(second(55), [{ sku: 'SKU-A', quantity: 50 }]),
      ],
      0,
    );
    await publish([reservedAt(second(20), [{ sku: 'SKU-A', quantity: 3 }])], 1);
    // Minute 0 stays open: stream time (10:00:55) has not passed 10:01:10. The stage committed its
    // offsets at the first records still counted: offset 0 of both partitions.
    await eventually(
      'the stage to commit its first transactions',
      committedOffsets,
      (offsets) => offsets.get(0) === '0' && offsets.get(1) === '0',
    );
    await first.stop();

    // Everything counted so far is only in the stopped stage's memory: the next one rebuilds it.
    await publish([reservedAt(second(61), [{ sku: 'SKU-A', quantity: 1 }])], 2);
    await publish([reservedAt(second(75), [{ sku: 'SKU-C', quantity: 4 }])], 1);
    const second_ = salesPerMinuteStage(fixture.streaming, settings);
    await second_.start();
    try {
      await fixture.readTopic(OUTPUT, 2);
      // Stream time 10:01:15 closes minute 0 only. Minute 1 is open: it holds partition 1 from
      // offset 1 and partition 2 from offset 0; partition 0 is read to its end (3).
      await eventually('the offsets to move past minute 0', committedOffsets, (offsets) =>
        ['3', '1', '0'].every((offset, partition) => offsets.get(partition) === offset),
      );
    } finally {
      await second_.stop();
    }
    expect(lines(await readCommittedToSentinels(fixture.broker.bootstrap, OUTPUT))).toEqual([
      `${minuteStart(0)} SKU-A 5/2`,
      `${minuteStart(0)} SKU-B 1/1`,
    ]);
  });

  it('hides an aborted transaction from a read_committed reader', async () => {
    const producer = fixture.kafka.producer({
      transactionalId: 'analytics.test-abort',
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const aborted = await producer.transaction();
      await aborted.send({
        topic: OUTPUT,
        messages: [{ key: 'SKU-X', value: 'aborted', partition: 0 }],
      });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({
        topic: OUTPUT,
        messages: [{ key: 'SKU-X', value: 'committed', partition: 0 }],
      });
      await committed.commit();
    } finally {
      await producer.disconnect();
    }
    const values = (await readCommittedToSentinels(fixture.broker.bootstrap, OUTPUT)).map((m) =>
      m.value?.toString(),
    );
    expect(values).toContain('committed');
    expect(values).not.toContain('aborted');
    // The aborted record is in the log all the same: a read_uncommitted reader sees it.
    const uncommitted = await readCommittedToSentinels(
      fixture.broker.bootstrap,
      OUTPUT,
      'read_uncommitted',
    );
    expect(uncommitted.map((m) => m.value?.toString())).toContain('aborted');
  });
});
