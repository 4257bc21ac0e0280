// Real clients against a secured broker: TLS (SSL), SASL_SSL with PLAIN, SCRAM-SHA-256 and
// SCRAM-SHA-512, and ACLs on (StandardAuthorizer). Certificates are made with openssl at test time.
// Each client logs in as a SCRAM (or PLAIN) user that only has ACLs on `compat-` topics and groups,
// produces, consumes back as a group, and is refused a topic it has no ACL for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../broker.ts';
import type { RunningBroker } from '../broker.ts';
import { makeTestCertificates, opensslAvailable } from '../testing/test-certificates.ts';
import type { TestCertificates } from '../testing/test-certificates.ts';
import {
  describeWithClient,
  detectConfluentKafka,
  detectKafkaPython,
  detectKcat,
  detectNpmPackage,
} from './client-availability.ts';
import { runCommand } from './compat-fixture.ts';
import { runPythonDriver } from './python-driver.ts';

const { Kafka, logLevel } = kafkajs;

const openssl = opensslAvailable();
const kafkajsAvailable = await detectNpmPackage('kafkajs');
const platformatic = await detectNpmPackage('@platformatic/kafka');
const kcat = detectKcat();
const confluent = detectConfluentKafka();
const kafkaPython = detectKafkaPython();

const USERS = { alice: 'alice-secret', bob: 'bob-secret' };

interface SecuredBroker {
  broker: RunningBroker;
  certs: TestCertificates;
  /** "localhost:port" of the SASL_SSL listener (the certificate names localhost). */
  saslSsl: string;
  /** "localhost:port" of the SSL listener (no SASL: User:ANONYMOUS unless a client certificate). */
  ssl: string;
  close(): Promise<void>;
}

/**
 * A broker with a SASL_SSL and an SSL listener and ACLs on: `admin` (PLAIN) is a super user;
 * alice (PLAIN and SCRAM) and bob (SCRAM) may use the topics and groups starting with `compat-`,
 * ANONYMOUS the topic `compat-anonymous`.
 */
