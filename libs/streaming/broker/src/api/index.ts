export { ApiRegistry, CORE_APIS } from './registry.ts';
export { ConnectionSlot } from './connection-slot.ts';
export type {
  AnyApiHandler,
  ApiDefinition,
  ApiHandler,
  BrokerContext,
  ConnectionContext,
  RequestContext,
} from './types.ts';
export { defineApi } from './types.ts';
export { AppendWaiters, partitionKey } from './append-waiters.ts';
