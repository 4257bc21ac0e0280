import { randomUUID } from 'node:crypto';
import { createEvent, topics, type OrderPlaced } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStreamingFixture } from '../test-support/streaming-fixture.ts';
import type { RecordContext } from './consumer-runner.ts';
import { NonRetriableError } from './handler-errors.ts';

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

/** A logger that keeps the messages, to see what the runner reported. */
function recordingLogger() {
  const messages: { level: string; message: string; fields: object }[] = [];
  const at =
    (level: string) =>
    (fields: object, message = '') => {
      messages.push({ level, message, fields });
    };
  return {
    messages,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    count: (message: string) => messages.filter((entry) => entry.message === message).length,
  };
}

const isDeadLetterOf = (eventId: string) => (record: { headers?: Record<string, unknown> }) =>
  String(record.headers?.['event-id']) === eventId;

describe('the consumer runner with a batch handler', () => {
  it('hands the records of a partition over together, in offset order, and commits them', async () => {
    const group = groupId();
    const orderId = randomUUID();
    const sent = Array.from({ length: 30 }, (_, index) => order(orderId, index + 1));
    // Published before the runner starts, so the first fetch holds them all.
    await fixture.streaming.producer.publishEvents(topics.orderPlaced, sent);
    const batches: OrderPlaced[][] = [];
    const runner = fixture.streaming
      .consumer({ groupId: group, maxBatchSize: 20 })
      .onBatch(topics.orderPlaced, async (items) => {
        const ours = items.filter((item) => item.event.data.orderId === orderId);
        if (ours.length > 0) batches.push(ours.map((item) => item.event));
        // Each item knows where it came from and carries its own trace context.
        for (const item of items) expect(item.context.trace).toBeDefined();
      });
    await runner.start();
    try {
      await eventually('all 30 events handled', () => batches.flat().length === 30);
      expect(batches.flat().map((event) => event.data.lines[0]?.quantity)).toEqual(
        sent.map((event) => event.data.lines[0]?.quantity),
      );
      // Together, not one by one: no batch larger than maxBatchSize, fewer batches than records.
      expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(20);
      expect(batches.length).toBeLessThan(30);
      await eventually('every offset committed', async () => {
        const lag = await fixture.streaming.lag(group, [topics.orderPlaced.name]);
        return lag.every((partition) => partition.lag === 0);
      });
    } finally {
      await runner.stop();
    }
  });

  it('commits on stop what it handled since its last timed commit', async () => {
    const group = groupId();
    const orderId = randomUUID();
    const sent = Array.from({ length: 10 }, () => order(orderId));
    await fixture.streaming.producer.publishEvents(topics.orderPlaced, sent);
    let handled = 0;
    const runner = fixture.streaming
      .consumer({ groupId: group, maxBatchSize: 2, commitIntervalMs: 60_000 })
      .onBatch(topics.orderPlaced, async (items) => {
        handled += items.filter((item) => item.event.data.orderId === orderId).length;
      });
    await runner.start();
    await eventually('all 10 events handled', () => handled === 10);
    await runner.stop();
    const lag = await fixture.streaming.lag(group, [topics.orderPlaced.name]);
    expect(lag.every((partition) => partition.lag === 0)).toBe(true);
  });

  it('dead-letters a record that does not decode and hands its batch-mates over without it', async () => {
    const group = groupId();
    const key = randomUUID();
    const before = order(key);
    const after = order(key);
    await fixture.streaming.producer.publish(topics.orderPlaced, before);
    await fixture.streaming.producer.sendRecords(topics.orderPlaced.name, [
      { key, value: '{"poison": true}', headers: { 'event-id': `poison-${key}` } },
    ]);
    await fixture.streaming.producer.publish(topics.orderPlaced, after);
    const handled: string[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: group })
      .onBatch(topics.orderPlaced, async (items) => {
        for (const item of items) if (item.event.data.orderId === key) handled.push(item.event.id);
      });
    await runner.start();
    try {
      await eventually('both valid events handled', () => handled.length === 2);
      expect(handled).toEqual([before.id, after.id]);
      const parked = await fixture.readTopic(
        `${topics.orderPlaced.name}.dlq.${group}`,
        isDeadLetterOf(`poison-${key}`),
      );
      expect(
        parked.find(isDeadLetterOf(`poison-${key}`))?.headers?.['dlq-error-code']?.toString(),
      ).toBe('EVENT_ENVELOPE_INVALID');
    } finally {
      await runner.stop();
    }
  });

  it('when the batch fails for one record, applies the others and dead-letters only that one', async () => {
    const group = groupId();
    const key = randomUUID();
    const bad = order(key, 3);
    const events = [order(key, 1), order(key, 2), bad, order(key, 4)];
    await fixture.streaming.producer.publishEvents(topics.orderPlaced, events);
    const calls: number[] = [];
    const applied: string[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: group, retry: fastRetry })
      .onBatch(topics.orderPlaced, async (items) => {
        const ours = items.filter((item) => item.event.data.orderId === key);
        if (ours.length === 0) return;
        calls.push(ours.length);
        // All or nothing, like a transaction: a bad record fails the whole call.
        if (ours.some((item) => item.event.id === bad.id))
          throw new NonRetriableError('SKU_RETIRED', 'this order cannot be reserved');
        applied.push(...ours.map((item) => item.event.id));
      });
    await runner.start();
    try {
      const parked = await fixture.readTopic(
        `${topics.orderPlaced.name}.dlq.${group}`,
        isDeadLetterOf(bad.id),
      );
      const letter = parked.find(isDeadLetterOf(bad.id));
      expect(letter?.headers?.['dlq-error-code']?.toString()).toBe('SKU_RETIRED');
      expect(letter?.headers?.['dlq-attempts']?.toString()).toBe('1');
      await eventually('the three good events applied', () => applied.length === 3);
      expect(applied).toEqual(events.filter((event) => event !== bad).map((event) => event.id));
      // First the batch of four, then one record at a time.
      expect(calls[0]).toBe(4);
      expect(calls.slice(1)).toEqual([1, 1, 1, 1]);
    } finally {
      await runner.stop();
    }
  });
});

