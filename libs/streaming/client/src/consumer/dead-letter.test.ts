import { describe, expect, it } from 'vitest';
import { deadLetterRecord } from './dead-letter.ts';

describe('a dead-letter record', () => {
  const { topic, record } = deadLetterRecord({
    groupId: 'inventory',
    topic: 'sales.order-placed',
    partition: 4,
    offset: '1234',
    key: 'order-1',
    value: Buffer.from('{"broken"'),
    headers: { traceparent: '00-abc-def-01' },
    attempts: 3,
    errorCode: 'EVENT_NOT_JSON',
    errorMessage: 'not JSON',
  });

  it('goes to the dead-letter topic of its source topic and group', () => {
    expect(topic).toBe('sales.order-placed.dlq.inventory');
  });

  it('keeps the original key, value and headers so it can be replayed unchanged', () => {
    expect(record.key).toBe('order-1');
    expect(record.value?.toString()).toBe('{"broken"');
    expect(record.headers?.traceparent).toBe('00-abc-def-01');
  });

  it('says what failed, how often it was tried and where the record came from', () => {
    expect(record.headers).toMatchObject({
      'dlq-error-code': 'EVENT_NOT_JSON',
      'dlq-error-message': 'not JSON',
      'dlq-attempts': '3',
      'dlq-source-topic': 'sales.order-placed',
      'dlq-source-partition': '4',
      'dlq-source-offset': '1234',
      'dlq-group-id': 'inventory',
    });
  });
});
