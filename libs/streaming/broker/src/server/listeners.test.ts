import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../broker.ts';
import type { BrokerOptions, RunningBroker } from '../broker.ts';
import { ConfigError } from '../config/config-error.ts';
import { parseProperties } from '../config/properties.ts';
import { serverPropertiesToOptions } from '../config/server-properties.ts';
import { ApiKey } from '../protocol/index.ts';
import { makeTestCertificates, opensslAvailable } from '../testing/test-certificates.ts';
import type { TestCertificates } from '../testing/test-certificates.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import { captureLogs } from '../testing/captured-logs.ts';
import { SslPrincipalBuilder, rfc2253Subject } from './ssl-principal.ts';

const openssl = opensslAvailable();
if (!openssl.available && process.env.CI === 'true') throw new Error(openssl.reason);

let certs: TestCertificates;
/** A second CA the broker's trust store never names: its client certificates are untrusted. */
let foreign: TestCertificates;
const dirs: string[] = [];
const brokers: RunningBroker[] = [];
const clients: WireClient[] = [];

beforeAll(() => {
  if (!openssl.available) return;
  certs = makeTestCertificates();
  foreign = makeTestCertificates();
});
afterAll(() => {
  certs?.remove();
  foreign?.remove();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function logDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'listeners-test-'));
  dirs.push(dir);
  return dir;
}

/** A broker from server.properties text (ports 0: ephemeral), as the process would start it. */
async function brokerFrom(properties: string, extra: Partial<BrokerOptions> = {}) {
  const { options } = serverPropertiesToOptions(parseProperties(properties));
  const broker = await startBroker({ ...options, logDir: logDir(), ...extra });
  brokers.push(broker);
  return broker;
}

async function client(c: Promise<WireClient>): Promise<WireClient> {
  const w = await c;
  clients.push(w);
  return w;
}

const listener = (b: RunningBroker, name: string) => b.listeners.find((l) => l.name === name)!;
const inlinePem = (pem: string) => pem.replace(/\n/g, ' ');

/**
 * Connects over TLS, trusting the test CA and presenting `client`'s certificate if given, and asks
 * ApiVersions: the error code of the answer, or 'closed' when the broker drops the connection.
 */
async function apiVersionsOverTls(
  port: number,
  client?: { key: string; cert: string },
): Promise<number | 'closed'> {
  const options = { ca: certs.ca, ...(client && { key: client.key, cert: client.cert }) };
  const c = await WireClient.connectTls(port, options).catch(() => null);
  if (!c) return 'closed';
  clients.push(c);
  return c.send(ApiKey.ApiVersions, 0, {} as never).then(
    (res) => res.errorCode,
    () => 'closed' as const,
  );
}