describe('the consumer runner with partitions consumed concurrently', () => {
  it('hands several partitions over in one call, and a bad record fails only its own partition', async () => {
    const group = groupId();
    // One order per key: the keys spread the orders over the topic's partitions.
    const events = Array.from({ length: 24 }, () => order());
    const ourIds = new Set(events.map((event) => event.data.orderId));
    const bad = events[5]!;
    await fixture.streaming.producer.publishEvents(topics.orderPlaced, events);
    const calls: { partitions: Set<number>; ours: number }[] = [];
    const applied: string[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: group, partitionsConsumedConcurrently: 6, retry: fastRetry })
      .onBatch(topics.orderPlaced, async (items) => {
        const ours = items.filter((item) => ourIds.has(item.event.data.orderId));
        if (ours.length === 0) return;
        calls.push({
          partitions: new Set(ours.map((item) => item.context.partition)),
          ours: ours.length,
        });
        if (ours.some((item) => item.event.id === bad.id))
          throw new NonRetriableError('SKU_RETIRED', 'this order cannot be reserved');
        applied.push(...ours.map((item) => item.event.id));
      });
    await runner.start();
    try {
      const parked = await fixture.readTopic(
        `${topics.orderPlaced.name}.dlq.${group}`,
        isDeadLetterOf(bad.id),
      );
      expect(parked.find(isDeadLetterOf(bad.id))?.headers?.['dlq-error-code']?.toString()).toBe(
        'SKU_RETIRED',
      );
      await eventually('every other event applied', () => applied.length === events.length - 1);
      // Each exactly once, whatever call carried it.
      expect(new Set(applied).size).toBe(events.length - 1);
      expect(applied).not.toContain(bad.id);
      // The first call carried the batches of several partitions together.
      expect(calls[0]?.partitions.size).toBeGreaterThan(1);
      await eventually('every offset committed', async () => {
        const lag = await fixture.streaming.lag(group, [topics.orderPlaced.name]);
        return lag.every((partition) => partition.lag === 0);
      });
    } finally {
      await runner.stop();
    }
  });
});

