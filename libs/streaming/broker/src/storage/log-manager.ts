/**
 * All partition logs of one broker under one log directory:
 * `<logDir>/<topic>-<partition>/` per partition, topic metadata in
 * `__topics.json`, a `.lock` against a second broker, and a
 * `.clean-shutdown` marker that lets the next start skip scanning the logs.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { lockDir, type DirLock } from './dir-lock.ts';
import { ErrorCode } from '../errors/index.ts';
import { StorageError, storageIoError } from './errors.ts';
import type { FileIo } from './file-io.ts';
import { silentLogger, type Logger } from './logger.ts';
import { PartitionLog } from './partition-log.ts';
import { readTopicsFile, writeTopicsFile, type PersistedTopic } from './topic-registry-file.ts';
import {
  resolveBrokerDefaults,
  resolveTopicConfig,
  topicConfigKey,
  validateTopicOverrides,
  type TopicConfig,
} from './topic-config.ts';
import { collisionKey, validateTopicName } from './topic-name.ts';

export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
const DELETED_DIR = /^[0-9a-f-]{36}-delete$/;

export interface TopicInfo {
  name: string;
  topicId: string;
  partitionCount: number;
  /** Topic-level overrides exactly as set (Kafka config names). */
  overrides: Record<string, string>;
  /** Effective config: broker defaults + overrides. */
  config: TopicConfig;
}

export interface LogManagerOptions {
  logDir: string;
  /** Broker-level topic defaults (log.retention.ms etc.); missing keys use Kafka's defaults. */
  defaults: Partial<TopicConfig>;
  /** fsync every partition on this interval; null/undefined leaves flushing to the OS (and close()). */
  flushIntervalMs?: number | null;
  /** How often retention runs by itself (Kafka log.retention.check.interval.ms); default 300000, null disables. */
  retentionCheckIntervalMs?: number | null;
  logger?: Logger;
  /** I/O seam for fault-injection tests. */
  io?: FileIo;
}

interface TopicState {
  name: string;
  topicId: string;
  overrides: Record<string, string>;
  config: TopicConfig;
  partitions: PartitionLog[];
}

type AppendListener = (topic: string, partition: number) => void;

export class LogManager {
  readonly logDir: string;
  readonly defaults: TopicConfig;
  private readonly logger: Logger;
  private readonly io: FileIo | undefined;
  private readonly lock: DirLock;
  private readonly topics = new Map<string, TopicState>();
  private readonly listeners = new Set<AppendListener>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly notify: AppendListener;
  private closed = false;

  private constructor(opts: LogManagerOptions, lock: DirLock) {
    this.logDir = opts.logDir;
    this.defaults = resolveBrokerDefaults(opts.defaults);
    this.logger = opts.logger ?? silentLogger;
    this.io = opts.io;
    this.lock = lock;
    this.notify = (topic, partition) => {
      for (const l of this.listeners) {
        try {
          l(topic, partition);
        } catch (err) {
          this.logger.error({ err, topic, partition }, 'onAppend listener threw');
        }
      }
    };
  }

  /** Creates/locks the directory, loads topic metadata and recovers every partition. */
  static async open(opts: LogManagerOptions): Promise<LogManager> {
    const logDir = path.resolve(opts.logDir);
    try {
      fs.mkdirSync(logDir, { recursive: true });
      // Root ignores permission bits, so probe by writing rather than with access().
      const probe = path.join(logDir, `.write-probe-${process.pid}`);
      fs.writeFileSync(probe, '');
      fs.rmSync(probe);
    } catch (err) {
      throw storageIoError(`log directory ${logDir} is not usable`, err);
    }
    // Bad broker defaults should fail before the directory is locked.
    resolveBrokerDefaults(opts.defaults);
    const lock = await lockDir(logDir);
    const manager = new LogManager({ ...opts, logDir }, lock);
    try {
      manager.load();
    } catch (err) {
      manager.closeLogs();
      lock.release();
      throw err;
    }
    manager.startTimers(opts);
    return manager;
  }

  private load(): void {
    const marker = path.join(this.logDir, CLEAN_SHUTDOWN_FILE);
    const clean = fs.existsSync(marker);
    // Remove the marker before touching anything: if we crash from here on, the next start must scan.
    fs.rmSync(marker, { force: true });
    for (const name of fs.readdirSync(this.logDir)) {
      if (DELETED_DIR.test(name))
        fs.rmSync(path.join(this.logDir, name), { recursive: true, force: true });
    }
    const started = Date.now();
    for (const t of readTopicsFile(this.logDir)) {
      const overrides = validateTopicOverrides(t.overrides);
      const config = resolveTopicConfig(this.defaults, overrides);
      const state: TopicState = {
        name: t.name,
        topicId: t.topicId,
        overrides,
        config,
        partitions: [],
      };
      this.topics.set(t.name, state);
      for (let p = 0; p < t.partitionCount; p++)
        state.partitions.push(this.openPartition(t.name, p, config, clean));
    }
    this.logger.info(
      { logDir: this.logDir, topics: this.topics.size, clean, ms: Date.now() - started },
      clean ? 'log directory loaded after a clean shutdown' : 'log directory recovered',
    );
  }

