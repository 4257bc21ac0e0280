import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startBroker } from '../broker.ts';
import type { BrokerOptions, RunningBroker } from '../broker.ts';
import type { ListenerOptions } from '../config/listeners.ts';
import { ErrorCode } from '../errors/index.ts';
import { ApiKey } from '../protocol/index.ts';
import { WireClient } from '../api/test-support/wire-client.ts';
import { captureLogs } from '../testing/captured-logs.ts';
import { SCRAM_CREDENTIALS_FILE } from './scram-credential-store.ts';
import {
  ScramClient,
  loginPlain,
  loginScram,
  plainToken,
  scramUpsertion,
} from './test-support/sasl-client.ts';

const dirs: string[] = [];
const brokers: RunningBroker[] = [];
const clients: WireClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const SASL: ListenerOptions = {
  name: 'SASL_PLAINTEXT',
  host: '127.0.0.1',
  port: 0,
  securityProtocol: 'SASL_PLAINTEXT',
  sasl: {
    enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    plainUsers: { alice: 'alice-secret', admin: 'admin-secret' },
  },
};
const PLAINTEXT: ListenerOptions = {
  name: 'PLAINTEXT',
  host: '127.0.0.1',
  port: 0,
  securityProtocol: 'PLAINTEXT',
};

async function broker(options: Partial<BrokerOptions> = {}, logDir?: string) {
  const dir = logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sasl-test-'));
  if (!logDir) dirs.push(dir);
  const b = await startBroker({ listeners: [SASL, PLAINTEXT], logDir: dir, ...options });
  brokers.push(b);
  return b;
}

async function connect(b: RunningBroker, name = 'SASL_PLAINTEXT'): Promise<WireClient> {
  const c = await WireClient.connect(b.listeners.find((l) => l.name === name)!.port);
  clients.push(c);
  return c;
}

const metadata = (c: WireClient) => c.send(ApiKey.Metadata, 12, { topics: null } as never);

async function addScramUser(b: RunningBroker, name: string, mechanism: string, password: string) {
  const admin = await connect(b, 'PLAINTEXT');
  const res = await admin.send(ApiKey.AlterUserScramCredentials, 0, {
    deletions: [],
    upsertions: [scramUpsertion(name, mechanism, password)],
  });
  expect(res.results).toEqual([{ user: name, errorCode: 0, errorMessage: null }]);
}

