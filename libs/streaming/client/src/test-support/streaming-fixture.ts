import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics } from '@retail-streams/contracts';
import { startBroker, type RunningBroker } from '@retail-streams/streaming-broker';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { silentLogger } from '../logger.ts';
import { Streaming } from '../streaming.ts';

export type StreamingFixture = Awaited<ReturnType<typeof startStreamingFixture>>;

/**
 * A real embedded broker in a fresh directory, the registry's topics provisioned, and a Streaming
 * connection to it: what every integration test of this library, and of the services on it,
 * starts from.
 */
export async function startStreamingFixture(clientId = 'test') {
  const logDir = mkdtempSync(join(tmpdir(), 'streaming-client-'));
  const broker: RunningBroker = await startBroker({ port: 0, logDir });
  const streaming = new Streaming({ brokers: [broker.bootstrap], clientId, logger: silentLogger });
  await streaming.provision(allTopics);
  return {
    broker,
    streaming,
    /** A plain kafkajs client for questions the test asks itself (DescribeGroups, say). */
    kafka: new Kafka({
      brokers: [broker.bootstrap],
      clientId: 'inspector',
      logLevel: logLevel.NOTHING,
    }),
    /** Reads a topic from the beginning with a plain kafkajs consumer, independent of the runner. */
    readTopic: (topic: string, want: Parameters<typeof readTopic>[2]) =>
      readTopic(broker.bootstrap, topic, want),
    async stop() {
      await streaming.close();
      await broker.close();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/**
 * Reads a topic from the beginning until `want` is met: a number of records, or a record that
 * matches (for topics other tests also write to).
 */
export async function readTopic(
  bootstrap: string,
  topic: string,
  want: number | ((message: KafkaMessage) => boolean),
  timeoutMs = 20_000,
): Promise<KafkaMessage[]> {
  const done = (message: KafkaMessage) =>
    typeof want === 'number' ? messages.length >= want : want(message);
  const count = typeof want === 'number' ? `${want}` : 'the awaited';
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: 'inspector',
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `inspector-${Math.random().toString(36).slice(2)}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `read ${messages.length} records from ${topic} in ${timeoutMs} ms without ${count} record`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (done(message)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Polls until `check` returns true, failing with `what` if it does not within the timeout. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
