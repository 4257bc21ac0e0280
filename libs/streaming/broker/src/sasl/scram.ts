import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslFailure } from './sasl-failure.ts';
import type { SaslExchange, SaslStep } from './sasl-failure.ts';

/** SCRAM (RFC 5802) with SHA-256 or SHA-512 (RFC 7677), as Kafka uses it. */
export interface ScramMechanism {
  readonly name: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  /** The id AlterUserScramCredentials and DescribeUserScramCredentials use. */
  readonly id: 1 | 2;
  readonly hash: 'sha256' | 'sha512';
  /** Bytes of one digest. */
  readonly size: number;
}

export const SCRAM_SHA_256: ScramMechanism = {
  name: 'SCRAM-SHA-256',
  id: 1,
  hash: 'sha256',
  size: 32,
};
export const SCRAM_SHA_512: ScramMechanism = {
  name: 'SCRAM-SHA-512',
  id: 2,
  hash: 'sha512',
  size: 64,
};
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = [SCRAM_SHA_256, SCRAM_SHA_512];

/** Kafka's bounds on the iteration count of a stored credential. */
export const MIN_ITERATIONS = 4096;
export const MAX_ITERATIONS = 16384;

export function scramMechanismByName(name: string): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === name);
}

export function scramMechanismById(id: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.id === id);
}

/** What the broker keeps per user and mechanism: never the password, nor the salted password. */
export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

const hmac = (m: ScramMechanism, key: Buffer, data: string | Buffer) =>
  createHmac(m.hash, key).update(data).digest();
const digest = (m: ScramMechanism, data: Buffer) => createHash(m.hash).update(data).digest();

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC over the UTF-8 password (no SASLprep, as Kafka and its clients). */
export function saltedPassword(
  m: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, m.size, m.hash);
}

/** StoredKey and ServerKey from a salted password (what AlterUserScramCredentials sends). */
export function credentialFromSaltedPassword(
  m: ScramMechanism,
  salted: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const clientKey = hmac(m, salted, 'Client Key');
  return {
    salt: Buffer.from(salt),
    storedKey: digest(m, clientKey),
    serverKey: hmac(m, salted, 'Server Key'),
    iterations,
  };
}

export function credentialFromPassword(
  m: ScramMechanism,
  password: string,
  iterations: number,
  salt: Buffer = randomBytes(32),
): ScramCredential {
  return credentialFromSaltedPassword(
    m,
    saltedPassword(m, password, salt, iterations),
    salt,
    iterations,
  );
}

