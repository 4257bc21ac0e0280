import type { Command } from 'commander';
import type { Admin, ConfigEntries } from 'kafkajs';
import { CliError, usageError } from '../errors.ts';
import { formatTable } from '../format/table.ts';
import { ConfigResourceTypes } from '../kafka/kafkajs.ts';
import { partitionOffsets, topicMetadata } from '../kafka/topic-info.ts';
import { kafkaErrorType } from '../kafka/translate-error.ts';
import { collect, parseInteger, parseKeyValues } from '../util/parse-options.ts';
import { out, withAdmin } from './context.ts';

interface TopicsOptions {
  list?: boolean;
  create?: boolean;
  describe?: boolean;
  delete?: boolean;
  alter?: boolean;
  topic?: string;
  partitions?: string;
  replicationFactor?: string;
  config?: string[];
  deleteConfig?: string[];
  ifNotExists?: boolean;
  ifExists?: boolean;
  allConfigs?: boolean;
  excludeInternal?: boolean;
}

const EXAMPLES = `
Examples:
  $ streaming topics --list
  $ streaming topics --create --topic orders --partitions 3
  $ streaming topics --create --topic connect-offsets --config cleanup.policy=compact
  $ streaming topics --describe --topic orders
  $ streaming topics --alter --topic orders --partitions 6
  $ streaming topics --alter --topic orders --config retention.ms=86400000
  $ streaming topics --delete --topic orders
`;

// ConfigSource 1 = TOPIC_CONFIG: a value set on the topic itself. Like Kafka's tool, --describe shows
// only those unless --all-configs.
const TOPIC_CONFIG_SOURCE = 1;

export function registerTopics(program: Command): void {
  program
    .command('topics')
    .description('list, create, describe, alter and delete topics (like kafka-topics.sh)')
    .option('--list', 'print every topic name, one per line')
    .option('--create', 'create --topic')
    .option(
      '--describe',
      'partitions, leader, replicas, offsets and configs of --topic (or of every topic)',
    )
    .option('--delete', 'delete --topic')
    .option(
      '--alter',
      'add partitions (--partitions) or change configs (--config, --delete-config)',
    )
    .option('-t, --topic <name>', 'the topic')
    .option(
      '-p, --partitions <n>',
      "partition count (create: default the broker's num.partitions; alter: the new, larger count)",
    )
    .option('--replication-factor <n>', "replicas per partition (create; default the broker's)")
    .option('--config <key=value>', 'topic config, repeatable (create, alter)', collect)
    .option('--delete-config <key>', 'remove a topic config override, repeatable (alter)', collect)
    .option('--if-not-exists', 'create: succeed when the topic already exists')
    .option('--if-exists', 'delete/alter: succeed when the topic does not exist')
    .option('--all-configs', "describe: every config, not only the topic's overrides")
    .option('--exclude-internal', 'list, describe: leave out internal topics (__consumer_offsets)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: TopicsOptions, command: Command) => {
      const actions = (['list', 'create', 'describe', 'delete', 'alter'] as const).filter(
        (a) => options[a],
      );
      if (actions.length !== 1) {
        throw usageError(
          'topics needs exactly one of --list, --create, --describe, --delete, --alter',
        );
      }
      const action = actions[0];
      if (action !== 'list' && action !== 'describe' && !options.topic) {
        throw usageError(`topics --${action} needs --topic`);
      }
      await withAdmin(
        command,
        async (admin) => {
          switch (action) {
            case 'list':
              return listTopics(admin, options);
            case 'create':
              return createTopic(admin, options);
            case 'describe':
              return describeTopics(admin, options);
            case 'delete':
              return deleteTopic(admin, options);
            case 'alter':
              return alterTopic(admin, options);
          }
        },
        options.topic,
      );
    });
}

/** Kafka's internal topics start with two underscores (__consumer_offsets, __transaction_state). */
const isInternal = (name: string) => name.startsWith('__');

async function topicNames(admin: Admin, o: TopicsOptions): Promise<string[]> {
  const names = (await admin.listTopics()).sort();
  return o.excludeInternal ? names.filter((name) => !isInternal(name)) : names;
}

async function listTopics(admin: Admin, o: TopicsOptions): Promise<void> {
  out((await topicNames(admin, o)).map((n) => `${n}\n`).join(''));
}

