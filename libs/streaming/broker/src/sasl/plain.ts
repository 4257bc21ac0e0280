import { createHash, timingSafeEqual } from 'node:crypto';
import { SaslFailure } from './sasl-failure.ts';
import type { SaslExchange, SaslStep } from './sasl-failure.ts';

const INVALID = 'Authentication failed: Invalid username or password';

/**
 * SASL/PLAIN (RFC 4616) against the users of the listener's PlainLoginModule JAAS config, with
 * Kafka's checks and messages: `[authzid] NUL authcid NUL password`, the authorization id empty or
 * equal to the user name. Passwords are compared in constant time (their digests, so the length
 * of the right password does not leak either).
 */
export class PlainServerExchange implements SaslExchange {
  readonly #users: Readonly<Record<string, string>>;
  #done = false;

  constructor(users: Readonly<Record<string, string>>) {
    this.#users = users;
  }

  evaluate(token: Buffer): SaslStep {
    if (this.#done)
      throw new SaslFailure('Authentication failed: the PLAIN exchange is already complete');
    this.#done = true;
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3)
      throw new SaslFailure('Invalid SASL/PLAIN response: expected 3 tokens, got ' + parts.length);
    const [authzid, user, password] = parts;
    if (user === '') throw new SaslFailure('Authentication failed: username not specified');
    if (password === '') throw new SaslFailure('Authentication failed: password not specified');
    const expected = Object.hasOwn(this.#users, user) ? this.#users[user] : undefined;
    // Compare even for an unknown user, so timing does not tell which users exist.
    const same = timingSafeEqual(sha256(password), sha256(expected ?? '\u0000unknown'));
    if (expected === undefined || !same) throw new SaslFailure(INVALID);
    if (authzid !== '' && authzid !== user)
      throw new SaslFailure(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    return { done: true, principal: `User:${user}`, response: Buffer.alloc(0) };
  }
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