async function startSecuredBroker(label: string): Promise<SecuredBroker> {
  const certs = makeTestCertificates();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `compat-${label}-`));
  const ssl = {
    keystore: { type: 'PEM' as const, key: certs.server.key, certificateChain: certs.server.cert },
  };
  const broker = await startBroker({
    logDir,
    listeners: [
      {
        name: 'SASL_SSL',
        host: '127.0.0.1',
        port: 0,
        advertisedHost: 'localhost',
        securityProtocol: 'SASL_SSL',
        ssl,
        sasl: {
          enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
          plainUsers: { admin: 'admin-secret', alice: USERS.alice },
        },
      },
      {
        name: 'SSL',
        host: '127.0.0.1',
        port: 0,
        advertisedHost: 'localhost',
        securityProtocol: 'SSL',
        ssl,
      },
    ],
    authorizer: { superUsers: ['User:admin'] },
    scramUsers: Object.entries(USERS).flatMap(([name, password]) =>
      (['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const).map((mechanism) => ({
        name,
        password,
        mechanism,
      })),
    ),
  });
  const port = (name: string) => broker.listeners.find((l) => l.name === name)!.port;
  const saslSsl = `localhost:${port('SASL_SSL')}`;
  const admin = new Kafka({
    clientId: 'compat-admin',
    brokers: [saslSsl],
    ssl: { ca: [certs.ca] },
    sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
  const allow = (
    principal: string,
    resourceType: number,
    resourceName: string,
    pattern: number,
    operation: number,
  ) => ({
    resourceType,
    resourceName,
    resourcePatternType: pattern,
    principal,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  await admin.createAcls({
    acl: [
      ...['User:alice', 'User:bob'].flatMap((p) => [
        allow(
          p,
          AclResourceTypes.TOPIC,
          'compat-',
          ResourcePatternTypes.PREFIXED,
          AclOperationTypes.ALL,
        ),
        allow(
          p,
          AclResourceTypes.GROUP,
          'compat-',
          ResourcePatternTypes.PREFIXED,
          AclOperationTypes.READ,
        ),
      ]),
      allow(
        'User:ANONYMOUS',
        AclResourceTypes.TOPIC,
        'compat-anonymous',
        ResourcePatternTypes.LITERAL,
        AclOperationTypes.ALL,
      ),
    ] as never,
  });
  // @platformatic/kafka's producer does not ask for auto-creation: its topic exists beforehand.
  await admin.createTopics({
    topics: [
      { topic: 'private', numPartitions: 1 },
      { topic: 'compat-platformatic', numPartitions: 2 },
    ],
  });
  await admin.disconnect();
  return {
    broker,
    certs,
    saslSsl,
    ssl: `localhost:${port('SSL')}`,
    async close() {
      await broker.close();
      certs.remove();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
}

if (!openssl.available && process.env.CI === 'true') throw new Error(openssl.reason);

describe.skipIf(!openssl.available)('real clients on a secured broker (TLS, SASL, ACLs)', () => {
  let env: SecuredBroker;
  beforeAll(async () => {
    env = await startSecuredBroker('security');
  }, 60_000);
  afterAll(async () => {
    await env?.close();
  });

  describeWithClient(kafkajsAvailable, 'kafkajs 2.2.4', () => {
    const client = (
      brokers: string,
      sasl?: { mechanism: string; username: string; password: string },
    ) =>
      new Kafka({
        clientId: 'compat-kafkajs-secure',
        brokers: [brokers],
        ssl: { ca: [env.certs.ca] },
        ...(sasl ? { sasl: sasl as never } : {}),
        logLevel: logLevel.NOTHING,
        retry: { retries: 2 },
      });

    async function roundTrip(kafka: InstanceType<typeof Kafka>, topic: string, group: string) {
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` })),
      });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: group });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              values.push(message.value!.toString());
              if (values.length === 50) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return values.sort();
    }

    const expected = Array.from({ length: 50 }, (_, i) => `v${i}`).sort();

    it.each([
      ['plain', 'alice'],
      ['scram-sha-256', 'bob'],
      ['scram-sha-512', 'alice'],
    ])(
      'SASL_SSL with %s: produces idempotently and consumes as a group',
      async (mechanism, user) => {
        const kafka = client(env.saslSsl, {
          mechanism,
          username: user,
          password: USERS[user as keyof typeof USERS],
        });
        expect(
          await roundTrip(kafka, `compat-kafkajs-${mechanism}`, `compat-kafkajs-${mechanism}`),
        ).toEqual(expected);
      },
      60_000,
    );

    it('SSL without SASL: the anonymous principal may use only what its ACLs allow', async () => {
      const producer = client(env.ssl).producer();
      await producer.connect();
      try {
        await producer.send({ topic: 'compat-anonymous', messages: [{ value: 'tls' }] });
        await expect(
          producer.send({ topic: 'private', messages: [{ value: 'x' }] }),
        ).rejects.toThrow(/Not authorized to access topics/);
      } finally {
        await producer.disconnect();
      }
    }, 30_000);

    it('a wrong password is a SASL authentication error', async () => {
      const producer = client(env.saslSsl, {
        mechanism: 'scram-sha-512',
        username: 'bob',
        password: 'wrong',
      }).producer();
      await expect(producer.connect()).rejects.toThrow(
        /SASL SCRAM SHA512 authentication failed|Authentication failed/,
      );
    }, 30_000);

    it('a topic without an ACL is refused, and left out of the metadata', async () => {
      const kafka = client(env.saslSsl, {
        mechanism: 'scram-sha-256',
        username: 'bob',
        password: USERS.bob,
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const topics = await admin.listTopics();
        expect(topics).not.toContain('private');
      } finally {
        await admin.disconnect();
      }
    }, 30_000);
  });

  describeWithClient(platformatic, '@platformatic/kafka', () => {
    it('SASL_SSL with SCRAM-SHA-512: produces and consumes as a group', async () => {
      const { Producer, Consumer, MessagesStreamModes, stringSerializers, stringDeserializers } =
        await import('@platformatic/kafka');
      const common = {
        bootstrapBrokers: [env.saslSsl],
        tls: { ca: env.certs.ca },
        sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'bob', password: USERS.bob },
      };
      const producer = new Producer({
        clientId: 'compat-platformatic',
        serializers: stringSerializers,
        ...common,
      });
      await producer.send({
        messages: Array.from({ length: 20 }, (_, i) => ({
          topic: 'compat-platformatic',
          key: `k${i}`,
          value: `p${i}`,
        })),
      });
      await producer.close();
      const consumer = new Consumer({
        clientId: 'compat-platformatic-c',
        groupId: 'compat-platformatic',
        deserializers: stringDeserializers,
        ...common,
      });
      const stream = await consumer.consume({
        topics: ['compat-platformatic'],
        mode: MessagesStreamModes.EARLIEST,
      });
      const values: string[] = [];
      for await (const message of stream) {
        values.push(message.value as string);
        if (values.length === 20) break;
      }
      await stream.close();
      await consumer.close();
      expect(values.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`).sort());
    }, 60_000);
  });

  describeWithClient(kcat, 'kcat (librdkafka)', () => {
    const secure = () => [
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      'sasl.mechanisms=SCRAM-SHA-512',
      '-X',
      'sasl.username=alice',
      '-X',
      `sasl.password=${USERS.alice}`,
      '-X',
      `ssl.ca.location=${env.certs.caFile}`,
    ];

    it('-X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512: produces and reads back', async () => {
      const lines = Array.from({ length: 100 }, (_, i) => `kcat-${i}`);
      const produced = await runCommand(
        'kcat',
        [
          '-P',
          '-b',
          env.saslSsl,
          '-t',
          'compat-kcat',
          '-X',
          'enable.idempotence=true',
          ...secure(),
        ],
        { input: lines.join('\n') + '\n' },
      );
      expect(produced.code, produced.stderr).toBe(0);
      const read = await runCommand('kcat', [
        '-C',
        '-b',
        env.saslSsl,
        '-t',
        'compat-kcat',
        '-o',
        'beginning',
        '-e',
        '-q',
        ...secure(),
      ]);
      expect(read.code, read.stderr).toBe(0);
      expect(read.stdout.trim().split('\n').sort()).toEqual([...lines].sort());
    }, 60_000);

    it('is refused a topic without an ACL and a wrong password', async () => {
      const denied = await runCommand('kcat', [
        '-C',
        '-b',
        env.saslSsl,
        '-t',
        'private',
        '-o',
        'beginning',
        '-e',
        ...secure(),
      ]);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toMatch(/Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/i);
      const wrong = await runCommand('kcat', [
        '-L',
        '-b',
        env.saslSsl,
        ...secure().slice(0, 6),
        '-X',
        'sasl.password=wrong',
        '-X',
        `ssl.ca.location=${env.certs.caFile}`,
      ]);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/Authentication failed/);
    }, 60_000);
  });

  describeWithClient(confluent, 'confluent-kafka (python, librdkafka)', () => {
    const args = (extra: Record<string, unknown>) => ({
      bootstrap: env.saslSsl,
      mechanism: 'SCRAM-SHA-256',
      user: 'alice',
      password: USERS.alice,
      cafile: env.certs.caFile,
      ...extra,
    });

    it('SASL_SSL with SCRAM-SHA-256: idempotent produce and group consume', async () => {
      const res = await runPythonDriver<{ errors: string[]; unflushed: number; values: string[] }>(
        'secure_clients.py',
        'confluent_roundtrip',
        args({ topic: 'compat-confluent', group: 'compat-confluent', count: 40 }),
      );
      expect(res.errors).toEqual([]);
      expect(res.unflushed).toBe(0);
      expect(res.values).toEqual(Array.from({ length: 40 }, (_, i) => `confluent-${i}`).sort());
    }, 120_000);

    it('reports TOPIC_AUTHORIZATION_FAILED for a topic without an ACL', async () => {
      const res = await runPythonDriver<{ errors: string[] }>(
        'secure_clients.py',
        'confluent_denied',
        args({ topic: 'private' }),
      );
      expect(res.errors).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    }, 60_000);

    it('(AdminClient.create_acls is missing from Debian confluent-kafka 1.7.0: the Python ACL round trip is kafka-python below)', async () => {
      const res = await runPythonDriver<{ available: boolean; version: string }>(
        'secure_clients.py',
        'confluent_admin_acls',
        {},
      );
      // When a newer confluent-kafka has the API, this test says so and the round trip should move here.
      expect(res.available, `confluent-kafka ${res.version} has create_acls`).toBe(false);
    }, 30_000);
  });

  describeWithClient(kafkaPython, 'kafka-python 2.0.2', () => {
    const args = (
      mechanism: string,
      user: keyof typeof USERS | 'admin',
      extra: Record<string, unknown>,
    ) => ({
      bootstrap: env.saslSsl,
      mechanism,
      user,
      password: user === 'admin' ? 'admin-secret' : USERS[user],
      cafile: env.certs.caFile,
      ...extra,
    });

    it.each([
      ['PLAIN', 'alice'],
      ['SCRAM-SHA-512', 'bob'],
    ] as const)(
      'SASL_SSL with %s: produces and consumes as a group',
      async (mechanism, user) => {
        const res = await runPythonDriver<{ errors: string[]; values: string[] }>(
          'secure_clients.py',
          'kafka_python_roundtrip',
          args(mechanism, user, {
            topic: `compat-kp-${mechanism}`,
            group: `compat-kp-${mechanism}`,
            count: 30,
          }),
        );
        expect(res.errors).toEqual([]);
        expect(res.values).toEqual(Array.from({ length: 30 }, (_, i) => `kp-${i}`).sort());
      },
      120_000,
    );

    it('KafkaAdminClient: create_acls, describe_acls, delete_acls', async () => {
      const res = await runPythonDriver<{
        created: number;
        createFailed: string[];
        describeError: string;
        described: Array<{
          principal: string;
          operation: string;
          resource: string;
          pattern: string;
        }>;
        deleted: number;
        after: number;
      }>(
        'secure_clients.py',
        'kafka_python_acls',
        args('PLAIN', 'admin', { principal: 'User:carol', resource: 'compat-carol-' }),
      );
      expect(res).toMatchObject({ created: 1, createFailed: [], deleted: 1, after: 0 });
      expect(res.described).toEqual([
        {
          principal: 'User:carol',
          operation: 'READ',
          resource: 'compat-carol-',
          pattern: 'PREFIXED',
        },
      ]);
    }, 60_000);
  });
});
