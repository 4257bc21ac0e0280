import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readComposeFile, repoRoot } from '../compose-file.ts';
import type { ComposeFile } from '../compose-file.ts';
import { aclScript } from './kafka-acls.ts';
import { kafkaClientProblems } from './kafka-clients.ts';
import { readKafkaCluster } from './kafka-cluster.ts';

const compose = readComposeFile();
const brokers = ['kafka-1', 'kafka-2', 'kafka-3'];

/** The compose file with some variables changed (undefined removes one) on the given services. */
function withEnv(
  changes: Record<string, string | undefined>,
  services: string[] = brokers,
): ComposeFile {
  const copy = structuredClone(compose);
  for (const service of services) {
    const environment = { ...copy.services[service]?.environment };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete environment[name];
      else environment[name] = value;
    }
    copy.services[service] = { ...copy.services[service], environment };
  }
  return copy;
}

const problemsOf = (file: ComposeFile) => readKafkaCluster(file).problems;
const onKafka1 = (changes: Record<string, string | undefined>) =>
  problemsOf(withEnv(changes, ['kafka-1'])).filter((p) => p.startsWith('kafka-1:'));

describe('the compose cluster runs SASL_SSL with SCRAM, as Kafka 3.9 and its image would start it', () => {
  it('serves every listener over SASL_SSL, with ACLs on', () => {
    const cluster = readKafkaCluster(compose);
    expect(cluster.problems).toEqual([]);
    for (const node of cluster.nodes) {
      expect([...node.protocols.values()]).toEqual(['SASL_SSL', 'SASL_SSL', 'SASL_SSL']);
      expect(node.enabledMechanisms('INTERNAL')).toEqual(['SCRAM-SHA-512']);
      expect(node.properties.get('authorizer.class.name')).toBe(
        'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      );
      expect(node.scramUsers?.has('admin')).toBe(true);
    }
  });

  describe('refuses, with the reason Kafka or its image would give', () => {
    it("SASL listeners left on Kafka's default mechanism, GSSAPI", () => {
      expect(onKafka1({ KAFKA_SASL_ENABLED_MECHANISMS: undefined })).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/listener INTERNAL enables GSSAPI/),
          expect.stringMatching(
            /sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512 must be included/,
          ),
        ]),
      );
    });

    it('a SASL listener without its JAAS config', () => {
      expect(
        onKafka1({ KAFKA_LISTENER_NAME_EXTERNAL_SCRAM___SHA___512_SASL_JAAS_CONFIG: undefined }),
      ).toEqual([
        "kafka-1: Could not find a 'KafkaServer' or 'external.KafkaServer' entry in the JAAS configuration: set listener.name.external.scram-sha-512.sasl.jaas.config",
      ]);
    });

    it('a JAAS config whose login module does not serve the mechanism', () => {
      expect(
        onKafka1({
          KAFKA_LISTENER_NAME_EXTERNAL_SCRAM___SHA___512_SASL_JAAS_CONFIG:
            'org.apache.kafka.common.security.plain.PlainLoginModule required;',
        }),
      ).toEqual([expect.stringMatching(/must use .*ScramLoginModule for SCRAM-SHA-512/)]);
    });

    it('an inter-broker user that kafka-storage format never created: the brokers could not log in to each other', () => {
      expect(onKafka1({ SCRAM_USERS: 'sales:sales-secret' })).toEqual([
        expect.stringMatching(
          /logs in as SCRAM user admin, which kafka-storage format --add-scram does not create/,
        ),
      ]);
    });

    it('SCRAM for the controller quorum, whose credentials would live in the metadata it serves', () => {
      expect(
        onKafka1({
          KAFKA_LISTENER_NAME_CONTROLLER_SASL_ENABLED_MECHANISMS: 'SCRAM-SHA-512',
          KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL: 'SCRAM-SHA-512',
          KAFKA_LISTENER_NAME_CONTROLLER_SCRAM___SHA___512_SASL_JAAS_CONFIG:
            'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";',
        }),
      ).toEqual([expect.stringMatching(/controller quorum cannot log in with SCRAM-SHA-512/)]);
    });

    it("a PLAIN controller login that is not among the listener's users", () => {
      expect(
        onKafka1({
          KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG:
            'org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="controller-secret" user_controller="other";',
        }),
      ).toEqual([expect.stringMatching(/PLAIN user controller is not among the user_controller/)]);
    });

    it("ACLs on without the nodes' own principals as super users", () => {
      expect(onKafka1({ KAFKA_SUPER_USERS: 'User:admin' })).toEqual([
        expect.stringMatching(/super.users lacks User:controller.*register with the controllers/),
      ]);
    });

    it('the ZooKeeper-era authorizer on a KRaft node', () => {
      expect(
        onKafka1({ KAFKA_AUTHORIZER_CLASS_NAME: 'kafka.security.authorizer.AclAuthorizer' }),
      ).toEqual([expect.stringMatching(/needs ZooKeeper/)]);
    });

    it('a TLS listener without a key store', () => {
      expect(onKafka1({ KAFKA_SSL_KEYSTORE_LOCATION: undefined })).toEqual(
        expect.arrayContaining([
          'kafka-1: listener INTERNAL speaks TLS but has no key store (ssl.keystore.location)',
        ]),
      );
    });

    it("listeners named SASL_SSL without the image's key store files (its own SSL set-up then runs)", () => {
      const problems = onKafka1({
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
          'SASL_SSL:SASL_SSL,EXTERNAL:SASL_SSL,CONTROLLER:SASL_SSL',
        KAFKA_LISTENERS: 'SASL_SSL://:19092,EXTERNAL://:29092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: 'SASL_SSL://kafka-1:19092,EXTERNAL://localhost:29092',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'SASL_SSL',
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          'kafka-1: KAFKA_SSL_KEYSTORE_FILENAME environment variable not set',
          'kafka-1: KAFKA_OPTS environment variable not set',
        ]),
      );
    });
  });
});

