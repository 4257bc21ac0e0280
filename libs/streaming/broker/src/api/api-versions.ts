import { ApiKey } from '../protocol/index.ts';
import type { ApiVersionsResponse } from '../protocol/index.ts';
import type { ApiRegistry } from './registry.ts';
import { defineApi } from './types.ts';

/** The ApiVersions body: every registered API with its advertised range. */
export function apiVersionsBody(apis: ApiRegistry, errorCode: number): ApiVersionsResponse {
  return {
    errorCode,
    apiKeys: apis.handlers().map((h) => ({
      apiKey: h.apiKey,
      minVersion: h.minVersion,
      maxVersion: h.maxVersion,
    })),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}

export const apiVersionsApi = defineApi({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 3,
  handle(ctx) {
    return apiVersionsBody(ctx.broker.apis, 0);
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, apiKeys: [], throttleTimeMs: 0 };
  },
});
