import readline from 'node:readline';
import type { Command } from 'commander';
import type { IHeaders, Message, Producer } from 'kafkajs';
import { usageError } from '../errors.ts';
import { COMPRESSION_NAMES, compressionType } from '../kafka/codecs.ts';
import type { CompressionName } from '../kafka/codecs.ts';
import { Partitioners } from '../kafka/kafkajs.ts';
import { assertTopicExists } from '../kafka/topic-info.ts';
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
}

const EXAMPLES = `
One record per line of standard input; Ctrl-D ends the input, Ctrl-C stops early (what was read is
still sent). A summary of what the broker acknowledged goes to stderr.

Examples:
  $ streaming produce --topic test
  $ seq 1 1000 | streaming produce --topic numbers --compression lz4
  $ printf 'sku-1:5\\nsku-2:7\\n' | streaming produce --topic stock --key-separator :
  $ streaming produce --topic test --header source=lab --partition 0 < lines.txt
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
    .addHelpText('after', EXAMPLES)
    .action(async (options: ProduceOptions, command: Command) => {
      if (!(COMPRESSION_NAMES as readonly string[]).includes(options.compression)) {
        throw usageError(`--compression must be one of ${COMPRESSION_NAMES.join(', ')}`);
      }
      const acks = ACKS[options.acks];
      if (acks === undefined) throw usageError('--acks must be all, 1 or 0');
      const batchSize = parseInteger('--batch-size', options.batchSize, 1);
      const partition =
        options.partition === undefined
          ? undefined
          : parseInteger('--partition', options.partition, 0);
      const headers = Object.fromEntries(parseKeyValues('--header', options.header)) as IHeaders;
      if (options.keySeparator === '') throw usageError('--key-separator cannot be empty');

      const partitions = await withAdmin(
        command,
        async (admin) => {
          await assertTopicExists(admin, options.topic);
          return (await admin.fetchTopicMetadata({ topics: [options.topic] })).topics[0].partitions
            .length;
        },
        options.topic,
      );
      if (partition !== undefined && partition >= partitions) {
        throw usageError(
          `--partition ${partition}: ${options.topic} has ${partitions} partition(s)`,
        );
      }

      const client = await clientFor(command);
      const tally = new AckTally();
      // kafkajs picks partitions inside send(); wrapping its partitioner tells us how many records of
      // a request went to each partition, so the acknowledged base offsets become exact ranges.
      let chosen = new Map<number, number>();
      const idempotent = options.idempotent && acks === -1;
      const producer = client.kafka.producer({
        idempotent,
        maxInFlightRequests: idempotent ? 1 : undefined,
        allowAutoTopicCreation: false,
        createPartitioner: () => {
          const inner = Partitioners.DefaultPartitioner();
          return (args) => {
            const p = inner(args);
            chosen.set(p, (chosen.get(p) ?? 0) + 1);
            return p;
          };
        },
      });
      const interrupt = new Interrupt();
      const progress = new Progress(() => `produced ${tally.total} records`);
      try {
        await producer.connect();
        progress.start();
        for await (const batch of stdinBatches(batchSize, options.keySeparator, interrupt)) {
          const messages: Message[] = batch.map((m) => ({
            ...m,
            partition,
            headers: options.header ? headers : undefined,
          }));
          chosen = new Map();
          const acked = await send(
            producer,
            options.topic,
            messages,
            acks,
            options.compression as CompressionName,
          );
          for (const r of acked) {
            tally.add(
              r.partition,
              BigInt(r.baseOffset ?? '-1'),
              chosen.get(r.partition) ?? (partition === r.partition ? messages.length : 0),
            );
          }
        }
      } catch (err) {
        throw translateKafkaError(err, client.bootstrap, options.topic);
      } finally {
        progress.stop();
        interrupt.dispose();
        await producer.disconnect().catch(() => undefined);
      }
      note(tally.summary(options.topic, acks !== 0));
    });
}

async function send(
  producer: Producer,
  topic: string,
  messages: Message[],
  acks: number,
  compression: CompressionName,
) {
  return producer.send({ topic, messages, acks, compression: compressionType(compression) });
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
