/**
 * The transaction coordinator of a single-node broker: it grants transactional producers their id
 * and epoch (fencing older instances of the same transactional.id), records which partitions and
 * groups each transaction touches, ends transactions with commit or abort markers, aborts those
 * that outlive their timeout, and keeps all of it in `__transaction_state` so a restart (or a kill
 * -9) resumes exactly where it stood.
 *
 * The API handlers translate requests into these calls; every method answers a Kafka error code.
 * Fenced producers get PRODUCER_FENCED; the handlers turn it into INVALID_PRODUCER_EPOCH for
 * request versions older than KIP-588's, as Kafka does.
 */
import { ErrorCode as E } from '../errors/index.ts';
import { MAX_EPOCH, ProducerStateError } from '../producer-state/index.ts';
import type { ProducerBatch } from '../producer-state/index.ts';
import type { GroupLogger } from '../group/index.ts';
import { copyTxn, endTransaction, finishPrepared } from './txn-completion.ts';
import { TxnCoordinatorState } from './txn-coordinator-state.ts';
import type { TxnHooks, TxnSettings } from './txn-coordinator-state.ts';
import { hasPartition, isPreparing, newTxn } from './txn-metadata.ts';
import type { PendingOffset, TxnMetadata } from './txn-metadata.ts';
import { decodeTxnRecord } from './txn-records.ts';
import type { TxnStore } from './txn-state-topic.ts';

export const DEFAULT_MAX_TXN_TIMEOUT_MS = 900_000;
export const DEFAULT_TXN_ID_EXPIRATION_MS = 604_800_000;
/** Kafka's transaction.abort.timed.out.transaction.cleanup.interval.ms default. */
export const DEFAULT_TXN_CHECK_INTERVAL_MS = 10_000;

export interface TransactionCoordinatorOptions {
  store: TxnStore;
  hooks: TxnHooks;
  logger: GroupLogger;
  maxTimeoutMs?: number;
  idExpirationMs?: number;
  /** How often timed-out transactions are aborted; null: only when `tick` is called. */
  checkIntervalMs?: number | null;
  now?: () => number;
}

export interface ProducerGrant {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export class TransactionCoordinator {
  private readonly st: TxnCoordinatorState;
  private readonly now: () => number;
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;

  constructor(options: TransactionCoordinatorOptions) {
    const settings: TxnSettings = {
      maxTimeoutMs: options.maxTimeoutMs ?? DEFAULT_MAX_TXN_TIMEOUT_MS,
      idExpirationMs: options.idExpirationMs ?? DEFAULT_TXN_ID_EXPIRATION_MS,
    };
    this.st = new TxnCoordinatorState(options.store, settings, options.hooks, options.logger);
    this.now = options.now ?? Date.now;
    this.load();
    const every =
      options.checkIntervalMs === undefined
        ? DEFAULT_TXN_CHECK_INTERVAL_MS
        : options.checkIntervalMs;
    this.timer = every !== null && every > 0 ? setInterval(() => this.tick(), every) : null;
    this.timer?.unref();
  }

  /** Replays `__transaction_state`, then finishes the transactions a crash left in Prepare. */
  private load(): void {
    let records = 0;
    for (const raw of this.st.store.replay()) {
      const record = decodeTxnRecord(raw.key, raw.value);
      if (!record) continue;
      records++;
      if (record.value) this.st.apply(record.value);
      else this.st.txns.delete(record.transactionalId);
    }
    const now = this.now();
    for (const txn of [...this.st.txns.values()])
      if (isPreparing(txn)) finishPrepared(this.st, txn, now);
    if (records > 0)
      this.st.logger.info(
        { transactionalIds: this.st.txns.size, records },
        'transactions loaded from __transaction_state',
      );
  }

  /**
   * FindCoordinator for a transactional id: as in Kafka, the first lookup creates
   * `__transaction_state` (which a broker without transactional producers never has). NONE, or
   * COORDINATOR_NOT_AVAILABLE when the topic cannot be created (the client retries the lookup).
   */
  prepareStateTopic(): number {
    if (this.closed) return E.COORDINATOR_NOT_AVAILABLE;
    try {
      this.st.store.create();
      return E.NONE;
    } catch (err) {
      this.st.logger.error({ err }, 'cannot create __transaction_state');
      return E.COORDINATOR_NOT_AVAILABLE;
    }
  }

