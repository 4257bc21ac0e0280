import { defineApi } from '../api/types.ts';
import type { AnyApiHandler } from '../api/types.ts';
import type { SaslMechanismName } from '../config/listeners.ts';
import { ErrorCode } from '../errors/index.ts';
import { ApiKey } from '../protocol/index.ts';
import type { SaslAuthenticateResponse } from '../protocol/index.ts';
import { evaluateToken, fail, newExchange } from './login.ts';
import { SESSION } from './session.ts';

/**
 * SaslHandshake v0-1: picks the mechanism. v1 (and a re-authentication, which needs v1) wraps the
 * tokens in SaslAuthenticate requests; v0 means the client sends them raw (see sasl-gate.ts). An
 * unknown mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list, then the connection
 * closes; on a listener without SASL the answer is ILLEGAL_SASL_STATE, as Kafka answers it.
 */
export const saslHandshakeApi = defineApi({
  apiKey: ApiKey.SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request) {
    const conn = ctx.connection;
    const sasl = conn.listener.sasl;
    if (!sasl) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const mechanisms = [...sasl.enabledMechanisms];
    const session = SESSION.get(conn);
    const reauthenticating = session.stage === 'authenticated' ? session : null;
    const refuse = (errorCode: number, reason: string) => {
      fail(ctx.broker, conn, request.mechanism, reason);
      return { errorCode, mechanisms };
    };
    if (reauthenticating) {
      if (ctx.apiVersion < 1)
        return refuse(ErrorCode.ILLEGAL_SASL_STATE, 'SaslHandshake v0 cannot re-authenticate');
      if (request.mechanism !== reauthenticating.mechanism)
        return refuse(
          ErrorCode.ILLEGAL_SASL_STATE,
          `re-authentication must use the same mechanism (${reauthenticating.mechanism})`,
        );
    } else if (session.stage !== 'handshake') {
      return refuse(
        ErrorCode.ILLEGAL_SASL_STATE,
        `unexpected SaslHandshake in state ${session.stage}`,
      );
    }
    const mechanism = mechanisms.find((m) => m === request.mechanism);
    if (!mechanism)
      return refuse(
        ErrorCode.UNSUPPORTED_SASL_MECHANISM,
        `unsupported SASL mechanism ${JSON.stringify(request.mechanism.slice(0, 64))}`,
      );
    SESSION.set(conn, {
      stage: 'authenticating',
      mechanism: mechanism as SaslMechanismName,
      kafkaHeaders: ctx.apiVersion >= 1,
      exchange: newExchange(ctx.broker, conn, mechanism),
      reauthenticating,
    });
    return { errorCode: ErrorCode.NONE, mechanisms };
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, mechanisms: [] };
  },
});

/**
 * SaslAuthenticate v0-2: one token of the exchange the handshake chose. A failed login answers
 * SASL_AUTHENTICATION_FAILED with Kafka's message and closes the connection; a login completes with
 * the session lifetime (v1+, KIP-368) when connections.max.reauth.ms is set.
 */
export const saslAuthenticateApi = defineApi({
  apiKey: ApiKey.SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request): SaslAuthenticateResponse {
    const conn = ctx.connection;
    const session = SESSION.get(conn);
    if (!conn.listener.sasl || session.stage === 'authenticated')
      return answer(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate is not expected now');
    if (session.stage !== 'authenticating' || !session.kafkaHeaders) {
      fail(ctx.broker, conn, 'none', 'SaslAuthenticate before SaslHandshake v1');
      return answer(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate before SaslHandshake v1');
    }
    const outcome = evaluateToken(ctx.broker, conn, session, request.authBytes);
    if (outcome.kind === 'failed')
      return answer(ErrorCode.SASL_AUTHENTICATION_FAILED, outcome.message);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      authBytes: outcome.bytes,
      sessionLifetimeMs: BigInt(outcome.kind === 'authenticated' ? outcome.sessionLifetimeMs : 0),
    };
  },
  errorResponse(_request, _version, errorCode, errorMessage) {
    return answer(errorCode, errorMessage);
  },
});

function answer(errorCode: number, errorMessage: string | null): SaslAuthenticateResponse {
  return { errorCode, errorMessage, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
}

export const SASL_APIS: readonly AnyApiHandler[] = [saslHandshakeApi, saslAuthenticateApi];
