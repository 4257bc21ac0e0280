import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type Producer,
  type Transaction,
} from 'kafkajs';
import type { Logger } from '../logger.ts';

/** One input record, as the stage's state sees it. */
export interface StageRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

/** One output record: written in the same transaction as the input offsets that produced it. */
export interface StageOutput {
  topic: string;
  key: string;
  value: Buffer;
}

/**
 * The state of a consume-transform-produce stage. The stage commits, with every transaction, the
 * offset from which the state can be rebuilt (`resumeOffset`) and a checkpoint string (stored as the
 * offsets' metadata); after a crash it starts a fresh state from that checkpoint and re-reads from
 * those offsets. Output and offsets commit together, so what the state emits after the rebuild
 * continues exactly where the committed output stopped.
 */
export interface StageState {
  /** Records in, records out: the outputs belong to the same transaction as the record's offset. */
  apply(record: StageRecord): StageOutput[];
  /** The first offset of a partition the state still needs after a restart; `next` if none. */
  resumeOffset(partition: number, next: string): string;
  /** What to keep next to the offsets (Kafka's offset metadata: a short string). */
  checkpoint(): string;
}

export interface ExactlyOnceStageOptions {
  /** The stage's own consumer group: its committed offsets are the stage's input position. */
  groupId: string;
  /** Unique per stage instance: a restarted instance fences the transactions of its predecessor. */
  transactionalId: string;
  /** One input topic: the state's partition offsets are per partition of it. */
  topic: string;
  /** A fresh state from the committed checkpoint (null on the first start). */
  createState(checkpoint: string | null): StageState;
  logger: Logger;
  /** Called after each committed transaction, with the outputs it made visible. */
  onCommit?(outputs: readonly StageOutput[]): void;
  /**
   * How long a transaction stays open gathering batches before it commits (Kafka Streams'
   * `commit.interval.ms`, 100 ms under exactly-once); default 100 ms.
   */
  commitIntervalMs?: number;
}

/** The transaction the batches of the current interval go into. */
interface OpenTransaction {
  transaction: Transaction;
  startedAt: number;
  outputs: StageOutput[];
}

/**
 * An exactly-once consume-transform-produce loop on kafkajs's transactional producer: fetched
 * batches are applied to the state, and their outputs plus the input offsets (through
 * `sendOffsets`, i.e. TxnOffsetCommit under the stage's group) commit atomically. One transaction
 * gathers the batches of a commit interval: kafkajs hands over one batch per partition, and a
 * transaction each (six requests to the broker, three of them FindCoordinator) was most of
 * analytics' traffic when orders came one by one. A reader with read_committed sees each
 * output once: either its transaction committed, and the offsets moved past its input with it, or
 * it aborted (or the process died), and the input is read again by a state rebuilt from the last
 * committed checkpoint. It reads its input with read_committed too, so it never counts aborted input.
 */
export class ExactlyOnceStage {
  readonly #kafka: Kafka;
  readonly #options: ExactlyOnceStageOptions;
  #consumer: Consumer | undefined;
  #producer: Producer | undefined;
  #state: StageState | undefined;
  /** Set when a transaction failed: no batch is applied until the stage has restarted. */
  #halted = false;
  /** Set by `stop()`: a restart in progress gives up. */
  #closed = false;
  /** Per partition: the next offset to read, once known (from the group or an applied record). */
  readonly #positions = new Map<number, string>();
  #open: OpenTransaction | undefined;
  /** Commits the open transaction when its interval ends and no batch came to do it. */
  #commitTimer: NodeJS.Timeout | undefined;
  /** Batches, timed commits and the commit at stop run one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(kafka: Kafka, options: ExactlyOnceStageOptions) {
    this.#kafka = kafka;
    this.#options = options;
  }

  get running(): boolean {
    return this.#consumer !== undefined;
  }

  async start(): Promise<void> {
    this.#closed = false;
    const { groupId, transactionalId, topic } = this.#options;
    const producer = this.#kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    // InitProducerId with the transactional id: aborts whatever a killed predecessor left open and
    // fences it, before this instance reads the offsets that predecessor may have been committing.
    await producer.connect();
    this.#producer = producer;
    this.#halted = false;
    this.#state = undefined;
    const consumer = this.#kafka.consumer({
      groupId,
      readUncommitted: false,
      // As the services' runners: a member killed with -9 is noticed within 10 s, not kafkajs's 30.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 30_000,
      maxWaitTimeInMs: 500,
    });
    // Every (re)join starts from the committed offsets: the state is rebuilt from their checkpoint.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.#state = undefined;
      // Batches of the previous generation still in a transaction are read again: drop them.
      void this.#serially(() => this.#abortOpen());
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    this.#consumer = consumer;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#serially(() => this.#onBatch(payload)),
    });
  }

  /** Commits what the open transaction holds, then leaves the group. */
  async stop(): Promise<void> {
    this.#closed = true;
    await this.#serially(() => this.#commitOpen());
    await this.#disconnect();
  }