describe.skipIf(!openssl.available)('listeners and TLS', () => {
  it('serves PLAINTEXT and SSL at once; Metadata answers with the address of the listener asked', async () => {
    const broker = await brokerFrom(
      [
        'listeners=INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0',
        'advertised.listeners=INTERNAL://internal.example:19092,EXTERNAL://external.example:29092',
        'listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:SSL',
        `listener.name.external.ssl.keystore.location=${certs.server.keystoreFile}`,
      ].join('\n'),
    );
    expect(broker.listeners.map((l) => [l.name, l.securityProtocol])).toEqual([
      ['INTERNAL', 'PLAINTEXT'],
      ['EXTERNAL', 'SSL'],
    ]);
    const plain = await client(WireClient.connect(listener(broker, 'INTERNAL').port));
    const secure = await client(
      WireClient.connectTls(listener(broker, 'EXTERNAL').port, { ca: certs.ca }),
    );
    const viaPlain = await plain.send(ApiKey.Metadata, 12, { topics: [] } as never);
    const viaTls = await secure.send(ApiKey.Metadata, 12, { topics: [] } as never);
    expect(viaPlain.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(['internal.example:19092']);
    expect(viaTls.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(['external.example:29092']);
  });

  it('never answers plaintext on a TLS port, nor TLS on a plaintext port: only that connection closes', async () => {
    const broker = await brokerFrom(
      [
        'listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
        `ssl.keystore.location=${certs.server.keystoreFile}`,
      ].join('\n'),
    );
    const healthy = await client(
      WireClient.connectTls(listener(broker, 'SSL').port, { ca: certs.ca }),
    );
    // A Kafka request in the clear on the TLS port is TLS garbage.
    const garbage = await client(WireClient.connect(listener(broker, 'SSL').port));
    garbage.writeRaw(WireClient.frame(ApiKey.ApiVersions, 0, 1, {} as never));
    await garbage.closed;
    // A TLS ClientHello on the plaintext port reads as a huge frame and is refused.
    const hello = tls.connect({ port: listener(broker, 'PLAINTEXT').port, host: '127.0.0.1' });
    const helloClosed = new Promise((resolve) => hello.on('close', resolve));
    hello.on('error', () => undefined);
    await helloClosed;
    const versions = await healthy.send(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1',
    });
    expect(versions.errorCode).toBe(0);
  });

  it('closes a connection that never finishes its TLS handshake', async () => {
    const broker = await brokerFrom(
      [`listeners=SSL://127.0.0.1:0`, `ssl.keystore.location=${certs.server.keystoreFile}`].join(
        '\n',
      ),
      { authenticationTimeoutMs: 300 },
    );
    const socket = net.connect({ port: broker.port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    const started = Date.now();
    await new Promise((resolve) => socket.on('close', resolve));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reads inline PEM (joined lines, as a properties continuation leaves them) and an encrypted key', async () => {
    const encrypted = certs.encryptedServerKey('s3cret');
    const broker = await brokerFrom(
      [
        'listeners=SSL://127.0.0.1:0',
        'ssl.keystore.type=PEM',
        `ssl.keystore.key=${inlinePem(encrypted)}`,
        `ssl.keystore.certificate.chain=${inlinePem(certs.server.cert)}`,
        'ssl.key.password=s3cret',
      ].join('\n'),
    );
    const c = await client(WireClient.connectTls(broker.port, { ca: certs.ca }));
    expect((await c.send(ApiKey.ApiVersions, 0, {} as never)).errorCode).toBe(0);
  });

  it('reads a PKCS#12 key store', async () => {
    const p12 = path.join(certs.dir, 'server-test.p12');
    fs.writeFileSync(p12, certs.serverPkcs12('p12pass'));
    const broker = await brokerFrom(
      [
        'listeners=SSL://127.0.0.1:0',
        'ssl.keystore.type=PKCS12',
        `ssl.keystore.location=${p12}`,
        'ssl.keystore.password=p12pass',
      ].join('\n'),
    );
    const c = await client(WireClient.connectTls(broker.port, { ca: certs.ca }));
    expect((await c.send(ApiKey.ApiVersions, 0, {} as never)).errorCode).toBe(0);
  });

  it('with ssl.client.auth=required, refuses a client without a certificate and accepts one signed by the trust store', async () => {
    const alice = certs.client('/O=Retail Streams/OU=sales/CN=alice');
    const broker = await brokerFrom(
      [
        'listeners=SSL://127.0.0.1:0',
        `ssl.keystore.location=${certs.server.keystoreFile}`,
        `ssl.truststore.location=${certs.caFile}`,
        'ssl.client.auth=required',
      ].join('\n'),
    );
    const anonymous = tls.connect({
      port: broker.port,
      host: '127.0.0.1',
      ca: certs.ca,
      servername: 'localhost',
    });
    anonymous.on('error', () => undefined);
    anonymous.write(WireClient.frame(ApiKey.ApiVersions, 0, 1, {} as never));
    await new Promise((resolve) => anonymous.on('close', resolve));
    const c = await client(
      WireClient.connectTls(broker.port, { ca: certs.ca, key: alice.key, cert: alice.cert }),
    );
    expect((await c.send(ApiKey.ApiVersions, 0, {} as never)).errorCode).toBe(0);
  });

  it('with ssl.client.auth=requested, accepts a client without a certificate or with a trusted one, and refuses an untrusted one', async () => {
    const logs = captureLogs();
    const alice = certs.client('/O=Retail Streams/OU=sales/CN=alice');
    const mallory = foreign.client('/O=Retail Streams/OU=sales/CN=mallory');
    const broker = await brokerFrom(
      [
        'listeners=SSL://127.0.0.1:0',
        `ssl.keystore.location=${certs.server.keystoreFile}`,
        `ssl.truststore.location=${certs.caFile}`,
        'ssl.client.auth=requested',
      ].join('\n'),
      { logger: logs.logger },
    );
    expect(await apiVersionsOverTls(broker.port)).toBe(0);
    expect(await apiVersionsOverTls(broker.port, alice)).toBe(0);
    expect(await apiVersionsOverTls(broker.port, mallory)).toBe('closed');
    const refusals = logs.lines().filter((l) => l.includes('client certificate not trusted'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('"reason":"UNABLE_TO_VERIFY_LEAF_SIGNATURE"');
  });

  it('verifies client certificates against a PEM trust store given inline (ssl.truststore.certificates)', async () => {
    const alice = certs.client('/O=Retail Streams/OU=sales/CN=alice');
    const mallory = foreign.client('/O=Retail Streams/OU=sales/CN=mallory');
    const broker = await brokerFrom(
      [
        'listeners=SSL://127.0.0.1:0',
        `ssl.keystore.location=${certs.server.keystoreFile}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.certificates=${inlinePem(certs.ca)}`,
        'ssl.client.auth=required',
      ].join('\n'),
    );
    expect(await apiVersionsOverTls(broker.port, alice)).toBe(0);
    expect(await apiVersionsOverTls(broker.port, mallory)).toBe('closed');
    expect(await apiVersionsOverTls(broker.port)).toBe('closed');
  });

  it('trusts every CA of an inline trust store that holds several', async () => {
    const alice = certs.client('/O=Retail Streams/OU=sales/CN=alice');
    const mallory = foreign.client('/O=Retail Streams/OU=sales/CN=mallory');
    const broker = await brokerFrom(
      [
        'listeners=SSL://127.0.0.1:0',
        `ssl.keystore.location=${certs.server.keystoreFile}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.certificates=${inlinePem(certs.ca + foreign.ca)}`,
        'ssl.client.auth=required',
      ].join('\n'),
    );
    for (const who of [alice, mallory]) expect(await apiVersionsOverTls(broker.port, who)).toBe(0);
  });

  it("turns a certificate's subject into Kafka's principal (RFC 2253 DN, most specific first; mapping rules)", () => {
    const alice = new X509Certificate(
      certs.client('/C=FR/O=Retail\\, Streams/OU=sales+L=Paris/CN=alice').cert,
    );
    expect(rfc2253Subject(alice)).toBe('CN=alice,L=Paris+OU=sales,O=Retail\\, Streams,C=FR');
    expect(new SslPrincipalBuilder(undefined).principal(alice)).toBe(
      'User:CN=alice,L=Paris+OU=sales,O=Retail\\, Streams,C=FR',
    );
    const rules = new SslPrincipalBuilder('RULE:^CN=([a-zA-Z]+),.*OU=sales.*$/$1-sales/U, DEFAULT');
    expect(rules.principal(alice)).toBe('User:ALICE-SALES');
    expect(new SslPrincipalBuilder('RULE:^CN=bob,.*$/bob/').principal(alice)).toBeNull();
    expect(new SslPrincipalBuilder(undefined).principal(undefined)).toBe('User:ANONYMOUS');
  });
});

describe('a listener is a promise: the broker refuses to start on what it cannot serve', () => {
  const refuses = async (properties: string, code: string, property: RegExp) => {
    let error: unknown;
    try {
      await brokerFrom(properties);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe(code);
    expect((error as ConfigError).message).toMatch(property);
  };

  it('an SSL listener without a key', () =>
    refuses('listeners=SSL://127.0.0.1:0', 'SSL_KEYSTORE_MISSING', /ssl\.keystore\.location/));

  it('a listener name with no security protocol', () =>
    refuses(
      'listeners=CLIENT://127.0.0.1:0',
      'UNSUPPORTED_SECURITY_PROTOCOL',
      /listener\.security\.protocol\.map.*CLIENT/,
    ));

  it('an unknown security protocol', () =>
    refuses(
      'listeners=CLIENT://127.0.0.1:0\nlistener.security.protocol.map=CLIENT:KERBEROS',
      'UNSUPPORTED_SECURITY_PROTOCOL',
      /listener\.security\.protocol\.map/,
    ));

  it("SASL with Kafka's default mechanism (GSSAPI)", () =>
    refuses(
      'listeners=SASL_PLAINTEXT://127.0.0.1:0',
      'UNSUPPORTED_SASL_MECHANISM',
      /sasl\.enabled\.mechanisms.*GSSAPI/,
    ));

  it('an unknown mechanism', () =>
    refuses(
      'listeners=SASL_PLAINTEXT://127.0.0.1:0\nsasl.enabled.mechanisms=OAUTHBEARER',
      'UNSUPPORTED_SASL_MECHANISM',
      /sasl\.enabled\.mechanisms.*OAUTHBEARER/,
    ));

  it('PLAIN without users', () =>
    refuses(
      'listeners=SASL_PLAINTEXT://127.0.0.1:0\nsasl.enabled.mechanisms=PLAIN',
      'SASL_JAAS_CONFIG_MISSING',
      /listener\.name\.sasl_plaintext\.plain\.sasl\.jaas\.config/,
    ));

  it('a JKS key store', () =>
    refuses(
      'listeners=SSL://127.0.0.1:0\nssl.keystore.type=JKS\nssl.keystore.location=/x.jks',
      'UNSUPPORTED_KEYSTORE_TYPE',
      /ssl\.keystore\.type/,
    ));

  it.skipIf(!openssl.available)('a wrong key password, without echoing it', async () => {
    const encrypted = certs.encryptedServerKey('right-password');
    const props = [
      'listeners=SSL://127.0.0.1:0',
      `ssl.keystore.key=${inlinePem(encrypted)}`,
      `ssl.keystore.certificate.chain=${inlinePem(certs.server.cert)}`,
      'ssl.key.password=wrong-password',
    ].join('\n');
    await refuses(
      props,
      'SSL_KEYSTORE_INVALID',
      /ssl\.keystore\.key: the private key cannot be decrypted/,
    );
    await brokerFrom(props).catch((err: Error) =>
      expect(err.message).not.toContain('wrong-password'),
    );
  });
});