describe('SASL/PLAIN', () => {
  it('logs in with a JAAS user and then serves requests', async () => {
    const b = await broker();
    const c = await connect(b);
    const res = await loginPlain(c, 'alice', 'alice-secret');
    expect(res.errorCode).toBe(0);
    expect((await metadata(c)).brokers).toHaveLength(1);
  });

  it('answers a wrong password with SASL_AUTHENTICATION_FAILED, closes, and logs the peer but no secret', async () => {
    const logs = captureLogs();
    const b = await broker({ logger: logs.logger });
    const c = await connect(b);
    const res = await loginPlain(c, 'alice', 'not-the-password');
    expect(res.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(res.errorMessage).toBe('Authentication failed: Invalid username or password');
    await c.closed;
    const failed = logs.lines().filter((l) => l.includes('failed SASL login'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('"peer":"/127.0.0.1"');
    const all = logs.lines().join('\n');
    expect(all).not.toContain('not-the-password');
    expect(all).not.toContain('alice-secret');
  });

  it('caps a storm of wrong-password logins at 20 log lines per 10 s, then says how many it suppressed, and logs no password', async () => {
    // Only Date is faked: the broker's sockets and timers run for real, the log's clock is moved by hand.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const logs = captureLogs();
      const b = await broker({ logger: logs.logger });
      const attempt = async (i: number) => {
        const c = await connect(b);
        const res = await loginPlain(c, 'alice', `wrong-password-${i}`);
        expect(res.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
        await c.closed;
      };
      await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(i)));
      const failed = () => logs.lines().filter((l) => l.includes('failed SASL login'));
      expect(failed()).toHaveLength(20);

      vi.setSystemTime(Date.now() + 10_000);
      await attempt(30);
      expect(failed()).toHaveLength(21);
      const summaries = logs.lines().filter((l) => l.includes('similar warnings suppressed'));
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toContain('"suppressed":10');

      const all = logs.lines().join('\n');
      expect(all).not.toContain('wrong-password');
      expect(all).not.toContain('alice-secret');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses an authorization id other than the user', async () => {
    const b = await broker();
    const c = await connect(b);
    await c.send(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
    const res = await c.send(ApiKey.SaslAuthenticate, 1, {
      authBytes: plainToken('alice', 'alice-secret', 'admin'),
    });
    expect(res.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    await c.closed;
  });

  it('takes SaslAuthenticate v0, in Kafka frames, after SaslHandshake v1', async () => {
    const b = await broker();
    const c = await connect(b);
    const res = await loginPlain(c, 'alice', 'alice-secret', 0);
    expect(res).toMatchObject({ errorCode: 0, errorMessage: null });
    expect((await metadata(c)).brokers).toHaveLength(1);

    const bad = await connect(b);
    const refused = await loginPlain(bad, 'alice', 'wrong', 0);
    expect(refused.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(refused.errorMessage).toBe('Authentication failed: Invalid username or password');
    await bad.closed;
  });

  it('speaks the v0 raw-token mode of older clients (no Kafka header around the token)', async () => {
    const b = await broker();
    const c = await connect(b);
    expect((await c.send(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' })).errorCode).toBe(0);
    expect(await c.sendRawToken(plainToken('alice', 'alice-secret'))).toEqual(Buffer.alloc(0));
    expect((await metadata(c)).brokers).toHaveLength(1);

    const bad = await connect(b);
    await bad.send(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' });
    await expect(bad.sendRawToken(plainToken('alice', 'wrong'))).rejects.toThrow(/closed/);
  });
});

describe('SASL/SCRAM', () => {
  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'])(
    '%s: logs in with credentials made by AlterUserScramCredentials, and the server proves it knows them',
    async (mechanism) => {
      const b = await broker();
      await addScramUser(b, 'bob', mechanism, 'bob-secret');
      const c = await connect(b);
      const { response, serverVerified } = await loginScram(c, mechanism, 'bob', 'bob-secret');
      expect(response.errorCode).toBe(0);
      expect(serverVerified).toBe(true);
      expect((await metadata(c)).brokers).toHaveLength(1);
    },
  );

  it('runs both rounds in SaslAuthenticate v0 frames after SaslHandshake v1', async () => {
    const b = await broker();
    await addScramUser(b, 'bob', 'SCRAM-SHA-256', 'bob-secret');
    const c = await connect(b);
    const { response, serverVerified } = await loginScram(
      c,
      'SCRAM-SHA-256',
      'bob',
      'bob-secret',
      0,
    );
    expect(response.errorCode).toBe(0);
    expect(serverVerified).toBe(true);
    expect((await metadata(c)).brokers).toHaveLength(1);
  });

  it('answers a wrong password, and an unknown user, the same way', async () => {
    const b = await broker();
    await addScramUser(b, 'bob', 'SCRAM-SHA-256', 'bob-secret');
    for (const [user, password] of [
      ['bob', 'wrong'],
      ['nobody', 'whatever'],
    ]) {
      const c = await connect(b);
      const { response } = await loginScram(c, 'SCRAM-SHA-256', user, password);
      expect(response.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      expect(response.errorMessage).toBe(
        'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
      );
      await c.closed;
    }
  });

  it('refuses a malformed message, a channel-binding request and a replayed client-final message', async () => {
    const b = await broker();
    await addScramUser(b, 'bob', 'SCRAM-SHA-256', 'bob-secret');
    const refused = async (tokens: Buffer[]) => {
      const c = await connect(b);
      await c.send(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
      let last;
      for (const t of tokens) last = await c.send(ApiKey.SaslAuthenticate, 1, { authBytes: t });
      expect(last!.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
      await c.closed;
    };
    await refused([Buffer.from('this is not scram')]);
    await refused([Buffer.from('p=tls-unique,,n=bob,r=abc')]);
    await refused([Buffer.from('n,,n=bo=b,r=abc')]);

    // A complete login, recorded; its client-final replayed in a new login with the same client nonce.
    const scram = new ScramClient('SCRAM-SHA-256', 'bob', 'bob-secret', 'fixed-client-nonce');
    const first = await connect(b);
    await first.send(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
    const serverFirst = await first.send(ApiKey.SaslAuthenticate, 1, { authBytes: scram.first });
    const recordedFinal = scram.final(serverFirst.authBytes);
    expect(
      (await first.send(ApiKey.SaslAuthenticate, 1, { authBytes: recordedFinal })).errorCode,
    ).toBe(0);
    await refused([scram.first, recordedFinal]);
  });

  it('speaks the v0 raw-token mode', async () => {
    const b = await broker();
    await addScramUser(b, 'bob', 'SCRAM-SHA-512', 'bob-secret');
    const c = await connect(b);
    await c.send(ApiKey.SaslHandshake, 0, { mechanism: 'SCRAM-SHA-512' });
    const scram = new ScramClient('SCRAM-SHA-512', 'bob', 'bob-secret');
    const serverFirst = await c.sendRawToken(scram.first);
    const serverFinal = await c.sendRawToken(scram.final(serverFirst));
    expect(scram.verify(serverFinal)).toBe(true);
    expect((await metadata(c)).brokers).toHaveLength(1);
  });
});

describe('the SASL state machine', () => {
  it('refuses a request before authentication with ILLEGAL_SASL_STATE and closes', async () => {
    const b = await broker();
    const c = await connect(b);
    expect(
      (await c.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' }))
        .errorCode,
    ).toBe(0);
    const res = await metadata(c);
    expect(res.topics).toEqual([]);
    await c.closed;
    const other = await connect(b);
    const topics = await other
      .send(ApiKey.Metadata, 1, { topics: [{ name: 'x' }] } as never)
      .then((r) => r.topics);
    expect(topics.map((t) => t.errorCode)).toEqual([ErrorCode.ILLEGAL_SASL_STATE]);
    await other.closed;
  });

  it('answers an unknown mechanism with UNSUPPORTED_SASL_MECHANISM and the enabled list, then closes', async () => {
    const b = await broker();
    const c = await connect(b);
    const res = await c.send(ApiKey.SaslHandshake, 1, { mechanism: 'GSSAPI' });
    expect(res).toEqual({
      errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    });
    await c.closed;
  });

  it('closes a connection that does not authenticate in time', async () => {
    const b = await broker({ authenticationTimeoutMs: 200 });
    const c = await connect(b);
    const started = Date.now();
    await c.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('on a listener without SASL, SaslHandshake is ILLEGAL_SASL_STATE and nothing is closed', async () => {
    const b = await broker();
    const c = await connect(b, 'PLAINTEXT');
    expect((await c.send(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })).errorCode).toBe(
      ErrorCode.ILLEGAL_SASL_STATE,
    );
    expect((await metadata(c)).brokers).toHaveLength(1);
  });
});

describe('re-authentication (KIP-368, connections.max.reauth.ms)', () => {
  it('gives the session lifetime, accepts a re-authentication, and closes an expired session', async () => {
    const b = await broker({ connectionsMaxReauthMs: 400 });
    const c = await connect(b);
    const login = await loginPlain(c, 'alice', 'alice-secret');
    expect(login.sessionLifetimeMs).toBe(400n);
    const again = await loginPlain(c, 'alice', 'alice-secret');
    expect(again.errorCode).toBe(0);
    expect((await metadata(c)).brokers).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    await expect(metadata(c)).rejects.toThrow(/closed/);
  });

  it('re-authenticates after expiry, but never as someone else', async () => {
    const b = await broker({ connectionsMaxReauthMs: 200 });
    const c = await connect(b);
    await loginPlain(c, 'alice', 'alice-secret');
    await new Promise((r) => setTimeout(r, 300));
    expect((await loginPlain(c, 'alice', 'alice-secret')).errorCode).toBe(0);
    expect((await metadata(c)).brokers).toHaveLength(1);
    const res = await loginPlain(c, 'admin', 'admin-secret');
    expect(res.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(res.errorMessage).toMatch(/Cannot change principals/);
    await c.closed;
  });
});

describe('AlterUserScramCredentials and DescribeUserScramCredentials', () => {
  it("applies Kafka's rules and error codes, all or nothing per user", async () => {
    const b = await broker();
    const admin = await connect(b, 'PLAINTEXT');
    const res = await admin.send(ApiKey.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'ghost', mechanism: 1 }],
      upsertions: [
        scramUpsertion('weak', 'SCRAM-SHA-256', 'pw', 1000),
        scramUpsertion('', 'SCRAM-SHA-256', 'pw'),
        { ...scramUpsertion('odd', 'SCRAM-SHA-256', 'pw'), mechanism: 7 },
        scramUpsertion('twice', 'SCRAM-SHA-256', 'pw'),
        scramUpsertion('twice', 'SCRAM-SHA-256', 'pw'),
        scramUpsertion('carol', 'SCRAM-SHA-512', 'carol-secret', 8192),
        scramUpsertion('carol', 'SCRAM-SHA-256', 'carol-secret'),
      ],
    });
    expect(res.results.map((r) => [r.user, r.errorCode])).toEqual([
      ['ghost', ErrorCode.RESOURCE_NOT_FOUND],
      ['weak', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['odd', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
      ['twice', ErrorCode.DUPLICATE_RESOURCE],
      ['carol', ErrorCode.NONE],
    ]);
    const described = await admin.send(ApiKey.DescribeUserScramCredentials, 0, { users: null });
    expect(described.results).toEqual([
      {
        user: 'carol',
        errorCode: 0,
        errorMessage: null,
        credentialInfos: [
          { mechanism: 1, iterations: 4096 },
          { mechanism: 2, iterations: 8192 },
        ],
      },
    ]);
    const some = await admin.send(ApiKey.DescribeUserScramCredentials, 0, {
      users: [{ name: 'carol' }, { name: 'twice' }, { name: 'carol' }],
    });
    expect(some.results.map((r) => [r.user, r.errorCode])).toEqual([
      ['carol', ErrorCode.DUPLICATE_RESOURCE],
      ['twice', ErrorCode.RESOURCE_NOT_FOUND],
    ]);
    const deleted = await admin.send(ApiKey.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'carol', mechanism: 1 }],
      upsertions: [],
    });
    expect(deleted.results[0].errorCode).toBe(0);
    const after = await admin.send(ApiKey.DescribeUserScramCredentials, 0, {
      users: [{ name: 'carol' }],
    });
    expect(after.results[0].credentialInfos).toEqual([{ mechanism: 2, iterations: 8192 }]);
  });

  it('keeps credentials salted and hashed across a restart, never the password', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sasl-test-'));
    dirs.push(dir);
    const first = await broker({}, dir);
    await addScramUser(first, 'dave', 'SCRAM-SHA-256', 'dave-password-123');
    await first.close();
    const stored = fs.readFileSync(path.join(dir, SCRAM_CREDENTIALS_FILE), 'utf8');
    expect(stored).not.toContain('dave-password-123');
    expect(fs.statSync(path.join(dir, SCRAM_CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    const second = await broker({}, dir);
    const c = await connect(second);
    expect(
      (await loginScram(c, 'SCRAM-SHA-256', 'dave', 'dave-password-123')).response.errorCode,
    ).toBe(0);
  });

  it('sets the users given at start (scramUsers, like kafka-storage format --add-scram)', async () => {
    const b = await broker({
      scramUsers: [
        { name: 'svc', mechanism: 'SCRAM-SHA-512', password: 'svc-secret', iterations: 8192 },
      ],
    });
    const c = await connect(b);
    expect((await loginScram(c, 'SCRAM-SHA-512', 'svc', 'svc-secret')).response.errorCode).toBe(0);
  });
});