  #serially(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #disconnect(): Promise<void> {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    // A transaction left open is aborted by the next InitProducerId of this id, or by its timeout.
    this.#open = undefined;
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
    await this.#producer?.disconnect().catch(() => undefined);
    this.#producer = undefined;
  }

  async #onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    if (this.#halted || !isRunning() || isStale()) return;
    let state: StageState;
    try {
      state = this.#state ?? (await this.#rebuild());
    } catch (error) {
      this.#halted = true;
      if (error instanceof CheckpointRefused) {
        // A checkpoint the state refuses (other settings) cannot be continued exactly: the stage
        // stops and says why, instead of rejoining to fail again. The rest of the service goes on.
        this.#closed = true;
        this.#options.logger.error(
          { err: error.cause },
          'exactly-once stage: stopped, its checkpoint was refused',
        );
        setImmediate(() => void this.#disconnect());
      } else {
        this.#options.logger.error(
          { err: error },
          'exactly-once stage: rebuild failed, restarting',
        );
        setImmediate(() => void this.#restart());
      }
      return;
    }
    const last = batch.messages.at(-1)?.offset;
    if (last === undefined) return;
    try {
      const outputs = batch.messages.flatMap((message) =>
        state.apply({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
        }),
      );
      this.#positions.set(batch.partition, String(BigInt(last) + 1n));
      const open = (this.#open ??= {
        transaction: await this.#producer!.transaction(),
        startedAt: Date.now(),
        outputs: [],
      });
      for (const outputTopic of new Set(outputs.map((output) => output.topic)))
        await open.transaction.send({
          topic: outputTopic,
          messages: outputs
            .filter((output) => output.topic === outputTopic)
            .map(({ key, value }) => ({ key, value })),
        });
      open.outputs.push(...outputs);
      const commitInMs = open.startedAt + this.#commitIntervalMs - Date.now();
      if (commitInMs <= 0) await this.#commitOpen();
      else
        this.#commitTimer ??= setTimeout(() => {
          this.#commitTimer = undefined;
          void this.#serially(() => this.#commitOpen());
        }, commitInMs);
    } catch (error) {
      await this.#failed(error);
      return;
    }
    payload.resolveOffset(last);
    await payload.heartbeat();
  }

  get #commitIntervalMs(): number {
    return this.#options.commitIntervalMs ?? 100;
  }

  /**
   * The state has counted input whose transaction did not commit, and the producer may be fenced:
   * restart the whole stage, so a fresh producer and a state rebuilt from the committed checkpoint
   * read again from the committed offsets. Until then, no batch is applied (kafkajs would otherwise
   * hand this batch again to the state that already counted it).
   */
  async #failed(error: unknown): Promise<void> {
    this.#halted = true;
    this.#state = undefined;
    await this.#abortOpen();
    this.#options.logger.error({ err: error }, 'exactly-once stage: batch failed, restarting');
    setImmediate(() => void this.#restart());
  }

  async #abortOpen(): Promise<void> {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    const open = this.#open;
    this.#open = undefined;
    await open?.transaction.abort().catch(() => undefined);
  }

  async #restart(): Promise<void> {
    await this.#disconnect();
    while (!this.#closed) {
      try {
        await this.start();
        return;
      } catch (error) {
        this.#options.logger.error({ err: error }, 'exactly-once stage: restart failed, retrying');
        await this.#disconnect();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Commits the open transaction: its outputs, and the offsets with the state's checkpoint. */
  async #commitOpen(): Promise<void> {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    const open = this.#open;
    const state = this.#state;
    if (open === undefined || state === undefined || this.#halted) return;
    this.#open = undefined;
    const { groupId, topic } = this.#options;
    try {
      await open.transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [
          {
            topic,
            partitions: [...this.#positions].map(([partition, next]) => ({
              partition,
              offset: state.resumeOffset(partition, next),
              metadata: state.checkpoint(),
            })),
          },
        ],
      });
      await open.transaction.commit();
    } catch (error) {
      await open.transaction.abort().catch(() => undefined);
      await this.#failed(error);
      return;
    }
    this.#options.onCommit?.(open.outputs);
  }

  /** A fresh state from the group's committed checkpoint; the consumer resumes at its offsets. */
  async #rebuild(): Promise<StageState> {
    const { groupId, topic, createState, logger } = this.#options;
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      this.#positions.clear();
      let checkpoint: string | null = null;
      for (const { partition, offset, metadata } of committed?.partitions ?? []) {
        if (offset === '-1') continue;
        this.#positions.set(partition, offset);
        checkpoint ??= metadata || null;
      }
      logger.info({ groupId, checkpoint }, 'exactly-once stage: state rebuilt from its checkpoint');
      let state: StageState;
      try {
        state = createState(checkpoint);
      } catch (error) {
        throw new CheckpointRefused(error);
      }
      this.#state = state;
      return state;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** The state refused the committed checkpoint: not a failure a restart would cure. */
class CheckpointRefused extends Error {
  constructor(cause: unknown) {
    super('the stage state refused its committed checkpoint', { cause });
  }
}
