import type { BrokerContext, ConnectionContext } from '../api/types.ts';
import type { SaslMechanismName } from '../config/listeners.ts';
import { PlainServerExchange } from './plain.ts';
import { ScramServerExchange, scramMechanismByName } from './scram.ts';
import { SaslFailure } from './sasl-failure.ts';
import type { SaslExchange } from './sasl-failure.ts';
import { SESSION } from './session.ts';
import type { SaslSession } from './session.ts';

/** A new server-side exchange for one login with `mechanism` on this connection's listener. */
export function newExchange(
  broker: BrokerContext,
  conn: ConnectionContext,
  mechanism: SaslMechanismName,
): SaslExchange {
  if (mechanism === 'PLAIN') return new PlainServerExchange(conn.listener.sasl?.plainUsers ?? {});
  const scram = scramMechanismByName(mechanism)!;
  return new ScramServerExchange(
    scram,
    (user, m) => broker.scram.get(user, m),
    broker.scram.fakeSaltKey,
  );
}

/** What one client token led to. */
export type TokenOutcome =
  | { kind: 'challenge'; bytes: Buffer }
  | { kind: 'authenticated'; bytes: Buffer; sessionLifetimeMs: number }
  | { kind: 'failed'; message: string };

/**
 * Feeds one client token to the connection's exchange and moves the session on: to authenticated
 * (with its lifetime under connections.max.reauth.ms), or to failed, logged (rate-limited) with
 * the peer's address and never a secret. A re-authentication must keep the principal.
 */
export function evaluateToken(
  broker: BrokerContext,
  conn: ConnectionContext,
  session: Extract<SaslSession, { stage: 'authenticating' }>,
  token: Buffer,
): TokenOutcome {
  let step;
  try {
    step = session.exchange.evaluate(token);
  } catch (err) {
    if (!(err instanceof SaslFailure))
      broker.logger.error({ err, conn: conn.id }, 'SASL exchange failed unexpectedly');
    const message = err instanceof SaslFailure ? err.message : 'Authentication failed';
    return fail(broker, conn, session.mechanism, message);
  }
  if (!step.done) return { kind: 'challenge', bytes: step.challenge };
  const previous = session.reauthenticating;
  if (previous && previous.principal !== step.principal)
    return fail(
      broker,
      conn,
      session.mechanism,
      `Cannot change principals during re-authentication from ${previous.principal}: ${step.principal}`,
    );
  const lifetime = broker.config.connectionsMaxReauthMs;
  SESSION.set(conn, {
    stage: 'authenticated',
    principal: step.principal,
    mechanism: session.mechanism,
    expiresAt: lifetime > 0 ? broker.now() + lifetime : null,
  });
  conn.authenticationDone();
  broker.logger.debug(
    {
      conn: conn.id,
      peer: conn.clientHost,
      listener: conn.listener.name,
      principal: step.principal,
      mechanism: session.mechanism,
      reauthentication: previous !== null,
    },
    'SASL login succeeded',
  );
  return { kind: 'authenticated', bytes: step.response, sessionLifetimeMs: lifetime };
}

/** A refused login: logged (rate-limited), the session failed, the connection closing after the answer. */
export function fail(
  broker: BrokerContext,
  conn: ConnectionContext,
  mechanism: string,
  message: string,
): TokenOutcome & { kind: 'failed' } {
  SESSION.set(conn, { stage: 'failed' });
  broker.failedLogins.warn(
    { peer: conn.clientHost, listener: conn.listener.name, mechanism, reason: message },
    'failed SASL login: closing the connection',
  );
  conn.closeAfterResponse('failed SASL login');
  return { kind: 'failed', message };
}
