import { usageError } from '../errors.ts';
import {
  BOOTSTRAP_OPTIONS,
  bootstrapOf,
  ignoredNote,
  type Translation,
} from './bootstrap-flags.ts';
import { all, last, parseKafkaArgs, type KafkaToolSpec } from './kafka-args.ts';

const ACTIONS = ['list', 'create', 'describe', 'delete', 'alter'] as const;

export const topicsSpec: KafkaToolSpec = {
  tool: 'kafka-topics',
  switches: [...ACTIONS, 'if-exists', 'if-not-exists', 'exclude-internal', 'help', 'version'],
  options: [
    ...BOOTSTRAP_OPTIONS,
    'topic',
    'partitions',
    'replication-factor',
    'config',
    'delete-config',
  ],
};

export const topicsHelp = `Usage: kafka-topics (--list | --create | --describe | --alter | --delete) [options]

Kafka's topic tool, on the \`streaming topics\` command.

  --bootstrap-server <host:port>   the broker (default localhost:9092)
  --list                           every topic (--exclude-internal hides __consumer_offsets...)
  --create --topic <t> [--partitions <n>] [--replication-factor <n>] [--config <k=v>]...
                                   --if-not-exists: no error when it exists
  --describe [--topic <t>]         partitions, leader, replicas, offsets and the topic's configs
  --alter --topic <t> [--partitions <n>] [--config <k=v>]... [--delete-config <k>]...
  --delete --topic <t>             --if-exists: no error when it does not exist
  --command-config <file>          client properties: security.protocol, sasl.*, ssl.* (a secured broker)
  --zookeeper <host:port>          accepted and ignored: this broker needs no ZooKeeper

This broker is a single node: a replication factor above 1 is refused, as a one-broker Kafka
cluster refuses it.
`;

export function topicsArgs(argv: readonly string[]): Translation {
  const tool = topicsSpec.tool;
  const args = parseKafkaArgs(topicsSpec, argv);
  if (args.positionals.length > 0)
    throw usageError(`${tool}: unexpected argument ${args.positionals[0]}`);
  const actions = ACTIONS.filter((action) => args.switches.has(action));
  if (actions.length !== 1) {
    throw usageError(
      `${tool}: exactly one of --list, --create, --describe, --alter, --delete is needed`,
    );
  }
  const boot = bootstrapOf(tool, args);
  const command = [...boot.argv, 'topics', `--${actions[0]}`];
  for (const name of ['topic', 'partitions', 'replication-factor']) {
    const value = last(args, name);
    if (value !== undefined) command.push(`--${name}`, value);
  }
  for (const name of ['config', 'delete-config'])
    for (const value of all(args, name)) command.push(`--${name}`, value);
  for (const name of ['if-exists', 'if-not-exists', 'exclude-internal'])
    if (args.switches.has(name)) command.push(`--${name}`);
  return { argv: command, notes: [...boot.notes, ...ignoredNote(tool, args)] };
}
