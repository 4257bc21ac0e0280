import { describe, expect, it } from 'vitest';
import { allTopics, deadLetterTopicName, topicByName, topics } from './registry.ts';

describe('the topic registry', () => {
  it('names every topic of the architecture once', () => {
    const names = allTopics.map((topic) => topic.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      'sales.order-placed',
      'inventory.reservation-result',
      'inventory.stock-level',
      'inventory.low-stock',
      'reordering.purchase-order',
      'reordering.goods-received',
      'analytics.sales-per-minute',
      'logs.access',
    ]);
  });

  it('keys each event topic by a field that every one of its events carries', () => {
    for (const topic of allTopics) {
      if (topic.kind !== 'events') continue;
      for (const schema of topic.events) {
        expect(
          Object.keys(schema.shape.data.shape),
          `${topic.name} ${schema.shape.type.value}`,
        ).toContain(topic.key);
      }
    }
  });

  it('compacts the stock-level topic so it reads as the latest level per SKU', () => {
    expect(topics.stockLevel.cleanupPolicy).toBe('compact');
    expect(topics.stockLevel.key).toBe('sku');
  });

  it('finds topics by name and names dead-letter topics per source topic and group', () => {
    expect(topicByName('inventory.low-stock')).toBe(topics.lowStock);
    expect(topicByName('nope')).toBeUndefined();
    expect(deadLetterTopicName('sales.order-placed', 'inventory')).toBe(
      'sales.order-placed.dlq.inventory',
    );
  });
});
