// Certificates made at test time with the openssl command line (Debian's openssl): a CA, a server
// certificate for localhost / 127.0.0.1, and client certificates. Nothing here is ever committed;
// every call writes a fresh set into a new temporary directory.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CertificatePair {
  /** PEM private key (unencrypted). */
  key: string;
  /** PEM certificate. */
  cert: string;
  keyFile: string;
  certFile: string;
  /** Key followed by certificate: a Kafka PEM key store (ssl.keystore.location). */
  keystoreFile: string;
}

export interface TestCertificates {
  dir: string;
  /** The CA certificate (PEM) that signed every certificate below: the trust store. */
  ca: string;
  caFile: string;
  /** The broker's certificate: CN=localhost, SAN DNS:localhost and IP:127.0.0.1. */
  server: CertificatePair;
  /** Makes a client certificate signed by the CA, e.g. subject "/O=Retail Streams/OU=sales/CN=alice". */
  client(subject: string): CertificatePair;
  /** The server key encrypted with `password` (PKCS#8), for ssl.key.password. */
  encryptedServerKey(password: string): string;
  /** The server key and certificate as a PKCS#12 bundle protected by `password`. */
  serverPkcs12(password: string): Buffer;
  /** Removes the directory. */
  remove(): void;
}

/** Whether the openssl command is available; a reason to show in a skipped test when it is not. */
export function opensslAvailable(): { available: boolean; reason: string } {
  const res = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return res.status === 0
    ? { available: true, reason: '' }
    : { available: false, reason: 'openssl not found: apt-get install -y openssl' };
}

function openssl(args: string[], cwd: string): void {
  const res = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (res.status !== 0)
    throw new Error(
      `openssl ${args[0]} failed (${res.status}): ${res.stderr || res.error?.message}`,
    );
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

/** A fresh CA, server certificate and client-certificate factory (EC P-256 keys: fast to make). */
export function makeTestCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-certs-'));
  openssl(
    [
      'req',
      '-x509',
      '-new',
      ...CURVE,
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
    ].concat(['-subj', '/O=Retail Streams/CN=retail-streams test CA']),
    dir,
  );
  let serial = 1;
  const issue = (name: string, subject: string, extensions: string): CertificatePair => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl(
      [
        'req',
        '-new',
        ...CURVE,
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        subject,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        String(serial++),
      ].concat(['-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]),
      dir,
    );
    const key = fs.readFileSync(path.join(dir, `${name}.key`), 'utf8');
    const cert = fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8');
    const keystoreFile = path.join(dir, `${name}.keystore.pem`);
    fs.writeFileSync(keystoreFile, key + cert, { mode: 0o600 });
    return {
      key,
      cert,
      keyFile: path.join(dir, `${name}.key`),
      certFile: path.join(dir, `${name}.pem`),
      keystoreFile,
    };
  };
  const server = issue(
    'server',
    '/O=Retail Streams/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  let clients = 0;
  return {
    dir,
    ca: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    caFile: path.join(dir, 'ca.pem'),
    server,
    client: (subject) => issue(`client-${++clients}`, subject, 'extendedKeyUsage=clientAuth\n'),
    encryptedServerKey(password) {
      const out = `server-encrypted-${Date.now()}.key`;
      openssl(
        ['pkcs8', '-topk8', '-in', 'server.key', '-out', out, '-passout', `pass:${password}`],
        dir,
      );
      return fs.readFileSync(path.join(dir, out), 'utf8');
    },
    serverPkcs12(password) {
      const out = `server-${Date.now()}.p12`;
      openssl(
        ['pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-out', out].concat([
          '-passout',
          `pass:${password}`,
        ]),
        dir,
      );
      return fs.readFileSync(path.join(dir, out));
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
