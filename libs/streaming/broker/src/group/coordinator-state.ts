/**
 * What the coordinator's modules share: the groups, the settings, the logger and the journal.
 * Each module (membership, rebalance, offsets, expiry, journal) is a set of functions over it;
 * GroupCoordinator owns it and is the only entry point.
 */
import type { ConsumerGroup } from './consumer-group.ts';
import type { GroupJournal } from './group-journal.ts';

export interface GroupLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;
export const silentLogger: GroupLogger = { debug: noop, info: noop, warn: noop, error: noop };

export interface GroupSettings {
  /** group.initial.rebalance.delay.ms: how long a new group waits for more members. */
  readonly initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms / group.max.session.timeout.ms. */
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** offset.metadata.max.bytes. */
  readonly maxOffsetMetadataBytes: number;
  /** How long a group that is Empty and has never committed an offset is kept. */
  readonly emptyGroupRetentionMs: number;
}

export interface CoordinatorState {
  /** Insertion order is kept: ListGroups answers in it. */
  readonly groups: Map<string, ConsumerGroup>;
  readonly settings: GroupSettings;
  readonly logger: GroupLogger;
  readonly journal: GroupJournal;
  /** Partition count of a topic, or undefined when it does not exist (commit validation). */
  readonly partitionCount: (topic: string) => number | undefined;
}
