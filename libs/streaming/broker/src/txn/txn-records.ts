/**
 * The records of `__transaction_state`: key = the transactional id, value = its metadata, a null
 * value (tombstone) once the id has expired. JSON, for the reasons given in group-records.ts: only
 * this coordinator reads the topic, it stays inspectable with any client, and every value carries a
 * schema version `v` so that a record of an unknown version is skipped at load, never fatal.
 */
import { TXN_STATES } from './txn-metadata.ts';
import type { PendingOffset, TxnMetadata, TxnState } from './txn-metadata.ts';

export const TXN_RECORD_VERSION = 1;

interface TxnValueJson {
  v: number;
  producerId: number;
  producerEpoch: number;
  lastProducerId: number;
  timeoutMs: number;
  state: TxnState;
  partitions: Array<[string, number[]]>;
  groups: Array<[string, PendingOffset[]]>;
  startTimestamp: number;
  lastUpdateTimestamp: number;
}

export function encodeTxnKey(transactionalId: string): Buffer {
  return Buffer.from(JSON.stringify({ v: TXN_RECORD_VERSION, transactionalId }), 'utf8');
}

export function encodeTxnValue(txn: TxnMetadata): Buffer {
  const value: TxnValueJson = {
    v: TXN_RECORD_VERSION,
    producerId: txn.producerId,
    producerEpoch: txn.producerEpoch,
    lastProducerId: txn.lastProducerId,
    timeoutMs: txn.timeoutMs,
    state: txn.state,
    partitions: [...txn.partitions].map(([t, ps]) => [t, [...ps]]),
    groups: [...txn.groups],
    startTimestamp: txn.startTimestamp,
    lastUpdateTimestamp: txn.lastUpdateTimestamp,
  };
  return Buffer.from(JSON.stringify(value), 'utf8');
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

function isPendingOffset(x: unknown): x is PendingOffset {
  const o = x as PendingOffset;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.topic === 'string' &&
    isInt(o.partition) &&
    isInt(o.offset) &&
    isInt(o.leaderEpoch) &&
    (o.metadata === null || typeof o.metadata === 'string')
  );
}

function isTxnValue(x: unknown): x is TxnValueJson {
  const o = x as TxnValueJson;
  return (
    typeof o === 'object' &&
    o !== null &&
    o.v === TXN_RECORD_VERSION &&
    isInt(o.producerId) &&
    isInt(o.producerEpoch) &&
    isInt(o.lastProducerId) &&
    isInt(o.timeoutMs) &&
    (TXN_STATES as readonly string[]).includes(o.state) &&
    Array.isArray(o.partitions) &&
    o.partitions.every(
      (e) =>
        Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]) && e[1].every(isInt),
    ) &&
    Array.isArray(o.groups) &&
    o.groups.every(
      (e) =>
        Array.isArray(e) &&
        typeof e[0] === 'string' &&
        Array.isArray(e[1]) &&
        e[1].every(isPendingOffset),
    ) &&
    isInt(o.startTimestamp) &&
    isInt(o.lastUpdateTimestamp)
  );
}

export type DecodedTxnRecord =
  { transactionalId: string; value: TxnMetadata } | { transactionalId: string; value: null };

/** The record as metadata, a tombstone, or null when it is not a record of this version. */
export function decodeTxnRecord(key: Buffer, value: Buffer | null): DecodedTxnRecord | null {
  let k: unknown;
  try {
    k = JSON.parse(key.toString('utf8'));
  } catch {
    return null;
  }
  const parsedKey = k as { v?: unknown; transactionalId?: unknown };
  if (parsedKey?.v !== TXN_RECORD_VERSION || typeof parsedKey.transactionalId !== 'string')
    return null;
  const transactionalId = parsedKey.transactionalId;
  if (value === null) return { transactionalId, value: null };
  let v: unknown;
  try {
    v = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  if (!isTxnValue(v)) return null;
  return {
    transactionalId,
    value: {
      transactionalId,
      producerId: v.producerId,
      producerEpoch: v.producerEpoch,
      lastProducerId: v.lastProducerId,
      timeoutMs: v.timeoutMs,
      state: v.state,
      partitions: new Map(v.partitions.map(([t, ps]) => [t, new Set(ps)])),
      groups: new Map(v.groups),
      startTimestamp: v.startTimestamp,
      lastUpdateTimestamp: v.lastUpdateTimestamp,
    },
  };
}
