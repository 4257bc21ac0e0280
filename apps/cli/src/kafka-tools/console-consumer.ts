import { usageError } from '../errors.ts';
import { readPropertiesFile } from '../util/properties-file.ts';
import {
  BOOTSTRAP_OPTIONS,
  bootstrapOf,
  ignoredNote,
  isSecurityProperty,
  type Translation,
} from './bootstrap-flags.ts';
import { last, pairsOf, parseKafkaArgs, type KafkaToolSpec } from './kafka-args.ts';

export const consoleConsumerSpec: KafkaToolSpec = {
  tool: 'kafka-console-consumer',
  switches: ['from-beginning', 'help', 'version'],
  options: [
    ...BOOTSTRAP_OPTIONS,
    'topic',
    'group',
    'partition',
    'offset',
    'max-messages',
    'timeout-ms',
    'property',
    'consumer-property',
    'consumer.config',
    'formatter',
    'key-deserializer',
    'value-deserializer',
    'isolation-level',
  ],
  ignoredSwitches: ['skip-message-on-error', 'enable-systest-events'],
};

export const consoleConsumerHelp = `Usage: kafka-console-consumer --topic <topic> [--bootstrap-server <host:port>] [options]

Kafka's console consumer, on the \`streaming consume\` command: prints the records of a topic until
Ctrl-C. A topic that does not exist yet is waited for, and the wait is announced on stderr.

  --bootstrap-server <host:port>      the broker (default localhost:9092)
  --topic <topic>                     the topic to read (required)
  --from-beginning                    start at the earliest record (else only new ones)
  --group <id>                        read as a member of this consumer group (commits offsets)
  --partition <n> [--offset <o>]      one partition, from earliest, latest or an offset
  --max-messages <n>, --timeout-ms <ms>
                                      stop after n records, or after ms without one
  --property print.key=true           Kafka's formatter: print.key, print.timestamp,
                                      print.partition, print.offset, print.headers, print.value,
                                      key.separator, line.separator, headers.separator, null.literal
  --isolation-level <level>           read_uncommitted (default) or read_committed: whether
                                      records of aborted and open transactions are shown
  --consumer-property <k=v>, --consumer.config <file>
                                      group.id, auto.offset.reset, isolation.level; other
                                      settings are ignored
  --command-config <file>             client properties: security.protocol, sasl.*, ssl.* (a secured broker)
  --zookeeper <host:port>             accepted and ignored: this broker needs no ZooKeeper
`;

const DEFAULT_FORMATTERS = new Set([
  'kafka.tools.DefaultMessageFormatter',
  'org.apache.kafka.tools.consumer.DefaultMessageFormatter',
]);
const STRING_DESERIALIZER = 'org.apache.kafka.common.serialization.StringDeserializer';

export function consoleConsumerArgs(argv: readonly string[]): Translation {
  const tool = consoleConsumerSpec.tool;
  const args = parseKafkaArgs(consoleConsumerSpec, argv);
  if (args.positionals.length > 0)
    throw usageError(`${tool}: unexpected argument ${args.positionals[0]}`);
  const topic = last(args, 'topic');
  if (!topic) throw usageError(`${tool}: missing required argument --topic`);

  const consumerProps = new Map<string, string>();
  const configFile = last(args, 'consumer.config');
  if (configFile) for (const [k, v] of readPropertiesFile(configFile)) consumerProps.set(k, v);
  for (const [k, v] of pairsOf(tool, args, 'consumer-property')) consumerProps.set(k, v);

  const boot = bootstrapOf(tool, args, consumerProps);
  const command = [...boot.argv, 'consume', '--topic', topic];
  const notes = [...boot.notes, ...ignoredNote(tool, args)];

  const group = last(args, 'group') ?? consumerProps.get('group.id');
  if (group !== undefined) command.push('--group', group);
  if (args.switches.has('from-beginning') || consumerProps.get('auto.offset.reset') === 'earliest')
    command.push('--from-beginning');
  const partition = last(args, 'partition');
  const offset = last(args, 'offset');
  if (offset !== undefined && partition === undefined)
    throw usageError(`${tool}: --offset needs --partition, as with Kafka's tool`);
  if (partition !== undefined) command.push('--partition', partition);
  if (offset !== undefined) command.push('--offset', offset);
  for (const name of ['max-messages', 'timeout-ms']) {
    const value = last(args, name);
    if (value !== undefined) command.push(`--${name}`, value);
  }
  const formatter = last(args, 'formatter');
  if (formatter !== undefined && !DEFAULT_FORMATTERS.has(formatter))
    throw usageError(
      `${tool}: --formatter ${formatter}: only DefaultMessageFormatter is available`,
    );
  for (const name of ['key-deserializer', 'value-deserializer']) {
    const value = last(args, name);
    if (value !== undefined && value !== STRING_DESERIALIZER)
      throw usageError(`${tool}: --${name} ${value}: records are shown as UTF-8 text`);
  }
  for (const [k, v] of pairsOf(tool, args, 'property')) command.push('--property', `${k}=${v}`);
  const isolation = last(args, 'isolation-level') ?? consumerProps.get('isolation.level');
  if (isolation !== undefined) command.push('--isolation-level', isolation);
  const tuning = [...consumerProps.keys()].filter(
    (k) =>
      !['group.id', 'auto.offset.reset', 'bootstrap.servers', 'isolation.level'].includes(k) &&
      !isSecurityProperty(k),
  );
  if (tuning.length > 0) notes.push(`${tool}: consumer properties ${tuning.join(', ')} ignored`);
  return { argv: command, notes };
}
