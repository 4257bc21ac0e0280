import path from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../errors.ts';
import { DEFAULT_OFFSETS_TOPIC } from '../connect/offset-store.ts';
import { runSinkConnector, runSourceConnectors } from '../connect/run-connectors.ts';
import { connectorConfig, workerConfig } from '../connect/standalone-config.ts';
import { runStandalone } from '../connect/standalone.ts';
import { connectClient } from '../kafka/client.ts';
import { partitionOffsets, topicExists } from '../kafka/topic-info.ts';
import { Interrupt } from '../util/interrupt.ts';
import { Progress } from '../util/progress.ts';
import { parseInteger } from '../util/parse-options.ts';
import { readPropertiesFile } from '../util/properties-file.ts';
import { clientFor, globalOptions, note, withAdmin } from './context.ts';

interface SourceOptions {
  file: string[];
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
rotation (the old file is finished first) or a truncation (read again from the start). A topic
that does not exist is created on first use where the broker allows it.

Several --file options tail several files from one process (one connector each, named
file-source-<file name>, each with its own stored position): the same guarantees, one process.

Examples:
  $ streaming connect file-source --file /var/log/sales/access.log --topic logs.access
  $ streaming connect file-source --file access.log --topic logs.access --name sales-access
  $ streaming connect file-source --file sales.log --file inventory.log --topic logs.access
`;

const SINK_EXAMPLES = `
Appends each record's value as one line to the file, as the consumer group --group (default
connect-file-sink-<topic>), starting at the earliest record the first time. At-least-once.

Examples:
  $ streaming connect file-sink --topic logs.access --file all-access.log
  $ streaming connect file-sink --topic logs.access --file copy.log --exit-at-end
`;

const STANDALONE_EXAMPLES = `
Reads Kafka's own files: a worker file (connect-standalone.properties: bootstrap.servers,
value.converter, value.converter.schemas.enable, offset.storage.topic) and one file per connector
(connect-file-source.properties: name, connector.class=FileStreamSource, file, topic, batch.size;
connect-file-sink.properties: name, connector.class=FileStreamSink, file, topics). The source's
positions go to the offsets topic; the sink reads as the group connect-<name>. Runs until Ctrl-C.

Examples:
  $ streaming connect standalone config/connect-standalone.properties \\
      config/connect-file-source.properties config/connect-file-sink.properties
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
  $ streaming connect standalone config/connect-standalone.properties config/connect-file-source.properties
