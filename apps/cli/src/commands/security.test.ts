// `streaming users` and `streaming acls` against a SASL_SSL broker with ACLs on, the way an operator
// would run them: a client.properties file (--command-config) with security.protocol, sasl.* and
// ssl.truststore.location, the real binary as a child process.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBroker } from '@retail-streams/streaming-broker';
import type { RunningBroker } from '@retail-streams/streaming-broker';
import { makeTestCertificates, opensslAvailable } from '@retail-streams/streaming-broker/testing';
import type { TestCertificates } from '@retail-streams/streaming-broker/testing';
import { runCli, tempDir } from '../test-support/cli-harness.ts';

const openssl = opensslAvailable();
if (!openssl.available && process.env.CI === 'true') throw new Error(openssl.reason);

// Every step is a CLI process of its own (Node start, TLS, SCRAM), up to 15 per test: on a loaded
// 2-core CI machine a test took close to the suite's 60 s default, so this file has a larger budget.
vi.setConfig({ testTimeout: 240_000 });

describe.skipIf(!openssl.available)('streaming users and acls on a secured broker', () => {
  let certs: TestCertificates;
  let broker: RunningBroker;
  let dir: string;
  const config = (name: string, user: string, password: string, mechanism = 'SCRAM-SHA-512') => {
    const file = path.join(dir, `${name}.properties`);
    const module =
      mechanism === 'PLAIN'
        ? 'org.apache.kafka.common.security.plain.PlainLoginModule'
        : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    fs.writeFileSync(
      file,
      [
        'security.protocol=SASL_SSL',
        `sasl.mechanism=${mechanism}`,
        `sasl.jaas.config=${module} required username="${user}" password="${password}";`,
        `ssl.truststore.location=${certs.caFile}`,
        'ssl.truststore.type=PEM',
      ].join('\n'),
    );
    return file;
  };
  const as = (file: string, ...args: string[]) =>
    runCli([...args, '--bootstrap-server', broker.bootstrap, '--command-config', file]);

  beforeAll(async () => {
    certs = makeTestCertificates();
    dir = tempDir('streaming-cli-security-');
    broker = await startBroker({
      logDir: path.join(dir, 'logs'),
      listeners: [
        {
          name: 'SASL_SSL',
          host: '127.0.0.1',
          port: 0,
          advertisedHost: 'localhost',
          securityProtocol: 'SASL_SSL',
          ssl: {
            keystore: { type: 'PEM', key: certs.server.key, certificateChain: certs.server.cert },
          },
          sasl: {
            enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
            plainUsers: { admin: 'admin-secret' },
          },
        },
      ],
      authorizer: { superUsers: ['User:admin'] },
    });
  });
  afterAll(async () => {
    await broker?.close();
    certs?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a SCRAM user, who can then log in; describes and deletes it', async () => {
    const admin = config('admin', 'admin', 'admin-secret', 'PLAIN');
    const added = await as(
      admin,
      'users',
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'alice',
      '--add-config',
      'SCRAM-SHA-512=[iterations=8192,password=alice-secret],SCRAM-SHA-256=[password=alice-secret]',
    );
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe('Completed updating config for user alice.\n');
    const described = await as(admin, 'users', '--describe', '--entity-name', 'alice');
    expect(described.stdout).toBe(
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=4096, SCRAM-SHA-512=iterations=8192\n",
    );

    const alice = config('alice', 'alice', 'alice-secret');
    // Logged in, but no ACL yet: the topic list is empty rather than an error.
    const topics = await as(alice, 'topics', '--list');
    expect(topics.code).toBe(0);
    const wrong = config('alice-wrong', 'alice', 'not-her-password');
    const refused = await as(wrong, 'topics', '--list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/authentication failed/);
    expect(refused.stderr).not.toContain('not-her-password');

    const deleted = await as(
      admin,
      'users',
      '--alter',
      '--entity-name',
      'alice',
      '--delete-config',
      'SCRAM-SHA-256',
    );
    expect(deleted.code).toBe(0);
    expect((await as(admin, 'users', '--describe', '--entity-name', 'alice')).stdout).toMatch(
      /are SCRAM-SHA-512=iterations=8192\n$/,
    );
  });

  it('adds, lists and removes ACLs, which then decide what a user may do', async () => {
    const admin = config('admin', 'admin', 'admin-secret', 'PLAIN');
    await as(
      admin,
      'users',
      '--alter',
      '--entity-name',
      'bob',
      '--add-config',
      'SCRAM-SHA-256=[password=bob-secret]',
    );
    const bob = config('bob', 'bob', 'bob-secret', 'SCRAM-SHA-256');
    expect((await as(admin, 'topics', '--create', '--topic', 'orders')).code).toBe(0);

    const denied = await runCli(
      [
        'produce',
        '--topic',
        'orders',
        '--bootstrap-server',
        broker.bootstrap,
        '--command-config',
        bob,
      ],
      { input: 'one\n' },
    );
    expect(denied.code).toBe(1);
    // The idempotent producer asks first: IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
    expect(denied.stderr).toMatch(/not authorized: CLUSTER_AUTHORIZATION_FAILED/);

    const added = await as(
      admin,
      'acls',
      '--add',
      '--allow-principal',
      'User:bob',
      '--producer',
      '--consumer',
      '--topic',
      'orders',
      '--group',
      'billing',
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(
      'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:',
    );
    expect(added.stdout).toContain(
      '(principal=User:bob, host=*, operation=WRITE, permissionType=ALLOW)',
    );

    const produced = await runCli(
      [
        'produce',
        '--topic',
        'orders',
        '--bootstrap-server',
        broker.bootstrap,
        '--command-config',
        bob,
      ],
      { input: 'one\ntwo\n' },
    );
    expect(produced.code).toBe(0);
    const consumed = await as(
      bob,
      'consume',
      '--topic',
      'orders',
      '--group',
      'billing',
      '--from-beginning',
      '--max-messages',
      '2',
    );
    expect(consumed.stdout).toBe('one\ntwo\n');

    const listed = await as(admin, 'acls', '--list', '--topic', 'orders');
    expect(listed.stdout.match(/principal=User:bob/g)).toHaveLength(4);
    expect((await as(bob, 'acls', '--list')).stderr).toMatch(/CLUSTER_AUTHORIZATION_FAILED/);

    const removed = await as(admin, 'acls', '--remove', '--topic', 'orders', '--force');
    expect(removed.stdout).toContain('Removed ACLs for resource');
    expect((await as(admin, 'acls', '--list', '--topic', 'orders')).stdout).toBe('');
    // Nine CLI processes in a row: on a loaded 2-core machine each start alone can take seconds.
  }, 240_000);

  it('refuses a client configuration it cannot use, naming the property', async () => {
    const file = path.join(dir, 'gssapi.properties');
    fs.writeFileSync(file, 'security.protocol=SASL_SSL\n');
    const res = await as(file, 'topics', '--list');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/sasl\.mechanism: GSSAPI/);
  });
});
