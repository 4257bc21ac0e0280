import { describe, expect, it } from 'vitest';
import { connectStandaloneArgs } from './connect-standalone.ts';
import { consoleConsumerArgs } from './console-consumer.ts';
import { consoleProducerArgs } from './console-producer.ts';
import { consumerGroupsArgs } from './consumer-groups.ts';
import { topicsArgs } from './topics.ts';
import { aclsArgs, configsArgs } from './acls-configs.ts';

const split = (line: string) => line.split(' ');

describe("Kafka's tool flags, as the streaming command's", () => {
  it.each([
    [
      consoleProducerArgs,
      '--topic test --broker-list localhost:9092',
      '--bootstrap-server localhost:9092 produce --topic test',
    ],
    [
      consoleProducerArgs,
      '--bootstrap-server=b:1 --topic t --property parse.key=true --property key.separator=: --request-required-acks 1 --compression-codec',
      '--bootstrap-server b:1 produce --topic t --acks 1 --compression gzip --key-separator :',
    ],
    [
      consoleConsumerArgs,
      '--topic test --bootstrap-server b:1 --from-beginning --property print.key=true --group g',
      '--bootstrap-server b:1 consume --topic test --group g --from-beginning --property print.key=true',
    ],
    [
      consoleConsumerArgs,
      '--topic t --partition 1 --offset earliest --max-messages 5 --timeout-ms 100',
      '--bootstrap-server localhost:9092 consume --topic t --partition 1 --offset earliest --max-messages 5 --timeout-ms 100',
    ],
    [
      consoleConsumerArgs,
      '--topic t --from-beginning --isolation-level read_committed',
      '--bootstrap-server localhost:9092 consume --topic t --from-beginning --isolation-level read_committed',
    ],
    [
      topicsArgs,
      '--create --zookeeper localhost:2181 --replication-factor 1 --partitions 3 --topic fred --config retention.ms=1',
      '--bootstrap-server localhost:9092 topics --create --topic fred --partitions 3 --replication-factor 1 --config retention.ms=1',
    ],
    [
      topicsArgs,
      '--list --exclude-internal --bootstrap-server b:1',
      '--bootstrap-server b:1 topics --list --exclude-internal',
    ],
    [
      consumerGroupsArgs,
      '--bootstrap-server b:1 --describe --group billing --members',
      '--bootstrap-server b:1 groups --describe --group billing',
    ],
    [
      consumerGroupsArgs,
      '--reset-offsets --group g --topic t --to-earliest --execute',
      '--bootstrap-server localhost:9092 groups --reset-offsets --group g --topic t --to-earliest --execute',
    ],
    [
      aclsArgs,
      '--bootstrap-server b:1 --add --allow-principal User:sales --operation Write --topic sales. --resource-pattern-type prefixed',
      '--bootstrap-server b:1 acls --add --allow-principal User:sales --operation Write --topic sales. --resource-pattern-type prefixed',
    ],
    [
      aclsArgs,
      '--list --topic orders --principal User:bob',
      '--bootstrap-server localhost:9092 acls --list --principal User:bob --topic orders',
    ],
    [
      configsArgs,
      '--bootstrap-server b:1 --alter --add-config SCRAM-SHA-512=[password=s] --entity-type users --entity-name alice',
      '--bootstrap-server b:1 users --alter --entity-name alice --add-config SCRAM-SHA-512=[password=s]',
    ],
    [
      configsArgs,
      '--describe --entity-type users',
      '--bootstrap-server localhost:9092 users --describe',
    ],
    [
      connectStandaloneArgs,
      'w.properties s.properties',
      'connect standalone w.properties s.properties',
    ],
  ])('%o: %s', (translate, kafka, streaming) => {
    expect(translate(split(kafka)).argv).toEqual(split(streaming));
  });

  it('notes --zookeeper in one line, naming the broker used instead', () => {
    const { notes } = consoleConsumerArgs(split('--topic test --zookeeper localhost:2181'));
    expect(notes).toEqual([
      'kafka-console-consumer: --zookeeper localhost:2181 ignored: this broker needs no ZooKeeper; ' +
        'using the broker at localhost:9092 (--bootstrap-server to change)',
    ]);
  });

  it("shows a reset's plan without --execute, as Kafka's tool does", () => {
    const { argv, notes } = consumerGroupsArgs(
      split('--reset-offsets --group g --all-topics --to-latest'),
    );
    expect(argv.slice(-1)).toEqual(['--dry-run']);
    expect(notes).toEqual([
      "kafka-consumer-groups: no --execute: showing the plan only, as Kafka's tool does",
    ]);
  });

  it('notes client tuning flags it ignores, and refuses flags it does not implement by name', () => {
    expect(consoleProducerArgs(split('--topic t --sync --timeout 5')).notes).toEqual([
      'kafka-console-producer: --sync, --timeout ignored (client tuning)',
    ]);
    expect(() => consoleConsumerArgs(split('--include .* --bootstrap-server b:1'))).toThrow(
      'kafka-console-consumer: --include is not supported here (see kafka-console-consumer --help)',
    );
    expect(() => consoleProducerArgs(split('--broker-list b:1'))).toThrow(
      'kafka-console-producer: missing required argument --topic',
    );
    expect(() => consoleConsumerArgs(split('--topic t --offset 5'))).toThrow(
      /--offset needs --partition/,
    );
    expect(() => topicsArgs(split('--list --describe'))).toThrow(/exactly one of --list/);
  });

  it('passes the security settings of client properties on, and refuses what kafka-configs does not do here', () => {
    const producer = consoleProducerArgs(
      split(
        '--topic t --producer-property security.protocol=SASL_SSL --producer-property sasl.mechanism=PLAIN --producer-property linger.ms=5',
      ),
    );
    expect(producer.argv).toEqual(
      split(
        '--bootstrap-server localhost:9092 --client-property security.protocol=SASL_SSL --client-property sasl.mechanism=PLAIN produce --topic t',
      ),
    );
    expect(producer.notes).toEqual([
      'kafka-console-producer: producer properties linger.ms ignored',
    ]);
    expect(() => configsArgs(split('--describe --entity-type topics --entity-name t'))).toThrow(
      /--entity-type topics is not supported here/,
    );
  });
});
