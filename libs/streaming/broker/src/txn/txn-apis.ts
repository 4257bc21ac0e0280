/** The transaction APIs, for the broker's API registry. InitProducerId is a core API (idempotence). */
import { addOffsetsToTxnApi } from '../api/add-offsets-to-txn.ts';
import { addPartitionsToTxnApi } from '../api/add-partitions-to-txn.ts';
import { describeProducersApi } from '../api/describe-producers.ts';
import { describeTransactionsApi } from '../api/describe-transactions.ts';
import { endTxnApi } from '../api/end-txn.ts';
import { listTransactionsApi } from '../api/list-transactions.ts';
import { txnOffsetCommitApi } from '../api/txn-offset-commit.ts';
import type { AnyApiHandler } from '../api/types.ts';

export const TXN_APIS: readonly AnyApiHandler[] = [
  addPartitionsToTxnApi,
  addOffsetsToTxnApi,
  endTxnApi,
  txnOffsetCommitApi,
  describeProducersApi,
  describeTransactionsApi,
  listTransactionsApi,
];