describe('the services log in to the compose cluster', () => {
  const cluster = readKafkaCluster(compose);
  const salesWith = (changes: Record<string, string | undefined>) =>
    kafkaClientProblems(withEnv(changes, ['sales']), cluster).filter((p) => p.startsWith('sales:'));

  it('each as its own SCRAM user, over TLS checked against the CA the brokers use', () => {
    expect(kafkaClientProblems(compose, cluster)).toEqual([]);
  });

  it('refuse a service speaking another protocol than its listener', () => {
    expect(salesWith({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })[0]).toMatch(
      /listener INTERNAL speaks SASL_SSL, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT/,
    );
  });

  it('refuse a user or password the brokers were not formatted with', () => {
    expect(salesWith({ KAFKA_SASL_PASSWORD: 'wrong' })[0]).toMatch(
      /sales is not a SCRAM user the brokers were formatted with/,
    );
  });

  it('refuse TLS without a CA file from a mounted volume', () => {
    expect(salesWith({ KAFKA_SSL_CA_LOCATION: '/nowhere/ca.pem' })[0]).toMatch(
      /KAFKA_SSL_CA_LOCATION \(\/nowhere\/ca.pem\) is not a file of a volume/,
    );
  });
});

describe('infra/kafka/acls.sh', () => {
  it('is what the topic registry gives today (regenerate: node infra/scripts/write-kafka-acls.ts)', () => {
    expect(readFileSync(join(repoRoot, 'infra/kafka/acls.sh'), 'utf8')).toBe(aclScript());
  });

  it('gives sales exactly its topics, its group and its dead letters', () => {
    const sales = aclScript()
      .split('\n')
      .filter((line) => line.includes('User:sales '));
    expect(sales).toEqual([
      'acls --add --allow-principal User:sales --operation WRITE --operation READ --operation CREATE --topic sales.order-placed',
      'acls --add --allow-principal User:sales --operation READ --operation CREATE --topic inventory.reservation-result',
      'acls --add --allow-principal User:sales --operation WRITE --operation CREATE --topic inventory.reservation-result.dlq.sales --resource-pattern-type prefixed',
      'acls --add --allow-principal User:sales --operation READ --group sales --resource-pattern-type prefixed',
    ]);
  });

  it('runs once the brokers are healthy, before any service starts', () => {
    const acls = compose.services['kafka-acls'];
    expect(Object.keys(acls?.depends_on ?? {})).toEqual(brokers);
    for (const service of ['sales', 'inventory', 'reordering', 'analytics'])
      expect(compose.services[service]?.depends_on).toMatchObject({
        'kafka-acls': { condition: 'service_completed_successfully' },
      });
  });
});
