import { usageError } from '../errors.ts';
import {
  BOOTSTRAP_OPTIONS,
  bootstrapOf,
  ignoredNote,
  type Translation,
} from './bootstrap-flags.ts';
import { last, parseKafkaArgs, type KafkaToolSpec } from './kafka-args.ts';

const ACTIONS = ['list', 'describe', 'reset-offsets', 'delete'] as const;
const RESET_TARGETS = ['to-earliest', 'to-latest'] as const;
const RESET_VALUES = ['to-offset', 'to-datetime', 'shift-by'] as const;

export const consumerGroupsSpec: KafkaToolSpec = {
  tool: 'kafka-consumer-groups',
  switches: [...ACTIONS, ...RESET_TARGETS, 'all-topics', 'execute', 'dry-run', 'help', 'version'],
  options: [...BOOTSTRAP_OPTIONS, 'group', 'topic', ...RESET_VALUES],
  ignored: ['timeout'],
  // Views of the one describe report, which shows members, offsets and state together.
  ignoredSwitches: ['members', 'offsets', 'state', 'verbose'],
};

export const consumerGroupsHelp = `Usage: kafka-consumer-groups (--list | --describe | --reset-offsets | --delete) [options]

Kafka's consumer group tool, on the \`streaming groups\` command.

  --bootstrap-server <host:port>   the broker (default localhost:9092)
  --command-config <file>          client properties: security.protocol, sasl.*, ssl.* (a secured broker)
  --list                           every group
  --describe --group <g>           state, members, committed offsets, log end and lag
                                   (--members, --offsets and --state are accepted: one report
                                   shows them all)
  --reset-offsets --group <g> (--topic <t> | --all-topics)
      (--to-earliest | --to-latest | --to-offset <n> | --to-datetime <time> | --shift-by <n>)
      (--dry-run | --execute)      without --execute only the plan is shown, as with Kafka's tool
  --delete --group <g>             a group without active members
`;

export function consumerGroupsArgs(argv: readonly string[]): Translation {
  const tool = consumerGroupsSpec.tool;
  const args = parseKafkaArgs(consumerGroupsSpec, argv);
  if (args.positionals.length > 0)
    throw usageError(`${tool}: unexpected argument ${args.positionals[0]}`);
  const actions = ACTIONS.filter((action) => args.switches.has(action));
  if (actions.length !== 1) {
    throw usageError(
      `${tool}: exactly one of --list, --describe, --reset-offsets, --delete is needed`,
    );
  }
  const boot = bootstrapOf(tool, args);
  const notes = [...boot.notes, ...ignoredNote(tool, args)];
  const command = [...boot.argv, 'groups', `--${actions[0]}`];
  const group = last(args, 'group');
  if (group !== undefined) command.push('--group', group);
  const topic = last(args, 'topic');
  if (topic?.includes(':'))
    throw usageError(`${tool}: --topic ${topic}: choosing partitions (topic:0,1) is not supported`);
  if (topic !== undefined) command.push('--topic', topic);
  if (args.switches.has('all-topics')) command.push('--all-topics');
  for (const name of RESET_TARGETS) if (args.switches.has(name)) command.push(`--${name}`);
  for (const name of RESET_VALUES) {
    const value = last(args, name);
    if (value !== undefined) command.push(`--${name}`, value);
  }
  if (actions[0] === 'reset-offsets') {
    if (args.switches.has('execute')) {
      command.push('--execute');
    } else {
      command.push('--dry-run');
      if (!args.switches.has('dry-run'))
        notes.push(`${tool}: no --execute: showing the plan only, as Kafka's tool does`);
    }
  }
  return { argv: command, notes };
}
