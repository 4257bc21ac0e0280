import type { TopicDefinition } from '@retail-streams/contracts';
import type { Kafka } from 'kafkajs';
import { createKafka, type StreamingConnectionOptions } from './connection/streaming-connection.ts';
import { TopicInspector } from './connection/topic-inspector.ts';
import { ConsumerRunner, type ConsumerRunnerOptions } from './consumer/consumer-runner.ts';
import {
  ExactlyOnceStage,
  type ExactlyOnceStageOptions,
} from './exactly-once/exactly-once-stage.ts';
import { consumerGroupLag, type PartitionLag } from './lag/consumer-lag.ts';
import { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay.ts';
import { EventProducer } from './producer/event-producer.ts';
import { provisionTopics } from './provisioning/provision-topics.ts';

/**
 * A service's connection to the streaming platform: one producer, any number of consumer runners,
 * topic provisioning and lag. This is the whole surface services use; kafkajs stays behind it.
 */
export class Streaming {
  readonly producer: EventProducer;
  readonly inspector: TopicInspector;
  readonly #kafka: Kafka;
  readonly #options: StreamingConnectionOptions;
  readonly #runners: ConsumerRunner[] = [];

  constructor(options: StreamingConnectionOptions) {
    this.#options = options;
    this.#kafka = createKafka(options);
    this.producer = new EventProducer(this.#kafka);
    this.inspector = new TopicInspector(this.#kafka, options.clientId);
  }

  /** A relay that publishes this service's outbox through this connection's producer. */
  outboxRelay(options: Omit<OutboxRelayOptions, 'producer' | 'inspector' | 'logger'>): OutboxRelay {
    return new OutboxRelay({
      ...options,
      producer: this.producer,
      inspector: this.inspector,
      logger: this.#options.logger,
    });
  }

  provision(topics: readonly TopicDefinition[], replicationFactor?: number) {
    return provisionTopics(this.#kafka, topics, {
      logger: this.#options.logger,
      replicationFactor,
    });
  }

  consumer(
    options: Omit<ConsumerRunnerOptions, 'logger'> & { logger?: ConsumerRunnerOptions['logger'] },
  ) {
    const runner = new ConsumerRunner(this.#kafka, this.producer, {
      logger: this.#options.logger,
      ...options,
    });
    this.#runners.push(runner);
    return runner;
  }

  /**
   * A consume-transform-produce stage whose outputs and input offsets commit in one Kafka
   * transaction (its own producer and consumer group). The caller starts and stops it.
   */
  exactlyOnceStage(options: Omit<ExactlyOnceStageOptions, 'logger'>): ExactlyOnceStage {
    return new ExactlyOnceStage(this.#kafka, { logger: this.#options.logger, ...options });
  }

  lag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
    return consumerGroupLag(this.#kafka, groupId, topics);
  }

  /** True when a metadata request to the cluster succeeds: for readiness checks. */
  async isReachable(): Promise<boolean> {
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Stops every consumer (finishing in-flight handlers, committing), then the producer. */
  async close(): Promise<void> {
    await Promise.all(this.#runners.map((runner) => runner.stop()));
    await this.producer.disconnect();
    await this.inspector.close();
  }
}
