import { describe, expect, it } from 'vitest';
import { imageStart, propertyName } from './image-properties.ts';

describe("the apache/kafka image's start scripts", () => {
  it('turns KAFKA_* variables into property names as ConvertKey does', () => {
    expect(propertyName('NODE_ID')).toBe('node.id');
    expect(propertyName('LISTENER_SECURITY_PROTOCOL_MAP')).toBe('listener.security.protocol.map');
    expect(propertyName('CONFLUENT__SUPPORT')).toBe('confluent_support');
    expect(propertyName('LISTENER_NAME_INTERNAL_SASL___MECHANISM')).toBe(
      'listener.name.internal.sasl-mechanism',
    );
    // Matches do not overlap: a one-letter segment keeps its underscore (a quirk of the image).
    expect(propertyName('A_B_C')).toBe('a.b_c');
  });

  it('renders every KAFKA_* variable except the JVM and logging ones; CLUSTER_ID goes to the formatter', () => {
    const start = imageStart({
      CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qk',
      KAFKA_NODE_ID: '7',
      KAFKA_HEAP_OPTS: '-Xmx1G',
      KAFKA_OPTS: '-Dx=y',
      PATH: '/usr/bin',
    });
    expect(start.clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qk');
    expect(start.properties.get('node.id')).toBe('7');
    expect(start.properties.has('opts')).toBe(false);
    expect(start.properties.has('cluster.id')).toBe(false);
    expect(start.problems).toEqual([]);
  });

  it('fills what the environment leaves empty with the single-node defaults of configureDefaults', () => {
    const start = imageStart({ KAFKA_NODE_ID: '2', KAFKA_LOG_DIRS: '' });
    expect(start.properties.get('node.id')).toBe('2');
    expect(start.properties.get('log.dirs')).toBe('/tmp/kraft-combined-logs');
    expect(start.properties.get('controller.quorum.voters')).toBe('1@localhost:29093');
    expect(start.clusterId).toBe('5L6g3nShT-eMCtK--X86sw');
  });

  it('leaves ZooKeeper-mode containers without KRaft defaults', () => {
    const start = imageStart({ KAFKA_ZOOKEEPER_CONNECT: 'zk:2181' });
    expect(start.properties.has('process.roles')).toBe(false);
  });

  it('derives listeners from the advertised ones, bound to 0.0.0.0, when only those are given', () => {
    const start = imageStart({
      KAFKA_ZOOKEEPER_CONNECT: 'zk:2181',
      KAFKA_ADVERTISED_LISTENERS: 'INTERNAL://kafka-1:19092,EXTERNAL://localhost:29092',
    });
    expect(start.properties.get('listeners')).toBe(
      'INTERNAL://0.0.0.0:19092,EXTERNAL://0.0.0.0:29092',
    );
  });

  it('stops a KRaft controller-only container that sets advertised listeners', () => {
    const start = imageStart({
      KAFKA_PROCESS_ROLES: 'controller',
      KAFKA_ADVERTISED_LISTENERS: 'CONTROLLER://c:9093',
    });
    expect(start.problems).toEqual([
      'KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller.',
    ]);
  });
});
