/**
 * A login the broker refuses. The message goes back to the client (SaslAuthenticate's
 * errorMessage) and into the log, so it must never contain a password, a proof or a key.
 */
export class SaslFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslFailure';
  }
}

/** One step of a server-side SASL exchange. */
export type SaslStep =
  { done: false; challenge: Buffer } | { done: true; principal: string; response: Buffer };

/** The server side of one SASL login: each client token in, a challenge or the outcome out. */
export interface SaslExchange {
  /** Throws SaslFailure when the login is refused. */
  evaluate(token: Buffer): SaslStep;
}
