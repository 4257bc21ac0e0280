import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { stepEventId } from './step-event-id.ts';

describe('stepEventId', () => {
  const order = '5f0e6a7c-3b1d-4c2e-9a8b-7c6d5e4f3a2b';

  it('is the same UUID for the same order and step, every time', () => {
    expect(stepEventId(order, 'shipped')).toBe(stepEventId(order, 'shipped'));
    expect(z.uuid().safeParse(stepEventId(order, 'shipped')).success).toBe(true);
    expect(stepEventId(order, 'shipped')[14]).toBe('5');
  });

  it('differs between steps and between orders', () => {
    const ids = new Set([
      stepEventId(order, 'created'),
      stepEventId(order, 'shipped'),
      stepEventId(order, 'received'),
      stepEventId('0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', 'created'),
    ]);
    expect(ids.size).toBe(4);
  });
});
