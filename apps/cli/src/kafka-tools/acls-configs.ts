import { usageError } from '../errors.ts';
import { BOOTSTRAP_OPTIONS, bootstrapOf, type Translation } from './bootstrap-flags.ts';
import { all, last, parseKafkaArgs, type KafkaToolSpec } from './kafka-args.ts';

const ACL_SWITCHES = [
  'add',
  'remove',
  'list',
  'cluster',
  'producer',
  'consumer',
  'idempotent',
  'force',
];
const ACL_OPTIONS = [
  'allow-principal',
  'deny-principal',
  'principal',
  'allow-host',
  'deny-host',
  'operation',
  'topic',
  'group',
  'transactional-id',
  'resource-pattern-type',
];

export const aclsSpec: KafkaToolSpec = {
  tool: 'kafka-acls',
  switches: [...ACL_SWITCHES, 'help', 'version'],
  options: [...BOOTSTRAP_OPTIONS, ...ACL_OPTIONS],
};

export const aclsHelp = `Usage: kafka-acls --bootstrap-server <host:port> [--command-config <file>] (--add | --remove | --list) [options]

Kafka's ACL tool, on the \`streaming acls\` command (same flags; see streaming acls --help).

  --allow-principal / --deny-principal <User:name>   who (repeatable)
  --allow-host / --deny-host <host>                  from where (default *)
  --operation <Read|Write|Create|Delete|Alter|Describe|ClusterAction|DescribeConfigs|AlterConfigs|IdempotentWrite|All>
  --topic <t> | --group <g> | --cluster | --transactional-id <id>   on what (repeatable)
  --resource-pattern-type <literal|prefixed|any|match>
  --producer | --consumer [--idempotent]             the usual sets of operations
  --principal <User:name>                            with --list: only this principal's ACLs
  --command-config <file>                            client properties of a secured broker
`;

/** kafka-acls.sh flags are the `streaming acls` flags: passed through, with the cluster's address. */
export function aclsArgs(argv: readonly string[]): Translation {
  const args = parseKafkaArgs(aclsSpec, argv);
  if (args.positionals.length > 0)
    throw usageError(`kafka-acls: unexpected argument ${args.positionals[0]}`);
  const boot = bootstrapOf('kafka-acls', args);
  const command = [...boot.argv, 'acls'];
  for (const name of ACL_SWITCHES) if (args.switches.has(name)) command.push(`--${name}`);
  for (const name of ACL_OPTIONS)
    for (const value of all(args, name)) command.push(`--${name}`, value);
  return { argv: command, notes: boot.notes };
}

export const configsSpec: KafkaToolSpec = {
  tool: 'kafka-configs',
  switches: ['alter', 'describe', 'help', 'version'],
  options: [
    ...BOOTSTRAP_OPTIONS,
    'entity-type',
    'entity-name',
    'user',
    'add-config',
    'delete-config',
  ],
};

export const configsHelp = `Usage: kafka-configs --bootstrap-server <host:port> --entity-type users (--alter | --describe) [options]

Kafka's config tool for SCRAM users, on the \`streaming users\` command. Topic configs are
kafka-topics --alter --config.

  --entity-type users --entity-name <user> (or --user <user>)
  --alter --add-config 'SCRAM-SHA-512=[iterations=8192,password=<password>]'
  --alter --delete-config SCRAM-SHA-512
  --describe [--entity-name <user>]
  --command-config <file>                            client properties of a secured broker
`;

export function configsArgs(argv: readonly string[]): Translation {
  const args = parseKafkaArgs(configsSpec, argv);
  if (args.positionals.length > 0)
    throw usageError(`kafka-configs: unexpected argument ${args.positionals[0]}`);
  const user = last(args, 'user');
  const type = last(args, 'entity-type') ?? (user !== undefined ? 'users' : undefined);
  if (type !== 'users')
    throw usageError(
      `kafka-configs: --entity-type ${type ?? '(none)'} is not supported here: users (SCRAM credentials) is; topic configs are kafka-topics --alter --config`,
    );
  const boot = bootstrapOf('kafka-configs', args);
  const command = [...boot.argv, 'users'];
  for (const name of ['alter', 'describe']) if (args.switches.has(name)) command.push(`--${name}`);
  const name = last(args, 'entity-name') ?? user;
  if (name !== undefined) command.push('--entity-name', name);
  for (const flag of ['add-config', 'delete-config']) {
    const value = last(args, flag);
    if (value !== undefined) command.push(`--${flag}`, value);
  }
  return { argv: command, notes: boot.notes };
}
