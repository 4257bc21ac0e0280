import type { AlterConfigsRequest, AlterConfigsResponse } from '../protocol/index.ts';
import { alterResource, duplicateResources } from './alter-topic-config.ts';
import { Err } from './error-codes.ts';
import { defineApi } from './types.ts';

type ResponseOut = AlterConfigsResponse['responses'][number];

/** AlterConfigs (legacy): the given set REPLACES all of the topic's overrides. */
export const alterConfigsApi = defineApi<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const dups = duplicateResources(request.resources);
    const responses = request.resources.map((res) => {
      if (dups.has(`${res.resourceType}:${res.resourceName}`)) {
        return out(
          res.resourceType,
          res.resourceName,
          Err.INVALID_REQUEST,
          'resource listed more than once',
        );
      }
      const r = alterResource(
        ctx.broker,
        res.resourceType,
        res.resourceName,
        request.validateOnly,
        () => {
          const next: Record<string, string> = {};
          for (const c of res.configs) if (c.value !== null) next[c.name] = c.value;
          return next;
        },
      );
      return out(res.resourceType, res.resourceName, r.errorCode, r.errorMessage);
    });
    return { throttleTimeMs: 0, responses } as AlterConfigsResponse;
  },
  errorResponse(request, _version, errorCode, message) {
    return {
      throttleTimeMs: 0,
      responses: request.resources.map((r) =>
        out(r.resourceType, r.resourceName, errorCode, message),
      ),
    } as AlterConfigsResponse;
  },
});

function out(
  resourceType: number,
  resourceName: string,
  errorCode: number,
  errorMessage: string | null,
): ResponseOut {
  return { errorCode, errorMessage, resourceType, resourceName } as ResponseOut;
}