describe('the consumer runner when a handler keeps failing', () => {
  it('sends a programmer error to the dead-letter topic at once, without retrying it', async () => {
    const group = groupId();
    const event = order();
    const attempts: number[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: group, retry: { ...fastRetry, maxAttempts: 5 } })
      .on(topics.orderPlaced, async (received, context) => {
        if (received.id !== event.id) return;
        attempts.push(context.attempt);
        const missing = undefined as unknown as { sku: string };
        received.data.customerId = missing.sku; // TypeError: the handler's bug, not the record's
      });
    await runner.start();
    try {
      await fixture.streaming.producer.publish(topics.orderPlaced, event);
      const parked = await fixture.readTopic(
        `${topics.orderPlaced.name}.dlq.${group}`,
        isDeadLetterOf(event.id),
      );
      const letter = parked.find(isDeadLetterOf(event.id));
      expect(letter?.headers?.['dlq-error-code']?.toString()).toBe('HANDLER_BUG_TYPEERROR');
      expect(letter?.headers?.['dlq-attempts']?.toString()).toBe('1');
      expect(attempts).toEqual([1]);
    } finally {
      await runner.stop();
    }
  });

  it('keeps retrying while the database is unavailable, past maxAttempts, and never dead-letters', async () => {
    const event = order();
    const attempts: number[] = [];
    const runner = fixture.streaming
      .consumer({ groupId: groupId(), retry: { ...fastRetry, maxAttempts: 2 } })
      .on(topics.orderPlaced, async (received, context) => {
        if (received.id !== event.id) return;
        attempts.push(context.attempt);
        if (context.attempt < 6) {
          throw Object.assign(
            new Error('database "inventory" is not currently accepting connections'),
            {
              code: '55000',
            },
          );
        }
      });
    await runner.start();
    try {
      await fixture.streaming.producer.publish(topics.orderPlaced, event);
      await eventually('the sixth attempt succeeds', () => attempts.length === 6);
      // Not dead-lettered after maxAttempts (2): the sixth attempt ran, and succeeded.
      expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
      expect(runner.metrics.snapshot()[topics.orderPlaced.name]?.retried).toBe(5);
    } finally {
      await runner.stop();
    }
  });

  it('keeps its group membership through a handler that takes several session timeouts', async () => {
    const group = groupId();
    const event = order();
    const log = recordingLogger();
    let deliveries = 0;
    let release: () => void = () => undefined;
    const runner = fixture.streaming
      .consumer({
        groupId: group,
        sessionTimeoutMs: 2_000,
        heartbeatIntervalMs: 300,
        logger: log.logger,
      })
      .on(topics.orderPlaced, async (received) => {
        if (received.id !== event.id) return;
        deliveries += 1;
        await new Promise<void>((resolve) => (release = resolve));
      });
    await runner.start();
    try {
      await fixture.streaming.producer.publish(topics.orderPlaced, event);
      await eventually('the handler to start', () => deliveries === 1);
      const admin = fixture.kafka.admin();
      await admin.connect();
      try {
        const memberBefore = (await admin.describeGroups([group])).groups[0]?.members[0]?.memberId;
        // Three session timeouts without an answer from the handler.
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        const described = (await admin.describeGroups([group])).groups[0];
        expect(described?.state).toBe('Stable');
        expect(described?.members.map((member) => member.memberId)).toEqual([memberBefore]);
      } finally {
        await admin.disconnect();
      }
      release();
      await eventually('the record committed', async () => {
        const lag = await fixture.streaming.lag(group, [topics.orderPlaced.name]);
        return lag.every((partition) => partition.lag === 0);
      });
      expect(deliveries).toBe(1);
      expect(log.count('joined consumer group')).toBe(1);
    } finally {
      release();
      await runner.stop();
    }
  });
});
