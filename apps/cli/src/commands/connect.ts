import path from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../errors.ts';
import { runFileSink } from '../connect/file-sink.ts';
import { runFileSource } from '../connect/file-source.ts';
import { DEFAULT_OFFSETS_TOPIC } from '../connect/offset-store.ts';
import { partitionOffsets, topicMetadata } from '../kafka/topic-info.ts';
import { translateKafkaError } from '../kafka/translate-error.ts';
import { Interrupt } from '../util/interrupt.ts';
import { Progress } from '../util/progress.ts';
import { parseInteger } from '../util/parse-options.ts';
import { clientFor, note, withAdmin } from './context.ts';

interface SourceOptions {
  file: string;
  topic: string;
  name?: string;
  offsetsTopic: string;
  batchSize: string;
  pollMs: string;
  partition?: string;
}

interface SinkOptions {
  file: string;
  topic: string;
  group?: string;
  maxMessages?: string;
  exitAtEnd?: boolean;
}

const SOURCE_EXAMPLES = `
Publishes every line appended to the file, one record per line (value = the line, no key), and
keeps going until Ctrl-C. Its position is stored in a compacted topic (--offsets-topic), keyed by
--name: a restart resumes exactly after the last published line, even after kill -9, and follows a
rotation (the old file is finished first) or a truncation (read again from the start).

Examples:
  $ streaming connect file-source --file /var/log/sales/access.log --topic logs.access
  $ streaming connect file-source --file access.log --topic logs.access --name sales-access
`;

const SINK_EXAMPLES = `
Appends each record's value as one line to the file, as the consumer group --group (default
connect-file-sink-<topic>), starting at the earliest record the first time. At-least-once.

Examples:
  $ streaming connect file-sink --topic logs.access --file all-access.log
  $ streaming connect file-sink --topic logs.access --file copy.log --exit-at-end
`;

export function registerConnect(program: Command): void {
  const connect = program
    .command('connect')
    .description('file connectors: tail a file into a topic, write a topic into a file')
    .addHelpText(
      'after',
      `
Examples:
  $ streaming connect file-source --file access.log --topic logs.access
  $ streaming connect file-sink --topic logs.access --file copy.log
`,
    );

  connect
    .command('file-source')
    .description('tail a file and publish each appended line (like FileStreamSource)')
    .requiredOption('-f, --file <path>', 'the file to tail')
    .requiredOption('-t, --topic <name>', 'the topic to publish to')
    .option(
      '--name <name>',
      'connector name, the key of its stored position (default: file-source-<file name>)',
    )
    .option('--offsets-topic <name>', 'where positions are stored', DEFAULT_OFFSETS_TOPIC)
    .option('--batch-size <n>', 'lines per produce request at most', '500')
    .option('--poll-ms <ms>', 'how often to look for new lines', '200')
    .option('-p, --partition <n>', 'publish to this partition only')
    .addHelpText('after', SOURCE_EXAMPLES)
    .action(async (options: SourceOptions, command: Command) => {
      const name = options.name ?? `file-source-${path.basename(options.file)}`;
      const batchSize = parseInteger('--batch-size', options.batchSize, 1);
      const pollMs = parseInteger('--poll-ms', options.pollMs, 1);
      const partition =
        options.partition === undefined
          ? undefined
          : parseInteger('--partition', options.partition, 0);
      const killAfter = process.env.STREAMING_TEST_KILL_AFTER_BATCH;
      const client = await clientFor(command, `connect-${name}`);
      const admin = client.kafka.admin();
      const producer = client.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      const interrupt = new Interrupt();
      let total = 0;
      const progress = new Progress(() => `${name}: published ${total} lines`);
      try {
        await admin.connect();
        const meta = await topicMetadata(admin, options.topic);
        if (partition !== undefined && partition >= meta.partitions.length) {
          throw usageError(
            `--partition ${partition}: ${options.topic} has ${meta.partitions.length} partition(s)`,
          );
        }
        await producer.connect();
        progress.start();
        const result = await runFileSource({
          client,
          admin,
          producer,
          name,
          file: options.file,
          topic: options.topic,
          offsetsTopic: options.offsetsTopic,
          batchSize,
          pollMs,
          partition,
          signal: interrupt.signal,
          log: (m) => {
            progress.stop();
            note(`${name}: ${m}`);
            progress.start();
          },
          onPublished: (_n, all) => (total = all),
          killAfterBatch: killAfter ? Number(killAfter) : undefined,
        });
        progress.stop();
        note(`${name}: stopped after publishing ${result.published} line(s)`);
      } catch (err) {
        throw translateKafkaError(err, client.bootstrap, options.topic);
      } finally {
        progress.stop();
        interrupt.dispose();
        await producer.disconnect().catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
    });

  connect
    .command('file-sink')
    .description(
      'append the records of a topic to a file, one value per line (like FileStreamSink)',
    )
    .requiredOption('-t, --topic <name>', 'the topic to read')
    .requiredOption('-f, --file <path>', 'the file to append to')
    .option('-g, --group <id>', 'consumer group (default: connect-file-sink-<topic>)')
    .option('-n, --max-messages <n>', 'exit after this many records')
    .option('-e, --exit-at-end', 'exit once the end of the log (as of the start) is reached')
    .addHelpText('after', SINK_EXAMPLES)
    .action(async (options: SinkOptions, command: Command) => {
      const groupId = options.group ?? `connect-file-sink-${options.topic}`;
      const maxMessages =
        options.maxMessages === undefined
          ? undefined
          : parseInteger('--max-messages', options.maxMessages, 0);
      const bounds = await withAdmin(
        command,
        async (admin) => {
          await topicMetadata(admin, options.topic);
          const offsets = await partitionOffsets(admin, options.topic);
          if (!options.exitAtEnd) return null;
          const rows = await admin.fetchOffsets({ groupId, topics: [options.topic] });
          const committed = new Map(
            (rows.find((r) => r.topic === options.topic)?.partitions ?? [])
              .filter((p) => BigInt(p.offset) >= 0n)
              .map((p) => [p.partition, BigInt(p.offset)]),
          );
          return {
            startAt: new Map(
              offsets.map((p) => [p.partition, committed.get(p.partition) ?? p.low]),
            ),
            endAt: new Map(offsets.map((p) => [p.partition, p.high])),
          };
        },
        options.topic,
      );
      const client = await clientFor(command, `connect-${groupId}`);
      const interrupt = new Interrupt();
      let total = 0;
      const progress = new Progress(() => `${groupId}: wrote ${total} lines`);
      progress.start();
      try {
        const result = await runFileSink({
          client,
          topic: options.topic,
          file: options.file,
          groupId,
          signal: interrupt.signal,
          maxMessages,
          startAt: bounds?.startAt,
          endAt: bounds?.endAt,
          onWritten: (n) => (total = n),
        });
        progress.stop();
        note(`${groupId}: wrote ${result.count} line(s) to ${options.file}`);
      } finally {
        progress.stop();
        interrupt.dispose();
      }
    });
}