  private startTimers(opts: LogManagerOptions): void {
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    if (opts.flushIntervalMs != null && opts.flushIntervalMs > 0) {
      every(opts.flushIntervalMs, () => {
        try {
          this.flush();
        } catch (err) {
          this.logger.error({ err }, 'periodic flush failed');
        }
      });
    }
    const retentionEvery =
      opts.retentionCheckIntervalMs === undefined ? 300_000 : opts.retentionCheckIntervalMs;
    if (retentionEvery != null && retentionEvery > 0) {
      every(retentionEvery, () => {
        try {
          this.runRetention();
        } catch (err) {
          this.logger.error({ err }, 'retention run failed');
        }
      });
    }
  }

  private partitionDir(topic: string, partition: number): string {
    return path.join(this.logDir, `${topic}-${partition}`);
  }

  private openPartition(
    topic: string,
    partition: number,
    config: TopicConfig,
    clean: boolean,
  ): PartitionLog {
    return PartitionLog.open({
      dir: this.partitionDir(topic, partition),
      topic,
      partition,
      config,
      clean,
      logger: this.logger,
      onAppend: this.notify,
      ...(this.io ? { io: this.io } : {}),
    });
  }

  /** Moves a directory out of the way and removes it (an interrupted removal is finished at the next open). */
  private discardDir(dir: string): void {
    if (!fs.existsSync(dir)) return;
    const doomed = path.join(this.logDir, `${randomUUID()}-delete`);
    try {
      fs.renameSync(dir, doomed);
      fs.rmSync(doomed, { recursive: true, force: true });
    } catch (err) {
      throw storageIoError(`cannot remove ${dir}`, err);
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new StorageError(ErrorCode.KAFKA_STORAGE_ERROR, 'log manager is closed');
  }

  private persist(): void {
    const list: PersistedTopic[] = [...this.topics.values()].map((t) => ({
      name: t.name,
      topicId: t.topicId,
      partitionCount: t.partitions.length,
      overrides: t.overrides,
    }));
    writeTopicsFile(this.logDir, list);
  }

  private info(t: TopicState): TopicInfo {
    return {
      name: t.name,
      topicId: t.topicId,
      partitionCount: t.partitions.length,
      overrides: { ...t.overrides },
      config: { ...t.config },
    };
  }

  private requireTopic(name: string): TopicState {
    const t = this.topics.get(name);
    if (!t) throw new StorageError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${name}`);
    return t;
  }

  listTopics(): TopicInfo[] {
    return [...this.topics.values()].map((t) => this.info(t));
  }

  getTopic(name: string): TopicInfo | undefined {
    const t = this.topics.get(name);
    return t ? this.info(t) : undefined;
  }

  getTopicById(topicId: string): TopicInfo | undefined {
    for (const t of this.topics.values()) if (t.topicId === topicId) return this.info(t);
    return undefined;
  }

  /**
   * Checks a CreateTopics request without creating anything (validateOnly),
   * throwing the StorageError createTopic would. Returns the normalised overrides.
   */
  validateNewTopic(
    name: string,
    partitions: number,
    overrides: Record<string, string> = {},
  ): Record<string, string> {
    validateTopicName(name);
    if (this.topics.has(name))
      throw new StorageError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    const key = collisionKey(name);
    for (const other of this.topics.keys()) {
      if (collisionKey(other) === key) {
        throw new StorageError(
          ErrorCode.INVALID_TOPIC_EXCEPTION,
          `Topic '${name}' collides with existing topic '${other}' ('.' and '_' are interchangeable in topic names)`,
        );
      }
    }
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new StorageError(
        ErrorCode.INVALID_PARTITIONS,
        `Number of partitions must be at least 1, got ${partitions}`,
      );
    }
    return validateTopicOverrides(overrides);
  }

  createTopic(name: string, partitions: number, overrides: Record<string, string> = {}): TopicInfo {
    this.ensureOpen();
    const normalised = this.validateNewTopic(name, partitions, overrides);
    const config = resolveTopicConfig(this.defaults, normalised);
    const state: TopicState = {
      name,
      topicId: randomUUID(),
      overrides: normalised,
      config,
      partitions: [],
    };
    try {
      for (let p = 0; p < partitions; p++) {
        // A directory left by an unregistered topic of the same name is stale data, not this topic's.
        this.discardDir(this.partitionDir(name, p));
        state.partitions.push(this.openPartition(name, p, config, false));
      }
      this.topics.set(name, state);
      this.persist();
    } catch (err) {
      this.topics.delete(name);
      for (const log of state.partitions) {
        try {
          log.deleteFiles();
        } catch {
          // Best effort: the directories are unregistered and discarded at the next create.
        }
      }
      throw err;
    }
    // Debug only: the request that created it (CreateTopics, auto-creation) logs it at info with
    // its cause, and two info lines for one topic were noise.
    this.logger.debug({ topic: name, partitions, overrides: normalised }, 'created topic');
    return this.info(state);
  }

  deleteTopic(name: string): void {
    this.ensureOpen();
    const t = this.requireTopic(name);
    this.topics.delete(name);
    try {
      this.persist();
    } catch (err) {
      this.topics.set(name, t);
      throw err;
    }
    for (const log of t.partitions) {
      log.close();
      this.discardDir(log.dir);
    }
    this.logger.info({ topic: name }, 'deleted topic');
  }

  /** Grows a topic to `newTotal` partitions (INVALID_PARTITIONS unless it is larger). */
  createPartitions(name: string, newTotal: number): TopicInfo {
    this.ensureOpen();
    const t = this.requireTopic(name);
    const current = t.partitions.length;
    if (!Number.isInteger(newTotal) || newTotal <= current) {
      throw new StorageError(
        ErrorCode.INVALID_PARTITIONS,
        newTotal === current
          ? `Topic ${name} already has ${current} partitions.`
          : `Topic ${name} has ${current} partitions; cannot reduce to ${newTotal}.`,
      );
    }
    const added: PartitionLog[] = [];
    try {
      for (let p = current; p < newTotal; p++) {
        this.discardDir(this.partitionDir(name, p));
        added.push(this.openPartition(name, p, t.config, false));
      }
      t.partitions.push(...added);
      this.persist();
    } catch (err) {
      t.partitions.length = current;
      for (const log of added) {
        try {
          log.deleteFiles();
        } catch {
          // Best effort, see createTopic.
        }
      }
      throw err;
    }
    return this.info(t);
  }

  /**
   * Changes topic config overrides. 'replace' (AlterConfigs) makes `overrides`
   * the complete set; 'incremental' (IncrementalAlterConfigs) merges them, a
   * null value removing the key (back to the broker default).
   */
  alterTopicConfigs(
    name: string,
    overrides: Record<string, string | null>,
    mode: 'replace' | 'incremental',
  ): TopicInfo {
    this.ensureOpen();
    const t = this.requireTopic(name);
    const next: Record<string, string> = mode === 'replace' ? {} : { ...t.overrides };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    // Deleting an unknown key is as invalid as setting one.
    for (const k of Object.keys(overrides)) {
      if (!topicConfigKey(k))
        throw new StorageError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${k}`);
    }
    const normalised = validateTopicOverrides(next);
    const prev = { overrides: t.overrides, config: t.config };
    t.overrides = normalised;
    t.config = resolveTopicConfig(this.defaults, normalised);
    try {
      this.persist();
    } catch (err) {
      t.overrides = prev.overrides;
      t.config = prev.config;
      throw err;
    }
    for (const log of t.partitions) log.setConfig(t.config);
    return this.info(t);
  }

  partition(topic: string, index: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  /** All partition logs of a topic (empty when unknown). */
  partitions(topic: string): readonly PartitionLog[] {
    return this.topics.get(topic)?.partitions ?? [];
  }

  /** Applies retention to every partition; returns the number of segments deleted. */
  runRetention(nowMs: number = Date.now()): number {
    this.ensureOpen();
    let deleted = 0;
    for (const t of this.topics.values()) {
      for (const log of t.partitions) {
        try {
          deleted += log.runRetention(nowMs);
        } catch (err) {
          this.logger.error({ err, topic: t.name, partition: log.partition }, 'retention failed');
        }
      }
    }
    return deleted;
  }

  /** fsyncs every partition and records recovery points. */
  flush(): void {
    this.ensureOpen();
    for (const t of this.topics.values()) for (const log of t.partitions) log.flush();
  }

  /** Subscribes to successful appends (called synchronously); returns the unsubscribe function. */
  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private closeLogs(): void {
    for (const t of this.topics.values()) for (const log of t.partitions) log.close();
  }

  /** Flushes, closes every log, marks the shutdown clean and releases the directory lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    let clean = true;
    for (const t of this.topics.values()) {
      for (const log of t.partitions) {
        try {
          log.flush();
        } catch (err) {
          clean = false;
          this.logger.error(
            { err, topic: t.name, partition: log.partition },
            'flush at shutdown failed',
          );
        }
        if (log.isOffline) clean = false;
      }
    }
    this.closed = true;
    this.closeLogs();
    if (clean) {
      try {
        fs.writeFileSync(
          path.join(this.logDir, CLEAN_SHUTDOWN_FILE),
          `${new Date().toISOString()}\n`,
        );
      } catch (err) {
        this.logger.warn(
          { err },
          'cannot write the clean-shutdown marker; the next start will scan the logs',
        );
      }
    }
    this.listeners.clear();
    this.lock.release();
  }
}
