import readline from 'node:readline';
import type { Command } from 'commander';
import type { IHeaders, Message, Producer, RecordMetadata } from 'kafkajs';
import { usageError } from '../errors.ts';
import { COMPRESSION_NAMES, compressionType } from '../kafka/codecs.ts';
import type { CompressionName } from '../kafka/codecs.ts';
import { Partitioners } from '../kafka/kafkajs.ts';
import { producerTopic } from '../kafka/topic-info.ts';
import { translateKafkaError } from '../kafka/translate-error.ts';
import { AckTally } from '../format/ack-tally.ts';
import { Interrupt } from '../util/interrupt.ts';
import { Progress } from '../util/progress.ts';
import { collect, parseInteger, parseKeyValues } from '../util/parse-options.ts';
import { clientFor, note, withAdmin } from './context.ts';

interface ProduceOptions {
  topic: string;
  keySeparator?: string;
  header?: string[];
  partition?: string;
  compression: string;
  acks: string;
  batchSize: string;
  idempotent: boolean;
  transactionalId?: string;
  abort?: boolean;
}

const EXAMPLES = `
One record per line of standard input; Ctrl-D ends the input, Ctrl-C stops early (what was read is
still sent). A summary of what the broker acknowledged goes to stderr.

Examples:
  $ streaming produce --topic test
  $ seq 1 1000 | streaming produce --topic numbers --compression lz4
  $ printf 'sku-1:5\\nsku-2:7\\n' | streaming produce --topic stock --key-separator :
  $ streaming produce --topic test --header source=lab --partition 0 < lines.txt
  $ seq 1 5 | streaming produce --topic orders --transactional-id lab-tx           (one transaction, committed)
  $ seq 6 9 | streaming produce --topic orders --transactional-id lab-tx --abort   (written, then aborted)

With --transactional-id every line goes into one transaction, committed when the input ends (or
aborted with --abort, or when sending fails): read_committed consumers see all of it or nothing.
`;

const ACKS: Record<string, number> = { all: -1, '-1': -1, '1': 1, '0': 0 };

export function registerProduce(program: Command): void {
  program
    .command('produce')
    .description('publish one record per stdin line (like kafka-console-producer.sh)')
    .requiredOption('-t, --topic <name>', 'the topic to publish to')
    .option(
      '-K, --key-separator <sep>',
      'split each line at the first <sep> into key and value (a line without it has no key)',
    )
    .option('-H, --header <key=value>', 'header added to every record, repeatable', collect)
    .option(
      '-p, --partition <n>',
      'publish to this partition (default: by key hash, or spread when unkeyed)',
    )
    .option('-z, --compression <codec>', `${COMPRESSION_NAMES.join('|')}`, 'none')
    .option('--acks <acks>', 'all|1|0: what the broker must do before acknowledging', 'all')
    .option('--batch-size <n>', 'lines per produce request at most', '500')
    .option('--no-idempotent', 'turn off the idempotent producer (on by default with --acks all)')
    .option(
      '--transactional-id <id>',
      'send every line in one transaction of this transactional.id',
    )
    .option('--abort', 'abort that transaction at the end instead of committing it')
    .addHelpText('after', EXAMPLES)
    .action(runProduce);
}

/** The command line's settings, checked. */
function settingsOf(options: ProduceOptions) {
  if (!(COMPRESSION_NAMES as readonly string[]).includes(options.compression)) {
    throw usageError(`--compression must be one of ${COMPRESSION_NAMES.join(', ')}`);
  }
  const acks = ACKS[options.acks];
  if (acks === undefined) throw usageError('--acks must be all, 1 or 0');
  if (options.keySeparator === '') throw usageError('--key-separator cannot be empty');
  if (options.abort && !options.transactionalId)
    throw usageError('--abort needs --transactional-id');
  if (options.transactionalId !== undefined && acks !== -1)
    throw usageError('--transactional-id needs --acks all');
  return {
    acks,
    compression: options.compression as CompressionName,
    batchSize: parseInteger('--batch-size', options.batchSize, 1),
    partition:
      options.partition === undefined
        ? undefined
        : parseInteger('--partition', options.partition, 0),
    headers: options.header
      ? (Object.fromEntries(parseKeyValues('--header', options.header)) as IHeaders)
      : undefined,
  };
}

