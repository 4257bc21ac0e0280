import type { Command } from 'commander';
import { usageError } from '../errors.ts';
import { FORMATS, formatRecord } from '../format/record-format.ts';
import type { RecordFormat } from '../format/record-format.ts';
import { partitionOffsets, topicMetadata } from '../kafka/topic-info.ts';
import type { PartitionOffsets } from '../kafka/topic-info.ts';
import { readTopic } from '../kafka/topic-reader.ts';
import { Interrupt } from '../util/interrupt.ts';
import { Progress } from '../util/progress.ts';
import { parseInteger } from '../util/parse-options.ts';
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
}

const EXAMPLES = `
Without --group the command reads on its own and commits nothing (a private, throwaway group).
With --group it joins that consumer group: the group's members share the partitions, and the
offsets of what was printed are committed. Ctrl-C stops cleanly (leaves the group, commits).

--offset: a number, earliest, latest, or -N (the last N records of each partition).
--format: value (default) | kv (key<sep>value) | full (partition, offset, timestamp, key, headers,
value) | json (one JSON object per line).

Examples:
  $ streaming consume --topic test --from-beginning
  $ streaming consume --topic test --from-beginning --exit-at-end --format json
  $ streaming consume --topic orders --group billing
  $ streaming consume --topic orders --partition 2 --offset 40 --max-messages 10 --format full
  $ streaming consume --topic logs.access --offset -5 --exit-at-end
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
    .addHelpText('after', EXAMPLES)
    .action(async (options: ConsumeOptions, command: Command) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw usageError(`--format must be one of ${FORMATS.join(', ')}`);
      }
      const format = options.format as RecordFormat;
      const maxMessages =
        options.maxMessages === undefined
          ? undefined
          : parseInteger('--max-messages', options.maxMessages, 0);
      const idleTimeoutMs =
        options.timeoutMs === undefined
          ? undefined
          : parseInteger('--timeout-ms', options.timeoutMs, 1);
      const onlyPartition =
        options.partition === undefined
          ? undefined
          : parseInteger('--partition', options.partition, 0);
      const fromBeginning = options.fromBeginning === true;

      const { offsets, committed } = await withAdmin(
        command,
        async (admin) => {
          const meta = await topicMetadata(admin, options.topic);
          if (onlyPartition !== undefined && onlyPartition >= meta.partitions.length) {
            throw usageError(
              `--partition ${onlyPartition}: ${options.topic} has ${meta.partitions.length} partition(s)`,
            );
          }
          const committedOffsets = new Map<number, bigint>();
          if (options.group) {
            const rows = await admin.fetchOffsets({
              groupId: options.group,
              topics: [options.topic],
            });
            for (const p of rows.find((r) => r.topic === options.topic)?.partitions ?? []) {
              if (BigInt(p.offset) >= 0n) committedOffsets.set(p.partition, BigInt(p.offset));
            }
          }
          return {
            offsets: await partitionOffsets(admin, options.topic),
            committed: committedOffsets,
          };
        },
        options.topic,
      );
      const inScope = offsets.filter(
        (p) => onlyPartition === undefined || p.partition === onlyPartition,
      );
      const seekTo = new Map<number, bigint>();
      if (options.offset !== undefined) {
        for (const p of inScope) seekTo.set(p.partition, resolveStart(options.offset, p));
      }
      const startAt = new Map<number, bigint>();
      for (const p of inScope) {
        startAt.set(
          p.partition,
          seekTo.get(p.partition) ?? committed.get(p.partition) ?? (fromBeginning ? p.low : p.high),
        );
      }
      const endAt = options.exitAtEnd
        ? new Map(inScope.map((p) => [p.partition, p.high]))
        : undefined;

      const client = await clientFor(command);
      const interrupt = new Interrupt();
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
          fromBeginning,
          partitions: onlyPartition === undefined ? undefined : [onlyPartition],
          seekTo,
          startAt,
          endAt,
          maxMessages,
          idleTimeoutMs,
          signal: interrupt.signal,
          onRecord: (m) => {
            count += 1;
            out(
              `${formatRecord(
                {
                  topic: m.topic,
                  partition: m.partition,
                  offset: m.offset,
                  timestamp: m.timestamp,
                  key: m.key ?? null,
                  value: m.value ?? null,
                  headers: m.headers,
                },
                format,
                options.keySeparator,
              )}\n`,
            );
          },
        });
        progress.stop();
        note(`consumed ${result.count} record${result.count === 1 ? '' : 's'}`);
      } finally {
        progress.stop();
        interrupt.dispose();
      }
    });
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