  /** InitProducerId with a transactional id. */
  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    held: { producerId: number; epoch: number } | null,
  ): ProducerGrant {
    const fail = (errorCode: number): ProducerGrant => ({
      errorCode,
      producerId: -1,
      producerEpoch: -1,
    });
    if (this.closed) return fail(E.NOT_COORDINATOR);
    if (!transactionalId) return fail(E.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.st.settings.maxTimeoutMs)
      return fail(E.INVALID_TRANSACTION_TIMEOUT);
    const now = this.now();
    let current = this.st.txns.get(transactionalId);
    if (!current) {
      const txn = newTxn(transactionalId, this.st.allocateProducerId(), timeoutMs, now);
      const code = this.st.persist(txn, now);
      return code === E.NONE ? grant(txn) : fail(code);
    }
    if (isPreparing(current) && !finishPrepared(this.st, current, now))
      return fail(E.CONCURRENT_TRANSACTIONS);
    current = this.st.txns.get(transactionalId)!;
    if (held && held.producerId >= 0) {
      const same = held.producerId === current.producerId && held.epoch === current.producerEpoch;
      const renumbered = held.producerId === current.lastProducerId && current.producerEpoch === 0;
      if (!same && !renumbered) return fail(E.PRODUCER_FENCED);
    }
    if (current.state === 'Ongoing') {
      // A new instance of the producer: the old one's open transaction is aborted and it is fenced.
      const code = endTransaction(this.st, current, false, now, true);
      if (code !== E.NONE) return fail(code);
      current = this.st.txns.get(transactionalId)!;
      if (isPreparing(current)) return fail(E.CONCURRENT_TRANSACTIONS);
    }
    const next = copyTxn(current);
    if (next.producerEpoch >= MAX_EPOCH - 1) {
      next.lastProducerId = next.producerId;
      next.producerId = this.st.allocateProducerId();
      next.producerEpoch = 0;
    } else {
      next.producerEpoch += 1;
    }
    next.timeoutMs = timeoutMs;
    next.state = 'Empty';
    next.lastUpdateTimestamp = now;
    const code = this.st.persist(next, now);
    return code === E.NONE ? grant(next) : fail(code);
  }

  /**
   * The checks every transactional request starts with: the id exists and belongs to this producer
   * id (else INVALID_PRODUCER_ID_MAPPING), the epoch is current (else PRODUCER_FENCED), and no
   * commit or abort is being completed (CONCURRENT_TRANSACTIONS).
   */
  private current(
    transactionalId: string,
    producerId: number,
    epoch: number,
  ): TxnMetadata | number {
    if (this.closed) return E.NOT_COORDINATOR;
    const txn = this.st.txns.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING;
    if (txn.producerEpoch !== epoch) return E.PRODUCER_FENCED;
    if (isPreparing(txn) && !finishPrepared(this.st, txn, this.now()))
      return E.CONCURRENT_TRANSACTIONS;
    return this.st.txns.get(transactionalId)!;
  }

