import { describe, expect, it } from 'vitest';
import { readComposeFile } from '../compose-file.ts';
import type { ComposeFile } from '../compose-file.ts';
import { kafkaServices, readKafkaCluster } from './kafka-cluster.ts';

const compose = readComposeFile();
const brokers = ['kafka-1', 'kafka-2', 'kafka-3'];

/** The compose file with some Kafka variables changed (undefined removes one) on the given nodes. */
function withKafkaEnv(
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

describe('the Kafka cluster of docker-compose.yml, as its image and Kafka 3.9 would start it', () => {
  it('starts: three combined broker/controller nodes that pass every check', () => {
    const cluster = readKafkaCluster(compose);
    expect(cluster.problems).toEqual([]);
    expect(kafkaServices(compose)).toEqual(brokers);
    expect(cluster.brokerCount).toBe(3);
    expect(cluster.nodes.map((n) => n.config.nodeId)).toEqual([1, 2, 3]);
  });

  describe('refuses, with the reason Kafka or its image would give', () => {
    it('a cluster id that is not a Kafka Uuid (the id this file had: every container exited)', () => {
      expect(problemsOf(withKafkaEnv({ CLUSTER_ID: 'rs-demo-kraft-cluster-01' }))).toEqual(
        brokers.map(
          (broker) =>
            `${broker}: kafka-storage format refuses CLUSTER_ID: Cluster ID string rs-demo-kraft-cluster-01 does not appear to be a valid UUID: Input string \`rs-demo-kraft-cluster-01\` decoded as 18 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID (make one with \`kafka-storage random-uuid\`)`,
        ),
      );
    });

    it('nodes formatted with different cluster ids', () => {
      expect(
        problemsOf(withKafkaEnv({ CLUSTER_ID: '5L6g3nShT-eMCtK--X86sw' }, ['kafka-3'])),
      ).toEqual([expect.stringMatching(/different cluster ids/)]);
    });

    it('two nodes with one node id', () => {
      expect(problemsOf(withKafkaEnv({ KAFKA_NODE_ID: '1' }, ['kafka-2']))).toContain(
        'kafka-1 and kafka-2 both have node.id 1',
      );
    });

    it('a controller missing from the voters, and a voter that is no controller', () => {
      const problems = problemsOf(
        withKafkaEnv({
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-1:9093,2@kafka-2:9093,4@kafka-3:9093',
        }),
      );
      expect(problems).toContain(
        "kafka-3: If process.roles contains the 'controller' role, the node id 3 must be included in the set of voters controller.quorum.voters=1,2,4",
      );
      expect(problems).toContain(
        'controller.quorum.voters names node 4, but no controller has that node.id',
      );
    });

    it('a voter at a host or port where its controller does not listen', () => {
      expect(
        problemsOf(
          withKafkaEnv({
            KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-1:9093,2@kafka-2:19092,3@localhost:9093',
          }),
        ),
      ).toEqual([
        'controller.quorum.voters has 2@kafka-2:19092, but node 2 is kafka-2 with its controller listener on port 9093: expected 2@kafka-2:9093',
        'controller.quorum.voters has 3@localhost:9093, but node 3 is kafka-3 with its controller listener on port 9093: expected 3@kafka-3:9093',
      ]);
    });

    it('nodes that disagree on the voters', () => {
      expect(
        problemsOf(
          withKafkaEnv({ KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-1:9093,2@kafka-2:9093' }, [
            'kafka-3',
          ]),
        ),
      ).toContain(
        "kafka-3: controller.quorum.voters=1@kafka-1:9093,2@kafka-2:9093 differs from kafka-1's 1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093: the nodes would not agree on the quorum",
      );
    });

    it('a listener without a security protocol', () => {
      expect(
        problemsOf(
          withKafkaEnv(
            { KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT' },
            ['kafka-1'],
          ),
        ),
      ).toContain(
        'kafka-1: No security protocol defined for listener EXTERNAL (listener.security.protocol.map has INTERNAL,CONTROLLER)',
      );
    });

    it('a security protocol Kafka does not have', () => {
      expect(
        problemsOf(
          withKafkaEnv(
            {
              KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
                'INTERNAL:SASL_SSL,EXTERNAL:TLS,CONTROLLER:SASL_SSL',
            },
            ['kafka-1'],
          ),
        ),
      ).toEqual([
        'kafka-1: Invalid security protocol `TLS` defined in listener.security.protocol.map',
      ]);
    });

    it('a controller listener that is not bound', () => {
      expect(
        problemsOf(
          withKafkaEnv({ KAFKA_LISTENERS: 'INTERNAL://:19092,EXTERNAL://:29092' }, ['kafka-1']),
        ),
      ).toContain(
        "kafka-1: controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
      );
    });

    it('the controller listener among the advertised ones', () => {
      expect(
        problemsOf(
          withKafkaEnv(
            {
              KAFKA_ADVERTISED_LISTENERS:
                'INTERNAL://kafka-1:19092,EXTERNAL://localhost:29092,CONTROLLER://kafka-1:9093',
            },
            ['kafka-1'],
          ),
        ),
      ).toEqual([
        expect.stringMatching(
          /^kafka-1: The advertised.listeners config must not contain KRaft controller listeners from controller.listener.names \(CONTROLLER\)/,
        ),
      ]);
    });

    it('an inter-broker listener that is not advertised, or not mapped', () => {
      expect(
        problemsOf(withKafkaEnv({ KAFKA_INTER_BROKER_LISTENER_NAME: 'REPLICATION' }, ['kafka-1'])),
      ).toEqual([
        'kafka-1: Listener with name REPLICATION defined in inter.broker.listener.name not found in listener.security.protocol.map.',
        'kafka-1: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are INTERNAL,EXTERNAL',
      ]);
    });

    it('an inter-broker listener advertised under a name the other brokers cannot resolve', () => {
      expect(
        problemsOf(
          withKafkaEnv(
            { KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://localhost:19092,EXTERNAL://localhost:29092' },
            ['kafka-1'],
          ),
        ),
      ).toEqual([
        'kafka-1: the inter-broker listener INTERNAL is advertised as localhost:19092, which the other brokers cannot reach; advertise kafka-1:19092',
      ]);
    });

    it('two listeners on one port, and an advertised listener that is not bound', () => {
      expect(
        problemsOf(
          withKafkaEnv(
            {
              KAFKA_LISTENERS: 'INTERNAL://:19092,CONTROLLER://:19092',
              KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka-1:19092,EXTERNAL://localhost:29092',
            },
            ['kafka-1'],
          ),
        ),
      ).toEqual([
        'kafka-1: Each listener must have a different port, listeners: INTERNAL://:19092,CONTROLLER://:19092',
        'kafka-1: advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found EXTERNAL',
        'controller.quorum.voters has 1@kafka-1:9093, but node 1 is kafka-1 with its controller listener on port 19092: expected 1@kafka-1:19092',
      ]);
    });

    it('advertising 0.0.0.0', () => {
      expect(
        problemsOf(
          withKafkaEnv(
            { KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka-1:19092,EXTERNAL://0.0.0.0:29092' },
            ['kafka-1'],
          ),
        ),
      ).toEqual([
        'kafka-1: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
      ]);
    });

    it('more replicas than brokers', () => {
      expect(
        problemsOf(
          withKafkaEnv(
            {
              KAFKA_DEFAULT_REPLICATION_FACTOR: '4',
              KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '4',
              KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '5',
            },
            ['kafka-2'],
          ),
        ),
      ).toEqual([
        'kafka-2: default.replication.factor=4 but the cluster has 3 broker(s): topics created without a replication factor would fail',
        'kafka-2: offsets.topic.replication.factor=4 but the cluster has 3 broker(s): __consumer_offsets cannot be created, so no consumer group ever gets a coordinator',
        'kafka-2: transaction.state.log.replication.factor=5 but the cluster has 3 broker(s): __transaction_state cannot be created, so no transactional producer can start',
      ]);
    });

    it('as many in-sync replicas required as there are copies', () => {
      expect(
        problemsOf(
          withKafkaEnv({
            KAFKA_MIN_INSYNC_REPLICAS: '3',
            KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '3',
          }),
        ),
      ).toEqual(
        brokers.flatMap((broker) => [
          `${broker}: min.insync.replicas=3 must be less than default.replication.factor=3, or acks=all writes stop as soon as one replica is down`,
          `${broker}: transaction.state.log.min.isr=3 must be less than transaction.state.log.replication.factor=3, or acks=all writes stop as soon as one replica is down`,
        ]),
      );
    });

    it('a setting that is not a number, and a missing node id', () => {
      expect(
        problemsOf(
          withKafkaEnv({ KAFKA_MIN_INSYNC_REPLICAS: 'two', KAFKA_NODE_ID: '-1' }, ['kafka-1']),
        ),
      ).toEqual(
        expect.arrayContaining([
          'kafka-1: Invalid value two for configuration min.insync.replicas: Not a number of type INT',
          'kafka-1: Missing configuration `node.id` which is required when `process.roles` is defined (i.e. when running in KRaft mode).',
        ]),
      );
    });

    it('a KRaft container without CLUSTER_ID (the image falls back to its single-node default, shared by no one)', () => {
      expect(problemsOf(withKafkaEnv({ CLUSTER_ID: undefined }, ['kafka-1']))).toEqual([
        expect.stringMatching(/different cluster ids \(.*5L6g3nShT-eMCtK--X86sw/),
      ]);
    });
  });
});
