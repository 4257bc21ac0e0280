// Test support: the client side of PLAIN and SCRAM over a WireClient, written from RFC 4616 / 5802
// (not from the broker's code), so the broker's exchange is checked against an independent peer.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ApiKey } from '../../protocol/index.ts';
import type { WireClient } from '../../api/test-support/wire-client.ts';

type Hash = 'sha256' | 'sha512';
export const hashOf = (mechanism: string): Hash =>
  mechanism === 'SCRAM-SHA-512' ? 'sha512' : 'sha256';

export function plainToken(user: string, password: string, authzid = ''): Buffer {
  return Buffer.from(`${authzid}\u0000${user}\u0000${password}`, 'utf8');
}

/** Client side of one SCRAM exchange. */
export class ScramClient {
  readonly clientNonce: string;
  readonly first: Buffer;
  private readonly bare: string;
  private serverSignature: Buffer | null = null;
  private readonly mechanism: string;
  private readonly password: string;

  constructor(
    mechanism: string,
    user: string,
    password: string,
    clientNonce = randomBytes(18).toString('base64'),
  ) {
    this.mechanism = mechanism;
    this.password = password;
    this.clientNonce = clientNonce.replace(/,/g, '');
    this.bare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.clientNonce}`;
    this.first = Buffer.from(`n,,${this.bare}`);
  }

  /** client-final for the server-first message. */
  final(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString();
    const attrs = new Map(text.split(',').map((kv) => [kv[0], kv.slice(2)]));
    const nonce = attrs.get('r')!;
    if (!nonce.startsWith(this.clientNonce)) throw new Error('server nonce does not extend ours');
    const hash = hashOf(this.mechanism);
    const size = hash === 'sha512' ? 64 : 32;
    const salted = pbkdf2Sync(
      this.password,
      Buffer.from(attrs.get('s')!, 'base64'),
      Number(attrs.get('i')),
      size,
      hash,
    );
    const clientKey = createHmac(hash, salted).update('Client Key').digest();
    const storedKey = createHash(hash).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${this.bare},${text},${withoutProof}`;
    const signature = createHmac(hash, storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
    const serverKey = createHmac(hash, salted).update('Server Key').digest();
    this.serverSignature = createHmac(hash, serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** True when server-final proves the server knew the credential. */
  verify(serverFinal: Buffer): boolean {
    return serverFinal.toString() === `v=${this.serverSignature?.toString('base64')}`;
  }
}

/** SaslHandshake v1 + SaslAuthenticate with PLAIN; returns the SaslAuthenticate response. */
export async function loginPlain(c: WireClient, user: string, password: string, version = 2) {
  const hs = await c.send(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
  if (hs.errorCode !== 0) throw new Error(`handshake failed: ${hs.errorCode}`);
  return c.send(ApiKey.SaslAuthenticate, version, { authBytes: plainToken(user, password) });
}

/** SaslHandshake v1 + two SaslAuthenticate rounds; returns the last response and whether the server proved itself. */
export async function loginScram(
  c: WireClient,
  mechanism: string,
  user: string,
  password: string,
  version = 2,
) {
  const hs = await c.send(ApiKey.SaslHandshake, 1, { mechanism });
  if (hs.errorCode !== 0) throw new Error(`handshake failed: ${hs.errorCode}`);
  const scram = new ScramClient(mechanism, user, password);
  const first = await c.send(ApiKey.SaslAuthenticate, version, { authBytes: scram.first });
  if (first.errorCode !== 0) return { response: first, serverVerified: false };
  const final = await c.send(ApiKey.SaslAuthenticate, version, {
    authBytes: scram.final(first.authBytes),
  });
  return {
    response: final,
    serverVerified: final.errorCode === 0 && scram.verify(final.authBytes),
  };
}

/** The upsertion AlterUserScramCredentials expects: salt and salted password, never the password. */
export function scramUpsertion(
  name: string,
  mechanism: string,
  password: string,
  iterations = 4096,
) {
  const hash = hashOf(mechanism);
  const salt = randomBytes(24);
  return {
    name,
    mechanism: mechanism === 'SCRAM-SHA-512' ? 2 : 1,
    iterations,
    salt,
    saltedPassword: pbkdf2Sync(password, salt, iterations, hash === 'sha512' ? 64 : 32, hash),
  };
}
