export { ContractError, type ContractErrorCode } from './contract-error.ts';
export { anyEnvelopeSchema, type AnyEnvelope, type EventMetadata } from './envelope.ts';
export { createEvent, decodeEvent, encodeEvent, keyOf } from './event-codec.ts';
export { headerNames } from './headers.ts';
export { accessLogLine, type AccessLogLine } from './events/access-log.ts';
export { orderLine, orderMode, sku } from './events/sales.ts';
export { allTopics, deadLetterTopicName, topicByName, topics, type TopicName } from './registry.ts';
export type {
  CleanupPolicy,
  EventOf,
  EventOfType,
  EventSchema,
  EventTopic,
  EventTypeOf,
  RawTopic,
  TopicDefinition,
} from './topic.ts';
export type { OrderPlaced } from './events/sales.ts';
export { salesPerMinuteCounted, type SalesPerMinuteCounted } from './events/analytics.ts';
export type {
  LowStockDetected,
  ReservationRejected,
  StockLevelChanged,
  StockReserved,
} from './events/inventory.ts';
export type {
  GoodsReceived,
  PurchaseOrderCreated,
  PurchaseOrderShipped,
} from './events/reordering.ts';
export {
  orderStatus,
  reservationRequest,
  reservationResponse,
  type OrderStatus,
  type ReservationRequest,
  type ReservationResponse,
} from './http/inventory-reservations.ts';
export { PARTICIPANTS, type Participant } from './topic.ts';
export {
  accessOf,
  CONNECT_OFFSETS_TOPIC,
  transactionalIdPrefix,
  topicsTouchedBy,
  type ParticipantAccess,
} from './access.ts';
