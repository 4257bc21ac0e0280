/**
 * What the transaction coordinator's modules share: the transactional ids, the durable store, the
 * settings and the hooks into the rest of the broker (markers into partition logs, offsets into
 * groups). `persist` is the only way metadata changes: written first, applied after.
 */
import { ErrorCode as E } from '../errors/index.ts';
import type { GroupLogger } from '../group/index.ts';
import { encodeTxnKey, encodeTxnValue } from './txn-records.ts';
import type { TxnStore } from './txn-state-topic.ts';
import type { PendingOffset, TxnMetadata } from './txn-metadata.ts';

export interface TxnSettings {
  /** transaction.max.timeout.ms (Kafka: 900000): a longer transaction.timeout.ms is refused. */
  readonly maxTimeoutMs: number;
  /** transactional.id.expiration.ms (Kafka: 604800000): idle ids are forgotten after this. */
  readonly idExpirationMs: number;
}

export interface TxnHooks {
  /** A new producer id (never reused). */
  allocateProducerId(): number;
  /** Appends a marker to a partition; a partition that no longer exists is skipped. Throws on I/O failure. */
  writeMarker(
    topic: string,
    partition: number,
    producerId: number,
    epoch: number,
    commit: boolean,
    now: number,
  ): void;
  /** Commits a transaction's offsets to its group; an error code when that failed. */
  applyOffsets(groupId: string, offsets: readonly PendingOffset[]): number;
}

export class TxnCoordinatorState implements TxnHooks {
  readonly txns = new Map<string, TxnMetadata>();
  /** producer id → transactional id, for produce checks and DescribeProducers. */
  readonly byProducerId = new Map<number, string>();
  readonly store: TxnStore;
  readonly settings: TxnSettings;
  readonly logger: GroupLogger;
  private readonly hooks: TxnHooks;

  constructor(store: TxnStore, settings: TxnSettings, hooks: TxnHooks, logger: GroupLogger) {
    this.store = store;
    this.settings = settings;
    this.hooks = hooks;
    this.logger = logger;
  }

  /** Writes the new metadata of a transactional id, then makes it current. NONE, or the code to answer. */
  persist(txn: TxnMetadata, now: number): number {
    try {
      this.store.append(
        { key: encodeTxnKey(txn.transactionalId), value: encodeTxnValue(txn) },
        now,
      );
    } catch (err) {
      this.logger.error(
        { err, transactionalId: txn.transactionalId },
        'cannot write to __transaction_state',
      );
      return E.COORDINATOR_NOT_AVAILABLE;
    }
    this.apply(txn);
    return E.NONE;
  }

  /** Makes metadata current without writing it (start-up replay). */
  apply(txn: TxnMetadata): void {
    const previous = this.txns.get(txn.transactionalId);
    if (previous && previous.producerId !== txn.producerId)
      this.byProducerId.delete(previous.producerId);
    this.txns.set(txn.transactionalId, txn);
    this.byProducerId.set(txn.producerId, txn.transactionalId);
  }

  /** Writes a tombstone for an expired id and forgets it. */
  remove(transactionalId: string, now: number): boolean {
    try {
      this.store.append({ key: encodeTxnKey(transactionalId), value: null }, now);
    } catch {
      return false;
    }
    const txn = this.txns.get(transactionalId);
    if (txn) this.byProducerId.delete(txn.producerId);
    this.txns.delete(transactionalId);
    return true;
  }

  allocateProducerId(): number {
    return this.hooks.allocateProducerId();
  }

  writeMarker(
    topic: string,
    partition: number,
    producerId: number,
    epoch: number,
    commit: boolean,
    now: number,
  ): void {
    this.hooks.writeMarker(topic, partition, producerId, epoch, commit, now);
  }

  applyOffsets(groupId: string, offsets: readonly PendingOffset[]): number {
    return this.hooks.applyOffsets(groupId, offsets);
  }
}
