import { ApiKey } from '../protocol/index.ts';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/index.ts';
import { ErrorCode as E } from '../errors/index.ts';
import type { RequestContext } from './types.ts';
import { defineApi } from './types.ts';
import { Op, Resource, authorize } from '../acl/authorize.ts';

type Coordinator = NonNullable<FindCoordinatorResponse['coordinators']>[number];

/** FindCoordinator key types. */
const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

/**
 * A single node coordinates every group and every transactional id itself. Unknown key types (e.g.
 * share groups) get INVALID_REQUEST.
 */
function lookup(ctx: RequestContext, key: string, keyType: number): Coordinator {
  const { host, port } = ctx.broker.advertised(ctx.connection.listener.name);
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
    if (!key) return none(E.INVALID_REQUEST, 'empty group id');
    // DESCRIBE on the group (on the transactional id for a transaction coordinator).
    if (!authorize(ctx, Op.DESCRIBE, Resource.GROUP, key))
      return none(E.GROUP_AUTHORIZATION_FAILED, 'Not authorized to access group');
    return found;
  }
  if (keyType === KEY_TYPE_TRANSACTION) {
    if (!authorize(ctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, key))
      return none(
        E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        'Not authorized to use this transactional id',
      );
    if (!key) return none(E.INVALID_REQUEST, 'empty transactional id');
    // Kafka creates __transaction_state on the first lookup of a transaction coordinator.
    const errorCode = ctx.broker.transactions.prepareStateTopic();
    if (errorCode !== E.NONE)
      return none(errorCode, 'the transaction state log cannot be created yet: retry the lookup');
    return found;
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

export const findCoordinatorApi = defineApi({
  apiKey: ApiKey.FindCoordinator,
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
