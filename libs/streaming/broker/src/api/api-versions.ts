import type { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/index.ts';
import { defineApi } from './types.ts';
import type { ApiHandler } from './types.ts';

/** The ApiVersions body listing every API in the table with its advertised range. */
export function apiVersionsBody(
  apis: ReadonlyMap<number, ApiHandler>,
  errorCode: number,
): ApiVersionsResponse {
  const apiKeys = [...apis.values()]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  return {
    errorCode,
    apiKeys,
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  } as ApiVersionsResponse;
}

export const apiVersionsApi = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  handle(ctx) {
    return apiVersionsBody(ctx.broker.apis, 0);
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, apiKeys: [], throttleTimeMs: 0 } as unknown as ApiVersionsResponse;
  },
});