async function runProduce(options: ProduceOptions, command: Command): Promise<void> {
  const settings = settingsOf(options);
  const { acks, partition } = settings;
  const client = await clientFor(command);
  const tally = new AckTally();
  const counting = countingPartitioner();
  const idempotent = (options.idempotent && acks === -1) || options.transactionalId !== undefined;
  const producer = client.kafka.producer({
    idempotent,
    transactionalId: options.transactionalId,
    maxInFlightRequests: idempotent ? 1 : undefined,
    // A missing topic is created by the broker on first use when it allows that, as with Kafka's
    // console producer (the broker's auto.create.topics.enable decides).
    allowAutoTopicCreation: true,
    createPartitioner: counting.partitioner,
  });
  try {
    await producer.connect();
    await checkTopic(command, producer, options.topic, partition);
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw translateKafkaError(err, client.bootstrap, options.topic);
  }

  const interrupt = new Interrupt();
  const progress = new Progress(() => `produced ${tally.total} records`);
  let sender: Sender | null = null;
  try {
    sender = await openSender(producer, options.transactionalId);
    progress.start();
    for await (const lines of stdinBatches(settings.batchSize, options.keySeparator, interrupt)) {
      const messages: Message[] = lines.map((m) => ({
        ...m,
        partition,
        headers: settings.headers,
      }));
      counting.reset();
      const acked = await sender.send(options.topic, messages, acks, settings.compression);
      for (const r of acked) {
        const sent =
          counting.sentTo(r.partition) ?? (partition === r.partition ? messages.length : 0);
        tally.add(r.partition, BigInt(r.baseOffset ?? '-1'), sent);
      }
    }
    const ended = await sender.end(options.abort !== true);
    if (ended) note(ended);
  } catch (err) {
    await sender?.end(false).catch(() => undefined);
    throw translateKafkaError(err, client.bootstrap, options.topic);
  } finally {
    progress.stop();
    interrupt.dispose();
    await producer.disconnect().catch(() => undefined);
  }
  note(tally.summary(options.topic, acks !== 0));
}

/**
 * kafkajs picks partitions inside send(); wrapping its partitioner tells how many records of a
 * request went to each partition, so the acknowledged base offsets become exact ranges.
 */
function countingPartitioner() {
  let chosen = new Map<number, number>();
  return {
    partitioner: () => {
      const inner = Partitioners.DefaultPartitioner();
      return (args: Parameters<ReturnType<typeof Partitioners.DefaultPartitioner>>[0]) => {
        const p = inner(args);
        chosen.set(p, (chosen.get(p) ?? 0) + 1);
        return p;
      };
    },
    reset: () => (chosen = new Map()),
    sentTo: (partition: number) => chosen.get(partition),
  };
}

/** The topic exists (created on first use where the broker allows it) and has --partition. */
async function checkTopic(
  command: Command,
  producer: Producer,
  topic: string,
  partition: number | undefined,
): Promise<void> {
  const meta = await withAdmin(
    command,
    (admin) =>
      producerTopic(admin, producer, topic, () =>
        note(`created topic ${topic} (it did not exist; auto.create.topics.enable)`),
      ),
    topic,
  );
  if (partition !== undefined && partition >= meta.partitions.length) {
    throw usageError(
      `--partition ${partition}: ${topic} has ${meta.partitions.length} partition(s)`,
    );
  }
}

/** Where the batches go: straight to the producer, or into one transaction ended by `end`. */
interface Sender {
  send(
    topic: string,
    messages: Message[],
    acks: number,
    compression: CompressionName,
  ): Promise<RecordMetadata[]>;
  /** Commits (or aborts) the transaction; says what happened, null without one. */
  end(commit: boolean): Promise<string | null>;
}

async function openSender(
  producer: Producer,
  transactionalId: string | undefined,
): Promise<Sender> {
  const target = transactionalId === undefined ? producer : await producer.transaction();
  let open = transactionalId !== undefined;
  return {
    send: (topic, messages, acks, compression) =>
      target.send({ topic, messages, acks, compression: compressionType(compression) }),
    async end(commit) {
      if (!open || !('commit' in target)) return null;
      open = false;
      if (commit) await target.commit();
      else await target.abort();
      return commit
        ? `transaction ${transactionalId} committed`
        : `transaction ${transactionalId} aborted: read_committed consumers will never see its records`;
    },
  };
}

/**
 * Lines of stdin grouped into requests: whatever has arrived is sent as soon as the previous request
 * is acknowledged (an interactive line goes out at once), at most `batchSize` lines at a time.
 * Reading pauses while a few batches are waiting, so a huge pipe does not fill memory.
 */
async function* stdinBatches(
  batchSize: number,
  keySeparator: string | undefined,
  interrupt: Interrupt,
): AsyncGenerator<{ key: string | null; value: string }[]> {
  const rl = readline.createInterface({
    input: process.stdin,
    crlfDelay: Infinity,
    terminal: false,
  });
  const pending: { key: string | null; value: string }[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    wake?.();
    wake = null;
  };
  rl.on('line', (line) => {
    if (keySeparator !== undefined) {
      const at = line.indexOf(keySeparator);
      pending.push(
        at < 0
          ? { key: null, value: line }
          : { key: line.slice(0, at), value: line.slice(at + keySeparator.length) },
      );
    } else {
      pending.push({ key: null, value: line });
    }
    if (pending.length >= batchSize * 4) rl.pause();
    signal();
  });
  rl.on('close', () => {
    ended = true;
    signal();
  });
  // Ctrl-C: stop reading; what was read is still sent.
  interrupt.signal.addEventListener('abort', () => rl.close(), { once: true });
  try {
    while (true) {
      if (pending.length === 0) {
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const batch = pending.splice(0, batchSize);
      if (!ended && pending.length < batchSize * 2) rl.resume();
      yield batch;
    }
  } finally {
    rl.close();
  }
}
