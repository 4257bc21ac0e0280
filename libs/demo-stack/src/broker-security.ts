import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PARTICIPANTS, accessOf, type Participant } from '@retail-streams/contracts';
import { participantAcls, replaceAcls, type AclEntry } from '@retail-streams/streaming-client';
import { Kafka, logLevel } from 'kafkajs';
import { DemoError } from './demo-error.ts';
import type { PortMap } from './ports.ts';

/**
 * The local broker's security, as `npm start` runs it (see libs/demo-stack/README.md):
 * - SERVICES (SASL_PLAINTEXT, SCRAM-SHA-512) on 127.0.0.1:`ports.brokerSasl`: each service and the
 *   access-log connector log in as their own user, and the StandardAuthorizer lets each touch only
 *   what the topic registry says it produces and consumes.
 * - OPERATOR (PLAINTEXT) on 127.0.0.1:`ports.broker`, the port the CLI and the labs use: its
 *   connections are `User:ANONYMOUS`, a super user. It is reachable only from this machine, by
 *   processes that could as well read the broker's log folder, so it opens nothing new; it keeps
 *   `streaming topics list` and the dashboard's views of every group working without credentials.
 * No TLS on loopback: the bytes never leave the machine (compose runs SASL_SSL).
 */
export const SERVICE_MECHANISM = 'SCRAM-SHA-512';
export const AUTHORIZER_CLASS = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

/** Each participant's password, made once per data folder and kept there (mode 0600). */
export type KafkaPasswords = Record<Participant, string>;

export function kafkaPasswords(dataDir: string): KafkaPasswords {
  const file = join(dataDir, 'run', 'kafka-users.json');
  const stored = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<KafkaPasswords>)
    : {};
  const passwords = {} as KafkaPasswords;
  for (const name of PARTICIPANTS)
    passwords[name] = stored[name] ?? randomBytes(18).toString('base64url');
  if (PARTICIPANTS.some((name) => stored[name] === undefined)) {
    mkdirSync(join(dataDir, 'run'), { recursive: true });
    writeFileSync(file, JSON.stringify(passwords, null, 2) + '\n', { mode: 0o600 });
  }
  return passwords;
}

/** The broker's server.properties and its --add-scram-file, written to `<dataDir>/run`. */
export function writeBrokerSecurityFiles(
  dataDir: string,
  ports: PortMap,
  passwords: KafkaPasswords,
): { properties: string; scramUsers: string } {
  const dir = join(dataDir, 'run');
  mkdirSync(dir, { recursive: true });
  const properties = join(dir, 'broker.properties');
  writeFileSync(
    properties,
    [
      '# Written by the demo stack at every start (libs/demo-stack/src/broker-security.ts).',
      `listeners=OPERATOR://127.0.0.1:${ports.broker},SERVICES://127.0.0.1:${ports.brokerSasl}`,
      'listener.security.protocol.map=OPERATOR:PLAINTEXT,SERVICES:SASL_PLAINTEXT',
      `sasl.enabled.mechanisms=${SERVICE_MECHANISM}`,
      `authorizer.class.name=${AUTHORIZER_CLASS}`,
      'super.users=User:ANONYMOUS',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const scramUsers = join(dir, 'broker-scram-users');
  writeFileSync(
    scramUsers,
    PARTICIPANTS.map(
      (name) => `${SERVICE_MECHANISM}=[name=${name},password=${passwords[name]}]`,
    ).join('\n') + '\n',
    { mode: 0o600 },
  );
  return { properties, scramUsers };
}

/** The KAFKA_* variables a participant connects with. */
export function participantKafkaEnv(
  name: Participant,
  ports: PortMap,
  passwords: KafkaPasswords,
): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${ports.brokerSasl}`,
    KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
    KAFKA_SASL_MECHANISM: SERVICE_MECHANISM,
    KAFKA_SASL_USERNAME: name,
    KAFKA_SASL_PASSWORD: passwords[name],
  };
}

/** Kafka client properties (for the CLI's --command-config) logging in as `name`, mode 0600. */
export function writeClientProperties(
  dataDir: string,
  name: Participant,
  passwords: KafkaPasswords,
): string {
  const file = join(dataDir, 'run', `${name}.client.properties`);
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${name}" password="${passwords[name]}";`;
  writeFileSync(
    file,
    `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=${SERVICE_MECHANISM}\nsasl.jaas.config=${jaas}\n`,
    { mode: 0o600 },
  );
  return file;
}

/** Every participant's ACLs, derived from the topic registry. */
export function stackAcls(): AclEntry[] {
  return PARTICIPANTS.flatMap((name) => participantAcls(accessOf(name)));
}

/**
 * Makes the registry's ACLs the participants' whole ACLs, through the operator listener; before the
 * services start, so none of them ever runs with rights it should not have.
 */
export async function applyStackAcls(ports: PortMap): Promise<void> {
  const kafka = new Kafka({
    clientId: 'demo-stack',
    brokers: [`127.0.0.1:${ports.broker}`],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await replaceAcls(
      admin,
      PARTICIPANTS.map((name) => `User:${name}`),
      stackAcls(),
    );
  } catch (error) {
    throw new DemoError(
      'ACLS_NOT_APPLIED',
      `could not set the services' ACLs on the broker: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
