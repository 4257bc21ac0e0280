import { randomUUID } from 'node:crypto';
import { createEvent, topics, type OrderPlaced } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStreamingFixture } from '../test-support/streaming-fixture.ts';
import type { RecordContext } from './consumer-runner.ts';

type Fixture = Awaited<ReturnType<typeof startStreamingFixture>>;
let fixture: Fixture;

beforeAll(async () => {
  fixture = await startStreamingFixture();
});
afterAll(async () => {
  await fixture?.stop();
});

function order(orderId: string = randomUUID(), quantity = 1) {
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'c-1', lines: [{ sku: 'SKU-1', quantity }], mode: 'async' },
    { source: 'test', correlationId: orderId },
  );
}

const groupId = () => `group-${randomUUID().slice(0, 8)}`;
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20 };

describe('the consumer runner', () => {
  it('hands each event, typed, to the handler of its topic, in order per key', async () => {
    const orderIds: string[] = [randomUUID(), randomUUID()];
    const sent = Array.from({ length: 20 }, (_, index) => order(orderIds[index % 2], index + 1));
    const seen: OrderPlaced[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: groupId() })
      .on(topics.orderPlaced, async (event) => {
        if (orderIds.includes(event.data.orderId)) seen.push(event);
      });
    await runner.start();
    try {
      await fixture.streaming.producer.publishEvents(topics.orderPlaced, sent);
      await eventually('all 20 events handled', () => seen.length === 20);
      for (const orderId of orderIds) {
        const quantities = (list: OrderPlaced[]) =>
          list
            .filter((event) => event.data.orderId === orderId)
            .map((event) => event.data.lines[0]?.quantity);
        expect(quantities(seen)).toEqual(quantities(sent));
      }
    } finally {
      await runner.stop();
    }
  });

  it('parks a record that breaks its contract in the dead-letter topic and moves on', async () => {
    const group = groupId();
    const key = randomUUID();
    const handled: string[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: group })
      .on(topics.orderPlaced, async (event) => {
        handled.push(event.data.orderId);
      });
    await runner.start();
    try {
      // Same key, so the same partition: the good event must not be stuck behind the poison.
      await fixture.streaming.producer.sendRecords(topics.orderPlaced.name, [
        { key, value: '{"not": "an event"}' },
      ]);
      await fixture.streaming.producer.publish(topics.orderPlaced, order(key));
      await eventually('the valid event after the poison handled', () => handled.includes(key));

      const [parked] = await fixture.readTopic(`${topics.orderPlaced.name}.dlq.${group}`, 1);
      const header = (name: string) => parked?.headers?.[name]?.toString();
      expect(parked?.value?.toString()).toBe('{"not": "an event"}');
      expect(parked?.key?.toString()).toBe(key);
      expect(header('dlq-error-code')).toBe('EVENT_ENVELOPE_INVALID');
      expect(header('dlq-error-message')).toMatch(/no valid event envelope/);
      expect(header('dlq-attempts')).toBe('1');
      expect(header('dlq-source-topic')).toBe(topics.orderPlaced.name);
      expect(Number(header('dlq-source-offset'))).toBeGreaterThanOrEqual(0);
      expect(runner.metrics.snapshot()[topics.orderPlaced.name]?.deadLettered).toBe(1);
    } finally {
      await runner.stop();
    }
  });

  it('retries a failing handler with backoff until it succeeds', async () => {
    const event = order();
    const attempts: number[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: groupId(), retry: fastRetry })
      .on(topics.orderPlaced, async (received, context) => {
        if (received.id !== event.id) return;
        attempts.push(context.attempt);
        if (context.attempt < 3) throw new Error('database is restarting');
      });
    await runner.start();
    try {
      await fixture.streaming.producer.publish(topics.orderPlaced, event);
      await eventually('the third attempt', () => attempts.length === 3);
      expect(attempts).toEqual([1, 2, 3]);
      expect(runner.metrics.snapshot()[topics.orderPlaced.name]?.retried).toBe(2);
    } finally {
      await runner.stop();
    }
  });

  it('dead-letters a record whose handler keeps failing, with the attempt count', async () => {
    const group = groupId();
    const event = order();
    const runner = fixture.streaming
      .consumer({ groupId: group, retry: { ...fastRetry, maxAttempts: 3 } })
      .on(topics.orderPlaced, async (received) => {
        if (received.id === event.id)
          throw Object.assign(new Error('always fails'), { code: 'BOOM' });
      });
    await runner.start();
    try {
      await fixture.streaming.producer.publish(topics.orderPlaced, event);
      // The group reads the topic from the beginning, so an earlier test's poison record is parked
      // here too: look for this event's record.
      const isThisEvent = (record: { headers?: Record<string, unknown> }) =>
        String(record.headers?.['event-id']) === event.id;
      const parked = (
        await fixture.readTopic(`${topics.orderPlaced.name}.dlq.${group}`, isThisEvent)
      ).find(isThisEvent);
      expect(parked?.headers?.['dlq-attempts']?.toString()).toBe('3');
      expect(parked?.headers?.['dlq-error-code']?.toString()).toBe('BOOM');
      expect(parked?.headers?.['event-id']?.toString()).toBe(event.id);
    } finally {
      await runner.stop();
    }
  });

  it('finishes the handler in flight on stop and commits it, so the next instance does not see it again', async () => {
    const group = groupId();
    const first = order();
    const second = order(first.data.orderId);
    let release: () => void = () => undefined;
    let started = false;
    const seen: string[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: group })
      .on(topics.orderPlaced, async (event) => {
        if (event.id !== first.id) return;
        started = true;
        await new Promise<void>((resolve) => (release = resolve));
        seen.push(event.id);
      });
    await runner.start();
    await fixture.streaming.producer.publish(topics.orderPlaced, first);
    await eventually('the handler to start', () => started);

    const stopping = runner.stop();
    setTimeout(() => release(), 200);
    await stopping;
    expect(seen).toEqual([first.id]);

    const redelivered: string[] = [];
    const next = fixture.streaming
      .consumer({ groupId: group })
      .on(topics.orderPlaced, async (event, context: RecordContext) => {
        if (event.data.orderId === first.data.orderId)
          redelivered.push(`${event.id}@${context.offset}`);
      });
    await next.start();
    try {
      await fixture.streaming.producer.publish(topics.orderPlaced, second);
      await eventually('the second event', () =>
        redelivered.some((entry) => entry.startsWith(second.id)),
      );
      expect(redelivered.some((entry) => entry.startsWith(first.id))).toBe(false);
    } finally {
      await next.stop();
    }
  });
});
