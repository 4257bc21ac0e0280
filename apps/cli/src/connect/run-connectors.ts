/**
 * Starting file connectors the way a Connect worker does: their clients, the target topic created on
 * first use where the broker allows it, and a clean stop when `signal` aborts. Shared by
 * `streaming connect file-source|file-sink` and `connect-standalone`.
 */
import type { Admin, Producer } from 'kafkajs';
import { usageError } from '../errors.ts';
import { Partitioners } from '../kafka/kafkajs.ts';
import type { Client } from '../kafka/client.ts';
import { producerTopic, waitForTopic } from '../kafka/topic-info.ts';
import type { ReadResult } from '../kafka/topic-reader.ts';
import { translateKafkaError } from '../kafka/translate-error.ts';
import { runFileSink, type FileSinkOptions } from './file-sink.ts';
import { runFileSource, type FileSourceOptions } from './file-source.ts';
import { OffsetStore } from './offset-store.ts';

export interface ConnectorRun {
  signal: AbortSignal;
  /** One line of news from the connector (stderr). */
  log: (message: string) => void;
}

export type SourceSettings = Pick<
  FileSourceOptions,
  | 'name'
  | 'file'
  | 'topic'
  | 'offsetsTopic'
  | 'batchSize'
  | 'pollMs'
  | 'partition'
  | 'toValue'
  | 'killAfterBatch'
> & {
  /** Lines published by this source so far, after each acknowledged batch. */
  onPublished?: (total: number) => void;
  /** One line of news from this source. */
  log: (message: string) => void;
};

/**
 * Runs file sources together until the signal aborts, and resolves to the lines each published. Each
 * file has its own idempotent producer, so its batches and positions keep their own sequence, exactly
 * as if it had a process of its own, and its own admin client: kafkajs keeps one metadata cache per
 * client and replaces it with the topics of whichever request refreshed it last, so sources sharing
 * one admin saw each other's refreshes drop their topic (ListOffsets on no partitions, a TypeError
 * inside kafkajs). The offsets topic and the target topics are made sure of once, before any file
 * starts (several sources starting together would otherwise race to create them). One source
 * failing stops the others.
 */
export async function runSourceConnectors(
  client: Client,
  sources: readonly SourceSettings[],
  signal: AbortSignal,
): Promise<number[]> {
  const admins = sources.map(() => client.kafka.admin());
  const producers = sources.map(() =>
    client.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      // The source picks each batch's partition itself; naming the partitioner silences kafkajs's
      // "switched default partitioner" warning under --verbose.
      createPartitioner: Partitioners.DefaultPartitioner,
    }),
  );
  const failed = new AbortController();
  const stop = AbortSignal.any([signal, failed.signal]);
  try {
    await Promise.all([...admins, ...producers].map((c) => c.connect()));
    await prepareTopics(client, admins[0], producers[0], sources);
    const settled = await Promise.allSettled(
      sources.map((s, i) => {
        const { onPublished, ...settings } = s;
        return runFileSource({
          ...settings,
          client,
          admin: admins[i],
          producer: producers[i],
          signal: stop,
          onPublished: (_n, all) => onPublished?.(all),
        }).catch((err: unknown) => {
          failed.abort(err);
          throw err;
        });
      }),
    );
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
    return settled.map((r) => (r as PromiseFulfilledResult<{ published: number }>).value.published);
  } catch (err) {
    throw translateKafkaError(err, client.bootstrap, sources[0]?.topic);
  } finally {
    await Promise.all([...producers, ...admins].map((c) => c.disconnect().catch(() => undefined)));
  }
}

/** The offsets topics and the target topics (created on first use where the broker allows it). */
async function prepareTopics(
  client: Client,
  admin: Admin,
  producer: Producer,
  sources: readonly SourceSettings[],
): Promise<void> {
  for (const offsetsTopic of new Set(sources.map((s) => s.offsetsTopic))) {
    await new OffsetStore(client, producer, offsetsTopic).ensureTopic(admin);
  }
  for (const s of sources) {
    const meta = await producerTopic(admin, producer, s.topic, () =>
      s.log(`created topic ${s.topic} (it did not exist; auto.create.topics.enable)`),
    );
    if (s.partition !== undefined && s.partition >= meta.partitions.length) {
      throw usageError(
        `--partition ${s.partition}: ${s.topic} has ${meta.partitions.length} partition(s)`,
      );
    }
  }
}

export type SinkSettings = Omit<FileSinkOptions, 'client' | 'signal'>;

/**
 * Runs a file sink until the signal aborts (or its bounds are reached). A topic that does not exist
 * yet is waited for, as a sink connector's consumer would.
 */
export async function runSinkConnector(
  client: Client,
  s: SinkSettings,
  run: ConnectorRun,
): Promise<ReadResult> {
  const admin = client.kafka.admin();
  try {
    await admin.connect();
    const exists = await waitForTopic(admin, s.topic, {
      signal: run.signal,
      onWaiting: () => run.log(`waiting for topic ${s.topic} to be created`),
    });
    if (!exists) return { count: 0, reason: 'signal' };
  } catch (err) {
    throw translateKafkaError(err, client.bootstrap, s.topic);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return runFileSink({ ...s, client, signal: run.signal });
}
