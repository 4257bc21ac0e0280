import { usageError } from '../errors.ts';
import { unescapeSeparator } from '../format/kafka-formatter.ts';
import { readPropertiesFile } from '../util/properties-file.ts';
import {
  BOOTSTRAP_OPTIONS,
  bootstrapOf,
  ignoredNote,
  isSecurityProperty,
  type Translation,
} from './bootstrap-flags.ts';
import { last, pairsOf, parseKafkaArgs, type KafkaToolSpec } from './kafka-args.ts';

export const consoleProducerSpec: KafkaToolSpec = {
  tool: 'kafka-console-producer',
  switches: ['help', 'version'],
  options: [
    ...BOOTSTRAP_OPTIONS,
    'topic',
    'batch-size',
    'request-required-acks',
    'producer-property',
    'producer.config',
    'property',
  ],
  optionalValues: { 'compression-codec': 'gzip' },
  ignored: [
    'max-block-ms',
    'max-memory-bytes',
    'max-partition-memory-bytes',
    'message-send-max-retries',
    'metadata-expiry-ms',
    'request-timeout-ms',
    'retry-backoff-ms',
    'socket-buffer-size',
    'timeout',
  ],
  ignoredSwitches: ['sync'],
};

export const consoleProducerHelp = `Usage: kafka-console-producer --topic <topic> [--bootstrap-server <host:port>] [options]

Kafka's console producer, on the \`streaming produce\` command: one record per line of stdin, Ctrl-D
to end. A topic that does not exist is created by the broker on first use when it allows that
(auto.create.topics.enable), as with Kafka.

  --bootstrap-server, --broker-list <host:port>   the broker (default localhost:9092)
  --topic <topic>                                 the topic to write (required)
  --property parse.key=true                       split each line into key and value ...
  --property key.separator=<sep>                  ... at this separator (default: tab)
  --request-required-acks <-1|all|1|0>            acknowledgement (default all)
  --compression-codec [none|gzip|snappy|lz4|zstd] compress batches (gzip when no codec is named)
  --batch-size <n>                                lines per request at most
  --producer-property <k=v>, --producer.config <file>
                                                  acks, compression.type, enable.idempotence,
                                                  bootstrap.servers; other producer settings are
                                                  tuning and ignored
  --command-config <file>                         client properties: security.protocol, sasl.*, ssl.* (a secured broker)
  --zookeeper <host:port>                         accepted and ignored: this broker needs no ZooKeeper
`;

const FORMATTER_KEYS = new Set(['parse.key', 'key.separator', 'ignore.error']);

export function consoleProducerArgs(argv: readonly string[]): Translation {
  const tool = consoleProducerSpec.tool;
  const args = parseKafkaArgs(consoleProducerSpec, argv);
  if (args.positionals.length > 0)
    throw usageError(`${tool}: unexpected argument ${args.positionals[0]}`);
  const topic = last(args, 'topic');
  if (!topic) throw usageError(`${tool}: missing required argument --topic`);

  const producerProps = new Map<string, string>();
  const configFile = last(args, 'producer.config');
  if (configFile) for (const [k, v] of readPropertiesFile(configFile)) producerProps.set(k, v);
  for (const [k, v] of pairsOf(tool, args, 'producer-property')) producerProps.set(k, v);

  const boot = bootstrapOf(tool, args, producerProps);
  const command = [...boot.argv, 'produce', '--topic', topic];
  const notes = [...boot.notes, ...ignoredNote(tool, args)];

  const acks = last(args, 'request-required-acks') ?? producerProps.get('acks');
  if (acks !== undefined) command.push('--acks', acks === '-1' ? 'all' : acks);
  const codec = last(args, 'compression-codec') ?? producerProps.get('compression.type');
  if (codec !== undefined) command.push('--compression', codec);
  const batchSize = last(args, 'batch-size');
  if (batchSize !== undefined) command.push('--batch-size', batchSize);
  if (producerProps.get('enable.idempotence') === 'false') command.push('--no-idempotent');
  const tuning = [...producerProps.keys()].filter(
    (k) =>
      !['acks', 'compression.type', 'enable.idempotence', 'bootstrap.servers'].includes(k) &&
      !isSecurityProperty(k),
  );
  if (tuning.length > 0) notes.push(`${tool}: producer properties ${tuning.join(', ')} ignored`);

  const props = new Map(pairsOf(tool, args, 'property'));
  for (const key of props.keys()) {
    if (!FORMATTER_KEYS.has(key)) {
      throw usageError(
        `${tool}: --property ${key} is not supported here (parse.key, key.separator and ignore.error are)`,
      );
    }
  }
  if (props.get('parse.key')?.trim().toLowerCase() === 'true') {
    command.push('--key-separator', unescapeSeparator(props.get('key.separator') ?? '\t'));
  }
  return { argv: command, notes };
}