  /** AddPartitionsToTxn: the partitions the transaction may write. */
  addPartitions(
    transactionalId: string,
    producerId: number,
    epoch: number,
    partitions: ReadonlyArray<{ topic: string; partition: number }>,
  ): number {
    const txn = this.current(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    if (txn.state === 'Ongoing' && partitions.every((p) => hasPartition(txn, p.topic, p.partition)))
      return E.NONE;
    const now = this.now();
    const next = this.begin(txn, now);
    for (const { topic, partition } of partitions) {
      let set = next.partitions.get(topic);
      if (!set) next.partitions.set(topic, (set = new Set()));
      set.add(partition);
    }
    return this.st.persist(next, now);
  }

  /** AddOffsetsToTxn: the transaction will commit offsets of this group. */
  addOffsets(transactionalId: string, producerId: number, epoch: number, groupId: string): number {
    const txn = this.current(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    if (txn.state === 'Ongoing' && txn.groups.has(groupId)) return E.NONE;
    const now = this.now();
    const next = this.begin(txn, now);
    if (!next.groups.has(groupId)) next.groups.set(groupId, []);
    return this.st.persist(next, now);
  }

  /** TxnOffsetCommit: offsets held with the transaction, applied to the group if it commits. */
  commitOffsets(
    transactionalId: string,
    producerId: number,
    epoch: number,
    groupId: string,
    offsets: readonly PendingOffset[],
  ): number {
    const txn = this.current(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn === E.PRODUCER_FENCED ? E.INVALID_PRODUCER_EPOCH : txn;
    if (txn.state !== 'Ongoing' || !txn.groups.has(groupId)) return E.INVALID_TXN_STATE;
    const now = this.now();
    const next = copyTxn(txn);
    const merged = new Map(next.groups.get(groupId)!.map((o) => [`${o.topic}\0${o.partition}`, o]));
    for (const o of offsets) merged.set(`${o.topic}\0${o.partition}`, o);
    next.groups.set(groupId, [...merged.values()]);
    next.lastUpdateTimestamp = now;
    return this.st.persist(next, now);
  }

  /** EndTxn. A retried commit (or abort) of a transaction already completed that way succeeds. */
  endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): number {
    const txn = this.current(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    switch (txn.state) {
      case 'Ongoing':
        return endTransaction(this.st, txn, commit, this.now());
      case 'CompleteCommit':
        return commit ? E.NONE : E.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? E.INVALID_TXN_STATE : E.NONE;
      default:
        return E.INVALID_TXN_STATE;
    }
  }

  /** A transaction starting (or going on): Ongoing, with its start time. */
  private begin(txn: TxnMetadata, now: number): TxnMetadata {
    const next = copyTxn(txn);
    if (next.state !== 'Ongoing') {
      next.state = 'Ongoing';
      next.partitions = new Map();
      next.groups = new Map();
      next.startTimestamp = now;
    }
    next.lastUpdateTimestamp = now;
    return next;
  }

  /**
   * Whether a transactional batch may be appended (Produce): throws ProducerStateError with
   * INVALID_PRODUCER_EPOCH for a fenced producer and INVALID_TXN_STATE for a partition not added to
   * an ongoing transaction.
   */
  checkProduce(
    transactionalId: string | null,
    batch: ProducerBatch,
    topic: string,
    partition: number,
  ): void {
    const refuse = (code: number, message: string): never => {
      throw new ProducerStateError(code, message);
    };
    if (transactionalId === null)
      refuse(E.INVALID_TXN_STATE, "transactional records need the producer's transactional id");
    const txn = this.st.txns.get(transactionalId!);
    if (!txn || txn.producerId !== batch.producerId)
      refuse(
        E.INVALID_PRODUCER_ID_MAPPING,
        `producer ${batch.producerId} does not own transactional id ${transactionalId}`,
      );
    if (batch.producerEpoch !== txn!.producerEpoch)
      refuse(
        E.INVALID_PRODUCER_EPOCH,
        `producer epoch ${batch.producerEpoch} is not the current epoch ${txn!.producerEpoch} (fenced)`,
      );
    if (txn!.state !== 'Ongoing' || !hasPartition(txn!, topic, partition))
      refuse(
        E.INVALID_TXN_STATE,
        `${topic}-${partition} was not added to the transaction (AddPartitionsToTxn)`,
      );
  }

  /** Whether an open transaction holds an offset of this group and partition (OffsetFetch requireStable). */
  hasPendingOffset(groupId: string, topic: string, partition: number): boolean {
    for (const txn of this.st.txns.values()) {
      if (txn.state !== 'Ongoing' && !isPreparing(txn)) continue;
      if (txn.groups.get(groupId)?.some((o) => o.topic === topic && o.partition === partition))
        return true;
    }
    return false;
  }

  /** Every transactional id's metadata (ListTransactions, DescribeTransactions). */
  transactions(): IterableIterator<TxnMetadata> {
    return this.st.txns.values();
  }

  describe(transactionalId: string): TxnMetadata | undefined {
    return this.st.txns.get(transactionalId);
  }

  /** The transactional id a producer id belongs to (DescribeProducers). */
  transactionalIdOf(producerId: number): string | undefined {
    return this.st.byProducerId.get(producerId);
  }

  /**
   * Aborts (and fences) transactions older than their timeout, retries unfinished completions, and
   * forgets ids idle longer than transactional.id.expiration.ms.
   */
  tick(now: number = this.now()): void {
    if (this.closed) return;
    for (const txn of [...this.st.txns.values()]) {
      if (isPreparing(txn)) {
        finishPrepared(this.st, txn, now);
      } else if (txn.state === 'Ongoing' && now > txn.startTimestamp + txn.timeoutMs) {
        this.st.logger.info(
          {
            transactionalId: txn.transactionalId,
            producerId: txn.producerId,
            timeoutMs: txn.timeoutMs,
          },
          'transaction timed out: aborting it and fencing its producer',
        );
        endTransaction(this.st, txn, false, now, true);
      } else if (
        txn.state !== 'Ongoing' &&
        now > txn.lastUpdateTimestamp + this.st.settings.idExpirationMs
      ) {
        this.st.remove(txn.transactionalId, now);
      }
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }
}

function grant(txn: TxnMetadata): ProducerGrant {
  return { errorCode: E.NONE, producerId: txn.producerId, producerEpoch: txn.producerEpoch };
}
