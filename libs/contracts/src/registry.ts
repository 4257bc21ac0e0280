import { salesPerMinuteCounted } from './events/analytics.ts';
import { goodsReceived, purchaseOrderCreated, purchaseOrderShipped } from './events/reordering.ts';
import {
  lowStockDetected,
  reservationRejected,
  stockLevelChanged,
  stockReserved,
} from './events/inventory.ts';
import { orderPlaced } from './events/sales.ts';
import { defineEventTopic, defineRawTopic, type TopicDefinition } from './topic.ts';

/**
 * The topic registry: every topic the services use, with its key, partitioning, cleanup policy and the
 * events it carries. Services provision topics from here at start-up and type their producers and
 * handlers from it, so a topic is described exactly once.
 */
export const topics = {
  orderPlaced: defineEventTopic({
    name: 'sales.order-placed',
    producers: ['sales'],
    consumers: ['inventory', 'analytics'],
    description:
      'Orders placed through the sales API (async path through the outbox, sync path after the fact).',
    key: 'orderId',
    partitions: 6,
    cleanupPolicy: 'delete',
    events: [orderPlaced],
  }),
  reservationResult: defineEventTopic({
    name: 'inventory.reservation-result',
    producers: ['inventory'],
    consumers: ['sales', 'analytics'],
    description: 'Whether inventory reserved every line of an order (choreographed saga step).',
    key: 'orderId',
    partitions: 6,
    cleanupPolicy: 'delete',
    events: [stockReserved, reservationRejected],
  }),
  stockLevel: defineEventTopic({
    name: 'inventory.stock-level',
    producers: ['inventory'],
    consumers: ['analytics'],
    description: 'The latest stock level per SKU; compacted, so it reads as a table.',
    key: 'sku',
    partitions: 3,
    cleanupPolicy: 'compact',
    configs: { 'min.cleanable.dirty.ratio': '0.1', 'segment.ms': '600000' },
    events: [stockLevelChanged],
  }),
  lowStock: defineEventTopic({
    name: 'inventory.low-stock',
    producers: ['inventory'],
    consumers: ['reordering', 'analytics'],
    description: 'A SKU fell to or below its reorder point.',
    key: 'sku',
    partitions: 3,
    cleanupPolicy: 'delete',
    events: [lowStockDetected],
  }),
  purchaseOrder: defineEventTopic({
    name: 'reordering.purchase-order',
    producers: ['reordering'],
    consumers: ['analytics'],
    description: 'Purchase orders raised for low stock, and their shipment by the supplier.',
    key: 'sku',
    partitions: 3,
    cleanupPolicy: 'delete',
    events: [purchaseOrderCreated, purchaseOrderShipped],
  }),
  goodsReceived: defineEventTopic({
    name: 'reordering.goods-received',
    producers: ['reordering'],
    consumers: ['inventory', 'analytics'],
    description: 'Goods delivered by the supplier, to be added to stock.',
    key: 'sku',
    partitions: 3,
    cleanupPolicy: 'delete',
    events: [goodsReceived],
  }),
  salesPerMinute: defineEventTopic({
    name: 'analytics.sales-per-minute',
    producers: ['analytics'],
    consumers: [],
    description:
      'Units sold per SKU per closed one-minute window, published exactly once (Kafka transactions); read it with read_committed.',
    key: 'sku',
    partitions: 3,
    cleanupPolicy: 'delete',
    events: [salesPerMinuteCounted],
  }),
  accessLog: defineRawTopic({
    name: 'logs.access',
    producers: ['connect'],
    consumers: ['analytics'],
    description: "The services' access log lines, shipped by the file source connector.",
    keyDescription: 'the service name',
    partitions: 3,
    cleanupPolicy: 'delete',
    configs: { 'retention.ms': String(24 * 60 * 60 * 1000) },
  }),
} as const satisfies Record<string, TopicDefinition>;

export type TopicName = (typeof topics)[keyof typeof topics]['name'];

export const allTopics: readonly TopicDefinition[] = Object.values(topics);

export function topicByName(name: string): TopicDefinition | undefined {
  return allTopics.find((topic) => topic.name === name);
}

/**
 * Where a consumer group parks the records it cannot process: one dead-letter topic per source topic
 * and group, so one group's poison does not show up in another's.
 */
export function deadLetterTopicName(sourceTopic: string, groupId: string): string {
  return `${sourceTopic}.dlq.${groupId}`;
}
