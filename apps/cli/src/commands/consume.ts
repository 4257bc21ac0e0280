import type { Command } from 'commander';
import { usageError } from '../errors.ts';
import { formatKafkaRecord, kafkaFormat } from '../format/kafka-formatter.ts';
import { FORMATS, formatRecord } from '../format/record-format.ts';
import type { DisplayRecord, RecordFormat } from '../format/record-format.ts';
import { partitionOffsets, topicMetadata, waitForTopic } from '../kafka/topic-info.ts';
import type { PartitionOffsets } from '../kafka/topic-info.ts';
import { ISOLATION_LEVELS, readTopic } from '../kafka/topic-reader.ts';
import { Interrupt } from '../util/interrupt.ts';
import { Progress } from '../util/progress.ts';
import { collect, parseInteger, parseKeyValues } from '../util/parse-options.ts';
import { clientFor, note, out, withAdmin } from './context.ts';

interface ConsumeOptions {
  topic: string;
  group?: string;
  fromBeginning?: boolean;
  partition?: string;
  offset?: string;
  maxMessages?: string;
  exitAtEnd?: boolean;
  timeoutMs?: string;
  format: string;
  keySeparator: string;
  property?: string[];
  isolationLevel: string;
}

const EXAMPLES = `
Without --group the command reads on its own and commits nothing (a private, throwaway group).
With --group it joins that consumer group: the group's members share the partitions, and the
offsets of what was printed are committed. Ctrl-C stops cleanly (leaves the group, commits).

A topic that does not exist yet is waited for (it says so on stderr): start the consumer first and
the producer later, as with Kafka's console consumer.

--offset: a number, earliest, latest, or -N (the last N records of each partition).
--isolation-level: read_uncommitted (default, as Kafka's console consumer) prints every record,
those of aborted and still open transactions included; read_committed prints only committed
transactions and waits at an open one (its records appear once it commits). --exit-at-end stops at
the last stable offset (the end of what is committed) as of the start.
--format: value (default) | kv (key<sep>value) | full (partition, offset, timestamp, key, headers,
value) | json (one JSON object per line).
--property: Kafka's console consumer formatter properties instead of --format: print.key,
print.timestamp, print.partition, print.offset, print.headers, print.value (true|false),
key.separator, line.separator, headers.separator, null.literal.

Examples:
  $ streaming consume --topic test --from-beginning
  $ streaming consume --topic test --from-beginning --exit-at-end --format json
  $ streaming consume --topic orders --group billing
  $ streaming consume --topic orders --partition 2 --offset 40 --max-messages 10 --format full
  $ streaming consume --topic logs.access --offset -5 --exit-at-end
  $ streaming consume --topic stock --from-beginning --property print.key=true --property key.separator=:
  $ streaming consume --topic payments --from-beginning --isolation-level read_committed
`;

export function registerConsume(program: Command): void {
  program
    .command('consume')
    .description('print records of a topic (like kafka-console-consumer.sh)')
    .requiredOption('-t, --topic <name>', 'the topic to read')
    .option('-g, --group <id>', 'consume as a member of this consumer group (commits offsets)')
    .option('--from-beginning', 'start at the earliest record when there is no committed offset')
    .option('-p, --partition <n>', 'read only this partition')
    .option('-o, --offset <offset>', 'start here: a number, earliest, latest or -N')
    .option('-n, --max-messages <n>', 'exit after this many records')
    .option('-e, --exit-at-end', 'exit once the end of the log (as of the start) is reached')
    .option('--timeout-ms <ms>', 'exit when no record arrived for this long')
    .option('-f, --format <format>', FORMATS.join('|'), 'value')
    .option('-K, --key-separator <sep>', 'between key and value in the kv format', '\t')
    .option('--property <name=value>', "Kafka's formatter property, repeatable", collect)
    .option('--isolation-level <level>', ISOLATION_LEVELS.join('|'), 'read_uncommitted')
    .addHelpText('after', EXAMPLES)
    .action(runConsume);
}

/** The numbers given on the command line, checked. */
interface ConsumeLimits {
  maxMessages?: number;
  idleTimeoutMs?: number;
  onlyPartition?: number;
}

function limitsOf(options: ConsumeOptions): ConsumeLimits {
  const integer = (flag: string, text: string | undefined, min: number) =>
    text === undefined ? undefined : parseInteger(flag, text, min);
  return {
    maxMessages: integer('--max-messages', options.maxMessages, 0),
    idleTimeoutMs: integer('--timeout-ms', options.timeoutMs, 1),
    onlyPartition: integer('--partition', options.partition, 0),
  };
}

