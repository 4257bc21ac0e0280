import { ApiKey } from '../protocol/index.ts';
import { alterResources, failResources } from './alter-topic-config.ts';
import { defineApi } from './types.ts';

/** AlterConfigs (legacy): the given set REPLACES all of the topic's overrides. */
export const alterConfigsApi = defineApi({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const responses = alterResources(ctx, request.resources, request.validateOnly, (resource) => {
      const next: Record<string, string> = {};
      for (const c of resource.configs) if (c.value !== null) next[c.name] = c.value;
      return next;
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      responses: failResources(request.resources, errorCode, message),
    };
  },
});
