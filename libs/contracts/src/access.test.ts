import { describe, expect, it } from 'vitest';
import { accessOf, topicsTouchedBy } from './access.ts';
import { allTopics } from './registry.ts';
import { PARTICIPANTS } from './topic.ts';

describe('who touches what, read from the topic registry', () => {
  it('gives sales order-placed to write and reservation-result to read, and nothing else', () => {
    expect(accessOf('sales')).toEqual({
      participant: 'sales',
      produces: ['sales.order-placed'],
      consumes: ['inventory.reservation-result'],
      groupPrefixes: ['sales'],
      ownTopics: [],
      deadLetterPrefixes: ['inventory.reservation-result.dlq.sales'],
      provisions: ['sales.order-placed', 'inventory.reservation-result'],
    });
  });

  it('lets the access-log connector write logs.access and keep its positions, nothing more', () => {
    const connect = accessOf('connect');
    expect(connect.produces).toEqual(['logs.access']);
    expect(connect.consumes).toEqual([]);
    expect(connect.ownTopics).toEqual(['connect-offsets']);
    expect(connect.groupPrefixes).toEqual(['connect', 'streaming-cli-tmp-']);
  });

  it('has a producer and a consumer for every topic, each a known participant', () => {
    for (const topic of allTopics) {
      expect(topic.producers.length, topic.name).toBeGreaterThan(0);
      expect(topic.consumers.length, topic.name).toBeGreaterThan(0);
      for (const who of [...topic.producers, ...topic.consumers])
        expect(PARTICIPANTS, topic.name).toContain(who);
    }
  });

  it('has every topic written by one participant: its owner', () => {
    for (const topic of allTopics) expect(topic.producers, topic.name).toHaveLength(1);
  });

  it('lets analytics read every topic and write none', () => {
    expect(accessOf('analytics').consumes).toEqual(allTopics.map((t) => t.name));
    expect(accessOf('analytics').produces).toEqual([]);
  });

  it('provisions only the topics a participant touches', () => {
    expect(topicsTouchedBy('reordering').map((t) => t.name)).toEqual([
      'inventory.low-stock',
      'reordering.purchase-order',
      'reordering.goods-received',
    ]);
  });
});