async function runConsume(options: ConsumeOptions, command: Command): Promise<void> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw usageError(`--format must be one of ${FORMATS.join(', ')}`);
  }
  const isolationLevel = ISOLATION_LEVELS.find((l) => l === options.isolationLevel);
  if (!isolationLevel)
    throw usageError(`--isolation-level must be one of ${ISOLATION_LEVELS.join(', ')}`);
  const print = printerOf(options);
  const limits = limitsOf(options);
  const interrupt = new Interrupt();
  try {
    const start = await topicStart(command, options, limits, interrupt);
    if (start === null) {
      note('consumed 0 records');
      return;
    }
    const client = await clientFor(command);
    let count = 0;
    const progress = new Progress(
      () => `consumed ${count} records`,
      process.stderr.isTTY === true && process.stdout.isTTY !== true,
    );
    progress.start();
    try {
      const result = await readTopic({
        client,
        topic: options.topic,
        groupId: options.group,
        commit: options.group !== undefined,
        isolationLevel,
        fromBeginning: options.fromBeginning === true,
        partitions: limits.onlyPartition === undefined ? undefined : [limits.onlyPartition],
        ...startPositions(start, options, limits.onlyPartition),
        maxMessages: limits.maxMessages,
        idleTimeoutMs: limits.idleTimeoutMs,
        signal: interrupt.signal,
        onRecord: (m) => {
          count += 1;
          out(print({ ...m, key: m.key ?? null, value: m.value ?? null, headers: m.headers }));
        },
      });
      progress.stop();
      note(`consumed ${result.count} record${result.count === 1 ? '' : 's'}`);
    } finally {
      progress.stop();
    }
  } finally {
    interrupt.dispose();
  }
}

interface TopicStart {
  offsets: PartitionOffsets[];
  committed: Map<number, bigint>;
}

/**
 * Where each read partition starts (an explicit --offset, else the group's committed offset, else
 * the log's start or end) and, with --exit-at-end, where it stops: the log's end as of now.
 */
function startPositions(
  { offsets, committed }: TopicStart,
  options: ConsumeOptions,
  onlyPartition: number | undefined,
) {
  const inScope = offsets.filter(
    (p) => onlyPartition === undefined || p.partition === onlyPartition,
  );
  const seekTo = new Map<number, bigint>();
  if (options.offset !== undefined) {
    for (const p of inScope) seekTo.set(p.partition, resolveStart(options.offset, p));
  }
  const startAt = new Map<number, bigint>();
  for (const p of inScope) {
    const fallback = options.fromBeginning === true ? p.low : p.high;
    startAt.set(p.partition, seekTo.get(p.partition) ?? committed.get(p.partition) ?? fallback);
  }
  const endAt = options.exitAtEnd ? new Map(inScope.map((p) => [p.partition, p.high])) : undefined;
  return { seekTo, startAt, endAt };
}

/**
 * The topic's partitions and the group's committed offsets, once the topic exists: a topic that does
 * not exist yet is waited for (null when the wait ends first). --exit-at-end reads the log as it is
 * now, so a topic that does not exist has nothing to read.
 */
async function topicStart(
  command: Command,
  options: ConsumeOptions,
  { onlyPartition, idleTimeoutMs }: ConsumeLimits,
  interrupt: Interrupt,
): Promise<TopicStart | null> {
  return withAdmin(
    command,
    async (admin) => {
      const exists = await waitForTopic(admin, options.topic, {
        signal: interrupt.signal,
        timeoutMs: options.exitAtEnd ? 0 : idleTimeoutMs,
        onWaiting: () =>
          note(
            options.exitAtEnd
              ? `topic ${options.topic} does not exist: nothing to read`
              : `waiting for topic ${options.topic} to be created (it does not exist yet)`,
          ),
      });
      if (!exists) return null;
      const meta = await topicMetadata(admin, options.topic);
      if (onlyPartition !== undefined && onlyPartition >= meta.partitions.length) {
        throw usageError(
          `--partition ${onlyPartition}: ${options.topic} has ${meta.partitions.length} partition(s)`,
        );
      }
      const committed = new Map<number, bigint>();
      if (options.group) {
        const rows = await admin.fetchOffsets({ groupId: options.group, topics: [options.topic] });
        for (const p of rows.find((r) => r.topic === options.topic)?.partitions ?? []) {
          if (BigInt(p.offset) >= 0n) committed.set(p.partition, BigInt(p.offset));
        }
      }
      return { offsets: await partitionOffsets(admin, options.topic), committed };
    },
    options.topic,
  );
}

/** How each record is printed: Kafka's formatter when --property is given, else --format. */
function printerOf(options: ConsumeOptions): (r: DisplayRecord) => string {
  if (options.property !== undefined) {
    const format = kafkaFormat(parseKeyValues('--property', options.property));
    return (r) => formatKafkaRecord(r, format);
  }
  const format = options.format as RecordFormat;
  return (r) => `${formatRecord(r, format, options.keySeparator)}\n`;
}

function resolveStart(text: string, p: PartitionOffsets): bigint {
  const t = text.trim().toLowerCase();
  if (t === 'earliest' || t === 'beginning') return p.low;
  if (t === 'latest' || t === 'end') return p.high;
  if (/^-\d+$/.test(t)) {
    const back = p.high + BigInt(t);
    return back < p.low ? p.low : back;
  }
  if (!/^\d+$/.test(t))
    throw usageError(`--offset expects a number, earliest, latest or -N, got "${text}"`);
  const o = BigInt(t);
  if (o < p.low) return p.low;
  if (o > p.high) return p.high;
  return o;
}
