import { createEvent, topics } from '@retail-streams/contracts';
import { describe, expect, it } from 'vitest';
import { effectsOf } from './record-effects.ts';

const level = (available: number) =>
  createEvent(
    topics.stockLevel,
    'StockLevelChanged',
    { sku: 'SKU-A', available, reorderPoint: 2, reorderQuantity: 10, cause: 'reservation' },
    { source: 'inventory', correlationId: 'SKU-A', occurredAt: new Date('2026-11-20T10:00:00Z') },
  );
const position = { topic: topics.stockLevel.name, partition: 1, offset: '7' };

describe('effectsOf', () => {
  it('records a stock-out when the level reaches 0 from above', () => {
    const effects = effectsOf({ ...position, event: level(0), previouslyOut: false });
    expect(effects.map((effect) => effect.kind)).toEqual(['stock-level', 'stock-out']);
  });

  it('does not count a level that was already 0 again', () => {
    const effects = effectsOf({ ...position, event: level(0), previouslyOut: true });
    expect(effects.map((effect) => effect.kind)).toEqual(['stock-level']);
  });

  it('counts a SKU first seen at 0 as out of stock', () => {
    const effects = effectsOf({ ...position, event: level(0), previouslyOut: undefined });
    expect(effects.map((effect) => effect.kind)).toEqual(['stock-level', 'stock-out']);
  });
});
