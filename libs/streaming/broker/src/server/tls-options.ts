import tls from 'node:tls';
import { ConfigError } from '../config/config-error.ts';
import type { SslOptions } from '../config/listeners.ts';

/**
 * node:tls server options for a listener's `ssl.*` settings. The key material is checked here, once,
 * at start-up (a wrong key password, a key that does not match its certificate, an unreadable
 * PKCS#12 bundle): a broker that cannot serve TLS refuses to start, naming the property.
 */
export function tlsServerOptions(
  listener: string,
  ssl: SslOptions,
  handshakeTimeoutMs: number,
): tls.TlsOptions {
  const origin = ssl.origin ?? `listener ${listener} ssl.keystore`;
  const clientAuth = ssl.clientAuth ?? 'none';
  const options: tls.TlsOptions = {
    minVersion: ssl.enabledProtocols?.includes('TLSv1.2') === false ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: ssl.enabledProtocols?.includes('TLSv1.3') === false ? 'TLSv1.2' : 'TLSv1.3',
    handshakeTimeout: handshakeTimeoutMs,
    // `requested`: ask for a certificate but accept none; a bad one is refused after the handshake.
    requestCert: clientAuth !== 'none',
    rejectUnauthorized: clientAuth === 'required',
  };
  if (ssl.keystore.type === 'PEM') {
    options.key = ssl.keystore.key;
    options.cert = ssl.keystore.certificateChain;
    if (ssl.keystore.keyPassword !== undefined) options.passphrase = ssl.keystore.keyPassword;
  } else {
    options.pfx = ssl.keystore.pfx;
    if (ssl.keystore.password !== undefined) options.passphrase = ssl.keystore.password;
  }
  if (ssl.truststore !== undefined) options.ca = ssl.truststore;
  try {
    tls.createSecureContext(options);
  } catch (err) {
    throw new ConfigError('SSL_KEYSTORE_INVALID', `${origin}: ${describeKeyError(err)}`);
  }
  return options;
}

/** OpenSSL's messages, made actionable; never the key or the password themselves. */
function describeKeyError(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  if (/bad decrypt|bad password|mac verify failure|interrupted or cancelled/i.test(message))
    return 'the private key cannot be decrypted (check ssl.key.password / ssl.keystore.password)';
  if (/key values mismatch/i.test(message))
    return 'the private key does not belong to the first certificate of the chain';
  if (/no start line|unsupported|DECODER|bad base64/i.test(message))
    return `the key or certificate cannot be read (${message})`;
  return message;
}
