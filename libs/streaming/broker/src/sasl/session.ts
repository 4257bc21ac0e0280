import { ConnectionSlot } from '../api/connection-slot.ts';
import type { ConnectionContext } from '../api/types.ts';
import type { SaslMechanismName } from '../config/listeners.ts';
import type { SaslExchange } from './sasl-failure.ts';

/** An authenticated connection: who it is, and (with connections.max.reauth.ms) until when. */
export interface Authenticated {
  stage: 'authenticated';
  principal: string;
  /** The SASL mechanism it logged in with; null on a non-SASL listener. */
  mechanism: SaslMechanismName | null;
  /** Epoch ms after which only a re-authentication is accepted; null = never expires. */
  expiresAt: number | null;
}

/**
 * Where a connection is in its SASL login (Kafka's SaslServerAuthenticator states):
 * - handshake: only ApiVersions and SaslHandshake are accepted;
 * - authenticating: after SaslHandshake, the tokens of `mechanism`, wrapped in SaslAuthenticate
 *   requests (handshake v1) or as raw size-prefixed frames (handshake v0, the old clients' mode);
 *   `reauthenticating` holds the session being renewed (KIP-368);
 * - authenticated; failed: nothing more is read.
 */
export type SaslSession =
  | { stage: 'handshake' }
  | {
      stage: 'authenticating';
      mechanism: SaslMechanismName;
      /** true after SaslHandshake v1 (tokens in SaslAuthenticate), false after v0 (raw tokens). */
      kafkaHeaders: boolean;
      exchange: SaslExchange;
      reauthenticating: Authenticated | null;
    }
  | Authenticated
  | { stage: 'failed' };

/** Non-SASL listeners start authenticated as their transport's principal. */
export const SESSION = new ConnectionSlot<SaslSession>('sasl-session', (conn): SaslSession =>
  conn.listener.sasl === null
    ? {
        stage: 'authenticated',
        principal: conn.transportPrincipal,
        mechanism: null,
        expiresAt: null,
      }
    : { stage: 'handshake' },
);

/**
 * The principal requests on this connection run as. During a re-authentication, the session being
 * renewed; before a login completes, ANONYMOUS (such requests are refused before any handler).
 */
export function principalOf(conn: ConnectionContext): string {
  const session = SESSION.get(conn);
  if (session.stage === 'authenticated') return session.principal;
  if (session.stage === 'authenticating' && session.reauthenticating)
    return session.reauthenticating.principal;
  return 'User:ANONYMOUS';
}