`,
    );

  registerStandalone(connect);
  registerFileSource(connect);
  registerFileSink(connect);
}

/** `connect standalone`: Kafka's worker and connector files (the `connect-standalone` tool). */
function registerStandalone(connect: Command): void {
  connect
    .command('standalone')
    .description(
      "run connectors from Kafka's properties files, like connect-standalone.sh (FileStreamSource and FileStreamSink)",
    )
    .argument('<worker.properties>', 'the worker: bootstrap.servers, value.converter...')
    .argument(
      '<connector.properties...>',
      'one file per connector: name, connector.class, file, topic(s)',
    )
    .addHelpText('after', STANDALONE_EXAMPLES)
    .action(
      async (workerFile: string, connectorFiles: string[], _options: unknown, command: Command) => {
        const worker = workerConfig(readPropertiesFile(workerFile), workerFile);
        const connectors = connectorFiles.map((file) =>
          connectorConfig(readPropertiesFile(file), worker, file),
        );
        for (const line of worker.notes) note(line);
        // The worker file names the cluster; an explicit --bootstrap-server wins over it.
        const given = command.optsWithGlobals<{ bootstrapServer?: string }>().bootstrapServer;
        const explicit = command.parent?.parent?.getOptionValueSource('bootstrapServer') === 'cli';
        const client = await connectClient({
          bootstrapServer: explicit && given ? given : worker.bootstrapServers,
          verbose: globalOptions(command).verbose,
          clientId: 'connect-standalone',
        });
        const interrupt = new Interrupt();
        try {
          const outcomes = await runStandalone({
            client,
            worker,
            connectors,
            signal: interrupt.signal,
            log: note,
          });
          for (const o of outcomes)
            note(
              `${o.name}: stopped after ${o.kind === 'source' ? 'publishing' : 'writing'} ${o.lines} line(s)`,
            );
        } finally {
          interrupt.dispose();
        }
      },
    );
}

/** `connect file-source`: file sources from flags, one per --file, in one process. */
function registerFileSource(connect: Command): void {
  connect
    .command('file-source')
    .description('tail a file and publish each appended line (like FileStreamSource)')
    .option(
      '-f, --file <path>',
      'a file to tail (repeat it to tail several files from one process)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .requiredOption('-t, --topic <name>', 'the topic to publish to')
    .option(
      '--name <name>',
      'connector name, the key of its stored position (default: file-source-<file name>; one --file only)',
    )
    .option('--offsets-topic <name>', 'where positions are stored', DEFAULT_OFFSETS_TOPIC)
    .option('--batch-size <n>', 'lines per produce request at most', '500')
    .option('--poll-ms <ms>', 'how often to look for new lines', '200')
    .option('-p, --partition <n>', 'publish to this partition only')
    .addHelpText('after', SOURCE_EXAMPLES)
    .action(async (options: SourceOptions, command: Command) => {
      const names = connectorNames(options.file, options.name);
      const batchSize = parseInteger('--batch-size', options.batchSize, 1);
      const pollMs = parseInteger('--poll-ms', options.pollMs, 1);
      const partition =
        options.partition === undefined
          ? undefined
          : parseInteger('--partition', options.partition, 0);
      const killAfter = process.env.STREAMING_TEST_KILL_AFTER_BATCH;
      const label = names.length === 1 ? names[0] : `${names.length} file sources`;
      const client = await clientFor(
        command,
        `connect-${names.length === 1 ? names[0] : 'file-sources'}`,
      );
      const interrupt = new Interrupt();
      const totals = names.map(() => 0);
      const progress = new Progress(
        () => `${label}: published ${totals.reduce((a, b) => a + b, 0)} lines`,
      );
      progress.start();
      try {
        const published = await runSourceConnectors(
          client,
          options.file.map((file, i) => ({
            name: names[i],
            file,
            topic: options.topic,
            offsetsTopic: options.offsetsTopic,
            batchSize,
            pollMs,
            partition,
            killAfterBatch: killAfter ? Number(killAfter) : undefined,
            onPublished: (all) => (totals[i] = all),
            log: (m) => {
              progress.stop();
              note(`${names[i]}: ${m}`);
              progress.start();
            },
          })),
          interrupt.signal,
        );
        progress.stop();
        published.forEach((n, i) => note(`${names[i]}: stopped after publishing ${n} line(s)`));
      } finally {
        progress.stop();
        interrupt.dispose();
      }
    });
}

/** `connect file-sink`: one file sink from flags. */
function registerFileSink(connect: Command): void {
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
          if (!options.exitAtEnd) return null;
          // --exit-at-end copies what exists now: a topic that does not exist has nothing.
          if (!(await topicExists(admin, options.topic)))
            return { startAt: new Map(), endAt: new Map() };
          const offsets = await partitionOffsets(admin, options.topic);
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
        const result =
          bounds?.endAt.size === 0
            ? { count: 0 }
            : await runSinkConnector(
                client,
                {
                  topic: options.topic,
                  file: options.file,
                  groupId,
                  maxMessages,
                  startAt: bounds?.startAt,
                  endAt: bounds?.endAt,
                  onWritten: (n) => (total = n),
                },
                {
                  signal: interrupt.signal,
                  log: (m) => {
                    progress.stop();
                    note(`${groupId}: ${m}`);
                    progress.start();
                  },
                },
              );
        progress.stop();
        note(`${groupId}: wrote ${result.count} line(s) to ${options.file}`);
      } finally {
        progress.stop();
        interrupt.dispose();
      }
    });
}

/** Each file's connector name: --name for a single file, file-source-<file name> otherwise. */
export function connectorNames(files: readonly string[], name: string | undefined): string[] {
  if (files.length === 0) throw usageError('file-source needs at least one --file');
  if (name !== undefined && files.length > 1) {
    throw usageError(
      '--name names the connector of one file: with several --file, each is named file-source-<file name>',
    );
  }
  const names = files.map((file) => name ?? `file-source-${path.basename(file)}`);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) {
    throw usageError(
      `two --file options share the connector name ${repeated} (the same file name): run them apart with --name`,
    );
  }
  return names;
}