/** saslname: `=2C` is ',' and `=3D` is '='; any other '=' (or a bare ',') is malformed. */
export function decodeSaslName(encoded: string): string | null {
  if (/=(?!2C|3D)/.test(encoded) || encoded.includes(',')) return null;
  return encoded.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

// RFC 5802 §7. `printable` excludes ','; base64 is strict; saslname is any UTF-8 but ',' and '='
// (those come escaped). Extensions (Kafka's tokenauth) are letters=value.
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+';
const BASE64 = '(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?';
const SASLNAME = '(?:[^,=]|=2C|=3D)+';
const EXTENSIONS = '(?:,[A-Za-z]+=[^,]*)*';
const CLIENT_FIRST = new RegExp(
  `^(?<gs2>n,(?:a=(?<authzid>${SASLNAME}))?,)(?<bare>n=(?<user>${SASLNAME}),r=(?<nonce>${PRINTABLE})(?<ext>${EXTENSIONS}))$`,
  'u',
);
const CLIENT_FINAL = new RegExp(
  `^(?<withoutProof>c=(?<binding>${BASE64}),r=(?<nonce>${PRINTABLE})${EXTENSIONS}),p=(?<proof>${BASE64})$`,
);

/** After server-first: what the client-final message is checked against. */
interface AwaitingFinal {
  step: 'final';
  user: string;
  /** The GS2 header of client-first, which client-final must echo (base64) as its channel binding. */
  gs2: string;
  /** Client nonce + server nonce. */
  nonce: string;
  /** client-first-bare "," server-first "," */
  authMessagePrefix: string;
  credential: ScramCredential | undefined;
}

/** Where the credentials come from: the broker's SCRAM store. */
export type CredentialLookup = (
  user: string,
  mechanism: ScramMechanism,
) => ScramCredential | undefined;

/**
 * The server side of one SCRAM login: client-first -> server-first, client-final -> server-final.
 * Checks, as RFC 5802 and Kafka do: the GS2 header announces no channel binding ('n'); the final
 * message echoes the channel-binding header and the full nonce (the client's plus ours: a message
 * replayed from another login has another nonce); the proof matches the stored key. An unknown
 * user runs the same exchange against a made-up credential and fails at the same point as a wrong
 * password, so a client cannot tell which users exist.
 */
export class ScramServerExchange implements SaslExchange {
  readonly #mechanism: ScramMechanism;
  readonly #lookup: CredentialLookup;
  readonly #fakeSaltKey: Buffer;
  #state: { step: 'first' } | AwaitingFinal | { step: 'done' } = { step: 'first' };

  /** `fakeSaltKey`: a per-broker secret, so a made-up salt is stable per user name. */
  constructor(mechanism: ScramMechanism, lookup: CredentialLookup, fakeSaltKey: Buffer) {
    this.#mechanism = mechanism;
    this.#lookup = lookup;
    this.#fakeSaltKey = fakeSaltKey;
  }

  evaluate(token: Buffer): SaslStep {
    const state = this.#state;
    if (state.step === 'first') return this.#first(token);
    if (state.step === 'final') return this.#final(state, token);
    throw new SaslFailure('Authentication failed: the SCRAM exchange is already complete');
  }

  #first(token: Buffer): SaslStep {
    const text = token.toString('utf8');
    if (text.startsWith('p=') || text.startsWith('y,'))
      throw new SaslFailure(
        'Authentication failed: channel binding is not supported (GS2 header must be "n")',
      );
    const m = CLIENT_FIRST.exec(text);
    if (!m?.groups)
      throw new SaslFailure('Authentication failed: malformed SCRAM client-first message');
    const { gs2, authzid, bare, user: encodedUser, nonce: clientNonce, ext } = m.groups;
    const user = decodeSaslName(encodedUser);
    if (user === null) throw new SaslFailure('Authentication failed: malformed SCRAM user name');
    if (authzid !== undefined && decodeSaslName(authzid) !== user)
      throw new SaslFailure(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    if (ext && /(^|,)tokenauth=true/i.test(ext.slice(1)))
      throw new SaslFailure('Authentication failed: delegation tokens are not supported');
    const credential = this.#lookup(user, this.#mechanism);
    const salt = credential?.salt ?? this.#fakeSalt(user);
    const iterations = credential?.iterations ?? MIN_ITERATIONS;
    const nonce = clientNonce + randomBytes(18).toString('base64url');
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.#state = {
      step: 'final',
      user,
      gs2,
      nonce,
      authMessagePrefix: `${bare},${serverFirst},`,
      credential,
    };
    return { done: false, challenge: Buffer.from(serverFirst, 'utf8') };
  }

  #final(state: AwaitingFinal, token: Buffer): SaslStep {
    this.#state = { step: 'done' };
    const m = CLIENT_FINAL.exec(token.toString('utf8'));
    if (!m?.groups)
      throw new SaslFailure('Authentication failed: malformed SCRAM client-final message');
    const { withoutProof, binding, nonce, proof } = m.groups;
    if (Buffer.from(binding, 'base64').toString('utf8') !== state.gs2)
      throw new SaslFailure(
        'Authentication failed: invalid channel binding in the SCRAM client-final message',
      );
    // Kafka accepts any nonce that ends with the full one (client's + ours), and librdkafka 2.0
    // relies on it: it sends its own nonce again in front. Ours is fresh per login either way, so
    // a client-final message recorded from another login still fails here.
    if (!nonce.endsWith(state.nonce))
      throw new SaslFailure(
        'Authentication failed: invalid nonce in the SCRAM client-final message',
      );
    const invalid = new SaslFailure(
      `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.#mechanism.name}`,
    );
    const credential = state.credential;
    const clientProof = Buffer.from(proof, 'base64');
    if (!credential || clientProof.length !== this.#mechanism.size) throw invalid;
    const authMessage = state.authMessagePrefix + withoutProof;
    const clientSignature = hmac(this.#mechanism, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(clientProof.length);
    for (let i = 0; i < clientKey.length; i++) clientKey[i] = clientProof[i] ^ clientSignature[i];
    if (!timingSafeEqual(digest(this.#mechanism, clientKey), credential.storedKey)) throw invalid;
    const serverSignature = hmac(this.#mechanism, credential.serverKey, authMessage);
    return {
      done: true,
      principal: `User:${state.user}`,
      response: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'),
    };
  }

  #fakeSalt(user: string): Buffer {
    return createHmac('sha256', this.#fakeSaltKey).update(user).digest();
  }
}
