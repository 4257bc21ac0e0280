import { alterConfigsApi } from './alter-configs.ts';
import { apiVersionsApi } from './api-versions.ts';
import { createPartitionsApi } from './create-partitions.ts';
import { createTopicsApi } from './create-topics.ts';
import { deleteRecordsApi } from './delete-records.ts';
import { deleteTopicsApi } from './delete-topics.ts';
import { describeConfigsApi } from './describe-configs.ts';
import { fetchApi } from './fetch.ts';
import { incrementalAlterConfigsApi } from './incremental-alter-configs.ts';
import { initProducerIdApi } from './init-producer-id.ts';
import { listOffsetsApi } from './list-offsets.ts';
import { metadataApi } from './metadata.ts';
import { produceApi } from './produce.ts';
import type { ApiHandler } from './types.ts';

/** Every API this broker implements. ApiVersions advertises exactly these ranges. */
export const CORE_APIS: readonly ApiHandler[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  describeConfigsApi,
  alterConfigsApi,
  createPartitionsApi,
  incrementalAlterConfigsApi,
  initProducerIdApi,
];

/** apiKey -> handler. `extra` lets later features (groups, transactions) add or replace APIs. */
export function createApiRegistry(extra: readonly ApiHandler[] = []): Map<number, ApiHandler> {
  const map = new Map<number, ApiHandler>();
  for (const api of [...CORE_APIS, ...extra]) map.set(api.apiKey, api);
  return map;
}
