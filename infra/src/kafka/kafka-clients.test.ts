import { describe, expect, it } from 'vitest';
import { readComposeFile } from '../compose-file.ts';
import { kafkaClientProblems } from './kafka-clients.ts';
import { readKafkaCluster } from './kafka-cluster.ts';

const compose = readComposeFile();
const cluster = readKafkaCluster(compose);

function problemsWithBrokers(brokers: string): string[] {
  const copy = structuredClone(compose);
  copy.services['sales'] = {
    ...copy.services['sales'],
    environment: { ...copy.services['sales']?.environment, KAFKA_BROKERS: brokers },
  };
  return kafkaClientProblems(copy, cluster).filter((p) => p.startsWith('sales:'));
}

describe("the services' KAFKA_BROKERS", () => {
  it('reach a broker listener advertised under a name every container resolves', () => {
    expect(kafkaClientProblems(compose, cluster)).toEqual([]);
  });

  it('refuse a host that is no Kafka node', () => {
    expect(problemsWithBrokers('kafka:19092')).toEqual([
      'sales: KAFKA_BROKERS has kafka:19092, but kafka is not a Kafka node of this file (kafka-1, kafka-2, kafka-3)',
    ]);
  });

  it('refuse a port the node does not listen on', () => {
    expect(problemsWithBrokers('kafka-1:9092')).toEqual([
      'sales: KAFKA_BROKERS has kafka-1:9092, but kafka-1 listens on INTERNAL:19092, EXTERNAL:29092, CONTROLLER:9093',
    ]);
  });

  it('refuse the controller listener', () => {
    expect(problemsWithBrokers('kafka-1:9093')).toEqual([
      "sales: KAFKA_BROKERS has kafka-1:9093, which is kafka-1's controller listener: clients are served on broker listeners only",
    ]);
  });

  it('refuse the listener advertised as localhost for the host machine: the client would be sent there', () => {
    expect(problemsWithBrokers('kafka-1:29092')).toEqual([
      'sales: KAFKA_BROKERS has kafka-1:29092, but kafka-1 advertises that listener (EXTERNAL) as localhost:29092, which the service cannot reach from its container; use a listener advertised as kafka-1:<port>',
    ]);
  });
});
