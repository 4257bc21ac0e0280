/** Transactions: the coordinator, its durable state in `__transaction_state`, and its wiring. */
import type { GroupCoordinator, GroupLogger } from '../group/index.ts';
import type { ProducerStateManager } from '../producer-state/index.ts';
import type { LogManager } from '../storage/index.ts';
import { TransactionCoordinator } from './transaction-coordinator.ts';
import type { TransactionCoordinatorOptions } from './transaction-coordinator.ts';
import { TxnStateTopicStore } from './txn-state-topic.ts';

export {
  DEFAULT_MAX_TXN_TIMEOUT_MS,
  DEFAULT_TXN_CHECK_INTERVAL_MS,
  DEFAULT_TXN_ID_EXPIRATION_MS,
  TransactionCoordinator,
  type ProducerGrant,
  type TransactionCoordinatorOptions,
} from './transaction-coordinator.ts';
export { TXN_STATES, type PendingOffset, type TxnMetadata, type TxnState } from './txn-metadata.ts';
export {
  MemoryTxnStore,
  TXN_STATE_TOPIC,
  createTxnStateTopic,
  TxnStateTopicStore,
  type TxnStore,
} from './txn-state-topic.ts';
export type { TxnHooks } from './txn-coordinator-state.ts';

/**
 * The broker's transaction coordinator: replays `__transaction_state` if it exists (it is created
 * on first use, as in Kafka, not here), and
 * connects the coordinator to the partition logs (markers), the producer state (produce checks) and
 * the group coordinator (offsets committed in transactions).
 */
export function openTransactionCoordinator(
  logs: LogManager,
  producers: ProducerStateManager,
  groups: GroupCoordinator,
  options: Omit<TransactionCoordinatorOptions, 'store' | 'hooks' | 'logger'> & {
    logger: GroupLogger;
  },
): TransactionCoordinator {
  const coordinator = new TransactionCoordinator({
    ...options,
    store: TxnStateTopicStore.open(logs),
    hooks: {
      allocateProducerId: () => producers.ids.allocate().producerId,
      writeMarker(topic, partition, producerId, epoch, commit, now) {
        const log = logs.partition(topic, partition);
        // A topic deleted while the transaction was open has nothing left to mark.
        if (log) producers.writeMarker(log, producerId, epoch, commit, now);
      },
      applyOffsets: (groupId, offsets) => groups.applyTxnOffsets(groupId, offsets),
    },
  });
  producers.checkTransactional = (transactionalId, batch, topic, partition) =>
    coordinator.checkProduce(transactionalId, batch, topic, partition);
  return coordinator;
}
