import type { BrokerContext, ConnectionContext } from '../api/types.ts';
import { ErrorCode } from '../errors/index.ts';
import { ApiKey } from '../protocol/index.ts';
import { evaluateToken, fail } from './login.ts';
import { SESSION } from './session.ts';

/** What the dispatcher does with a request on a SASL listener, before any handler sees it. */
export type Admission =
  | { kind: 'admit' }
  /** Drop the connection without an answer (Kafka's way with an expired session). */
  | { kind: 'close'; reason: string }
  /** Answer the request's error response with `errorCode`, then close (already arranged). */
  | { kind: 'refuse'; errorCode: number; reason: string };

const ADMIT: Admission = { kind: 'admit' };

/**
 * The SASL state machine's verdict on one request (Kafka's SaslServerAuthenticator): before a
 * login only ApiVersions and SaslHandshake, during one only its SaslAuthenticate tokens, after a
 * failed one nothing; once the session has expired (connections.max.reauth.ms) only a
 * re-authentication. Anything else is refused with ILLEGAL_SASL_STATE and the connection closes.
 */
export function admitRequest(
  broker: BrokerContext,
  apiKey: number,
  apiName: string,
  conn: ConnectionContext,
): Admission {
  const session = SESSION.get(conn);
  switch (session.stage) {
    case 'authenticated':
      if (apiKey === ApiKey.SaslHandshake) return ADMIT;
      if (session.expiresAt !== null && broker.now() > session.expiresAt)
        return { kind: 'close', reason: 'SASL session expired (connections.max.reauth.ms)' };
      return ADMIT;
    case 'handshake':
      if (apiKey === ApiKey.ApiVersions || apiKey === ApiKey.SaslHandshake) return ADMIT;
      break;
    case 'authenticating':
      if (session.kafkaHeaders && apiKey === ApiKey.SaslAuthenticate) return ADMIT;
      break;
    case 'failed':
      return { kind: 'close', reason: 'request after a failed SASL login' };
  }
  const reason = `${apiName} is not allowed before SASL authentication completes`;
  fail(broker, conn, session.stage === 'authenticating' ? session.mechanism : 'none', reason);
  return { kind: 'refuse', errorCode: ErrorCode.ILLEGAL_SASL_STATE, reason };
}

/**
 * After a SaslHandshake v0 the client sends its SASL tokens as bare size-prefixed frames, without a
 * Kafka request header, and expects the server's tokens back the same way (kafka-python and other
 * older clients log in like this). Returns the raw answer frame, or null when the connection is
 * not in that mode. A failed login gets no answer in this mode, only the closed connection.
 */
export function rawSaslToken(
  broker: BrokerContext,
  frame: Buffer,
  conn: ConnectionContext,
): { kind: 'respond'; response: Buffer[] } | { kind: 'close'; reason: string } | null {
  const session = SESSION.get(conn);
  if (session.stage !== 'authenticating' || session.kafkaHeaders) return null;
  const outcome = evaluateToken(broker, conn, session, frame);
  if (outcome.kind === 'failed') return { kind: 'close', reason: 'failed SASL login' };
  const size = Buffer.alloc(4);
  size.writeInt32BE(outcome.bytes.length);
  return { kind: 'respond', response: [size, outcome.bytes] };
}