async function createTopic(admin: Admin, o: TopicsOptions): Promise<void> {
  const topic = o.topic as string;
  const configEntries = parseKeyValues('--config', o.config).map(([name, value]) => ({
    name,
    value,
  }));
  const replicationFactor = o.replicationFactor
    ? parseInteger('--replication-factor', o.replicationFactor, 1)
    : undefined;
  const created = await admin
    .createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: o.partitions ? parseInteger('--partitions', o.partitions, 1) : undefined,
          replicationFactor,
          configEntries,
        },
      ],
    })
    .catch(async (err: unknown) => {
      // kafkajs drops the broker's own message and says only "Replication-factor is invalid".
      if (kafkaErrorType(err) !== 'INVALID_REPLICATION_FACTOR') throw err;
      const { brokers } = await admin.describeCluster();
      throw new CliError(
        'KAFKA_ERROR',
        `replication factor ${replicationFactor} is larger than the ${brokers.length} available ` +
          `broker${brokers.length === 1 ? '' : 's'}`,
      );
    });
  if (!created) {
    if (o.ifNotExists) {
      out(`topic ${topic} already exists\n`);
      return;
    }
    throw new CliError('TOPIC_EXISTS', `topic ${topic} already exists`);
  }
  const { partitions } = await topicMetadata(admin, topic);
  out(
    `created topic ${topic} (${partitions.length} partition${partitions.length === 1 ? '' : 's'})\n`,
  );
}

async function topicConfigs(admin: Admin, topic: string): Promise<ConfigEntries[]> {
  const res = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
  });
  return (res.resources[0]?.configEntries ?? [])
    .slice()
    .sort((a, b) => a.configName.localeCompare(b.configName));
}

async function describeTopics(admin: Admin, o: TopicsOptions): Promise<void> {
  const names = o.topic ? [o.topic] : await topicNames(admin, o);
  const blocks: string[] = [];
  for (const name of names) {
    const meta = await topicMetadata(admin, name);
    const offsets = new Map((await partitionOffsets(admin, name)).map((p) => [p.partition, p]));
    const configs = (await topicConfigs(admin, name)).filter(
      (c) => o.allConfigs || c.configSource === TOPIC_CONFIG_SOURCE,
    );
    const partitions = meta.partitions.slice().sort((a, b) => a.partitionId - b.partitionId);
    const rf = partitions[0]?.replicas.length ?? 0;
    const configText = configs.map((c) => `${c.configName}=${c.configValue ?? ''}`).join(',');
    const rows = partitions.map((p) => {
      const off = offsets.get(p.partitionId);
      return [
        String(p.partitionId),
        String(p.leader),
        p.replicas.join(','),
        p.isr.join(','),
        off ? String(off.low) : '-',
        off ? String(off.high) : '-',
        off ? String(off.high - off.low) : '-',
      ];
    });
    blocks.push(
      `Topic: ${name}\tPartitions: ${partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${configText}\n` +
        formatTable(
          ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOG-START', 'LOG-END', 'RECORDS'],
          rows,
        ),
    );
  }
  out(blocks.join('\n'));
}

async function deleteTopic(admin: Admin, o: TopicsOptions): Promise<void> {
  const topic = o.topic as string;
  if (!(await admin.listTopics()).includes(topic)) {
    if (o.ifExists) {
      out(`topic ${topic} does not exist\n`);
      return;
    }
    throw new CliError('UNKNOWN_TOPIC', `unknown topic ${topic}`);
  }
  await admin.deleteTopics({ topics: [topic] });
  out(`deleted topic ${topic}\n`);
}

async function alterTopic(admin: Admin, o: TopicsOptions): Promise<void> {
  const topic = o.topic as string;
  if (!o.partitions && !o.config && !o.deleteConfig) {
    throw usageError('topics --alter needs --partitions, --config or --delete-config');
  }
  if (o.ifExists && !(await admin.listTopics()).includes(topic)) {
    out(`topic ${topic} does not exist\n`);
    return;
  }
  const meta = await topicMetadata(admin, topic);
  if (o.partitions) {
    const count = parseInteger('--partitions', o.partitions, 1);
    if (count < meta.partitions.length) {
      throw usageError(
        `--partitions ${count}: ${topic} has ${meta.partitions.length}; partitions can only be added`,
      );
    }
    if (count > meta.partitions.length) {
      await admin.createPartitions({ topicPartitions: [{ topic, count }] });
      out(`topic ${topic}: ${meta.partitions.length} -> ${count} partitions\n`);
    } else {
      out(`topic ${topic} already has ${count} partitions\n`);
    }
  }
  if (o.config || o.deleteConfig) {
    // AlterConfigs replaces the whole set of overrides (kafkajs has no incremental variant): start
    // from the topic's current overrides so that changing one key keeps the others.
    const current = new Map(
      (await topicConfigs(admin, topic))
        .filter((c) => c.configSource === TOPIC_CONFIG_SOURCE)
        .map((c) => [c.configName, c.configValue]),
    );
    for (const [k, v] of parseKeyValues('--config', o.config)) current.set(k, v);
    for (const k of o.deleteConfig ?? []) current.delete(k);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [...current].map(([name, value]) => ({ name, value })),
        },
      ],
    });
    out(
      `topic ${topic} configs: ${[...current].map(([k, v]) => `${k}=${v}`).join(',') || '(none)'}\n`,
    );
  }
}
