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
      transactionalIdPrefixes: [],
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

  it('has a producer and a consumer for every topic but the published output, each a known participant', () => {
    for (const topic of allTopics) {
      expect(topic.producers.length, topic.name).toBeGreaterThan(0);
      // analytics.sales-per-minute is published for readers outside the services (the CLI, a BI tool).
      if (topic.name !== 'analytics.sales-per-minute')
        expect(topic.consumers.length, topic.name).toBeGreaterThan(0);
      for (const who of [...topic.producers, ...topic.consumers])
        expect(PARTICIPANTS, topic.name).toContain(who);
    }
  });

  it('has every topic written by one participant: its owner', () => {
    for (const topic of allTopics) expect(topic.producers, topic.name).toHaveLength(1);
  });

  it('lets analytics read every other topic and write only its exactly-once output', () => {
    const analytics = accessOf('analytics');
    expect(analytics.produces).toEqual(['analytics.sales-per-minute']);
    expect(analytics.consumes).toEqual(
      allTopics.map((t) => t.name).filter((name) => name !== 'analytics.sales-per-minute'),
    );
    expect(analytics.transactionalIdPrefixes).toEqual(['analytics.']);
  });

  it('gives no transactional id to the services that do not produce transactionally', () => {
    for (const who of ['sales', 'inventory', 'reordering', 'connect'] as const)
      expect(accessOf(who).transactionalIdPrefixes, who).toEqual([]);
  });

  it('provisions only the topics a participant touches', () => {
    expect(topicsTouchedBy('reordering').map((t) => t.name)).toEqual([
      'inventory.low-stock',
      'reordering.purchase-order',
      'reordering.goods-received',
    ]);
  });
});
