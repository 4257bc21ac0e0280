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
import type { AnyApiHandler } from './types.ts';

/** The APIs of topics, records and configs. Features bring their own lists (see GROUP_APIS). */
export const CORE_APIS: readonly AnyApiHandler[] = [
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

/**
 * The APIs this broker serves, by API key. What is registered here is what ApiVersions advertises,
 * with each handler's range, and the only thing the dispatcher will call.
 */
export class ApiRegistry {
  readonly #byKey = new Map<number, AnyApiHandler>();

  /** Handlers from every feature's list; an API registered twice is a programming error. */
  constructor(...lists: ReadonlyArray<readonly AnyApiHandler[]>) {
    for (const handler of lists.flat()) {
      const existing = this.#byKey.get(handler.apiKey);
      if (existing) {
        throw new Error(`API ${handler.name} (key ${handler.apiKey}) is registered twice`);
      }
      this.#byKey.set(handler.apiKey, handler);
    }
  }

  get(apiKey: number): AnyApiHandler | undefined {
    return this.#byKey.get(apiKey);
  }

  /** Every registered handler, by ascending API key. */
  handlers(): AnyApiHandler[] {
    return [...this.#byKey.values()].sort((a, b) => a.apiKey - b.apiKey);
  }

  keys(): number[] {
    return this.handlers().map((h) => h.apiKey);
  }
}
