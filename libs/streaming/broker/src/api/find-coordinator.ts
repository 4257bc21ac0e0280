import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/index.ts';
import { GroupErrorCode as E } from '../group/index.ts';
import type { RequestContext } from './types.ts';
import { defineApi } from './types.ts';

type Coordinator = NonNullable<FindCoordinatorResponse['coordinators']>[number];

/** FindCoordinator key types. */
const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

/**
 * A single node coordinates every group itself. Transactions have no coordinator on this broker,
 * so a transactional key gets COORDINATOR_NOT_AVAILABLE (what a cluster answers while its
 * transaction coordinator is not up), and unknown key types (e.g. share groups) INVALID_REQUEST.
 */
function lookup(ctx: RequestContext, key: string, keyType: number): Coordinator {
  const { host, port } = ctx.broker.advertised();
  const found = {
    key,
    nodeId: ctx.broker.nodeId,
    host,
    port,
    errorCode: E.NONE,
    errorMessage: null,
  };
  const none = (errorCode: number, errorMessage: string): Coordinator => ({
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode,
    errorMessage,
  });
  if (keyType === KEY_TYPE_GROUP) {
    return key ? found : none(E.INVALID_REQUEST, 'empty group id');
  }
  if (keyType === KEY_TYPE_TRANSACTION) {
    return none(E.COORDINATOR_NOT_AVAILABLE, 'this broker has no transaction coordinator');
  }
  return none(E.INVALID_REQUEST, `unsupported coordinator key type ${keyType}`);
}

function respond(
  version: number,
  keys: string[],
  make: (key: string) => Coordinator,
): FindCoordinatorResponse {
  if (version >= 4) return { throttleTimeMs: 0, coordinators: keys.map(make) };
  const c = make(keys[0] ?? '');
  return {
    throttleTimeMs: 0,
    errorCode: c.errorCode,
    errorMessage: c.errorMessage,
    nodeId: c.nodeId,
    host: c.host,
    port: c.port,
  };
}

function keysOf(request: FindCoordinatorRequest, version: number): string[] {
  return version >= 4 ? (request.coordinatorKeys ?? []) : [request.key ?? ''];
}

export const findCoordinatorApi = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  name: 'FindCoordinator',
  // librdkafka only enables its group consumer when the advertised range includes v0.
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, request) {
    const keyType = request.keyType ?? KEY_TYPE_GROUP;
    return respond(ctx.apiVersion, keysOf(request, ctx.apiVersion), (key) =>
      lookup(ctx, key, keyType),
    );
  },
  errorResponse(request, version, errorCode, errorMessage) {
    return respond(version, keysOf(request, version), (key) => ({
      key,
      nodeId: -1,
      host: '',
      port: -1,
      errorCode,
      errorMessage,
    }));
  },
});
