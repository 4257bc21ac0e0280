export { createApiRegistry, CORE_APIS } from './registry.ts';
export type { ApiHandler, BrokerContext, RequestContext } from './types.ts';
export { defineApi } from './types.ts';
export { AppendWaiters, partitionKey } from './append-waiters.ts';
